"""Every page a bank user sees is Chinese: a crawl of every URL as each role that may see
it, failing on English words outside a short allowlist (issue 13)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.archives.test_scope import ALLOWED_STATUS, ROLES, SCOPE_TABLE, a_week  # noqa: F401
from tests.conftest import login

pytestmark = pytest.mark.django_db

# Words that are Chinese users' own: file formats, product names, units, codes.
ALLOWLIST = {
    *("PDF", "XLSX", "Excel", "CSV", "ID", "POS", "VIP", "SMS", "TOTP", "APP", "App", "QR"),
    *("GPS", "Wi", "Fi", "km", "KB", "MB", "GB", "kB", "OK"),
    # File names and their extensions are the user's own data.
    *("csv", "xlsx", "xls", "jpg", "jpeg", "png", "pdf", "IMG"),
    # Keys on the keyboard; the alt text of the admin's yes/no and search icons, which
    # Django's templates write in English whatever the language.
    *("Ctrl", "Command", "Mac", "True", "False", "Search"),
}
# A word alone: letters inside a code (a credit code, a staff number) are data.
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")


# Not read as text: code, drawings, and the rows a script copies (<template>).
HIDDEN = ("script", "style", "svg", "datalist", "template")


class Text(HTMLParser):
    """The text a person reads: no script or style, plus placeholders, titles and labels."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value:
                self.parts.append(value)
            if (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html: str, known: set[str]) -> set[str]:
    parser = Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return {w for w in WORD.findall(text) if w not in ALLOWLIST and w not in known}


# Every page as every role that may see it (the scope table says who).
PAIRS = [
    (url_name, role)
    for url_name, (_args, allowed) in sorted(SCOPE_TABLE.items())
    for role in ROLES
    if role in allowed
]


@pytest.mark.parametrize(("url_name", "role"), PAIRS)
def test_the_page_has_no_english(world, url_name, role):
    args_of, _allowed = SCOPE_TABLE[url_name]
    user = getattr(world, role)
    response = login(user).get(reverse(url_name, args=args_of(world)))
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return  # a download, a POST-only address, a redirect: no page to read
    assert english_words(response.text, people_of(world)) == set(), f"{url_name} as {role}"


def people_of(world) -> set[str]:
    """Names the test world gives people are data, not interface."""
    users = [getattr(world, r) for r in ROLES]
    return {u.username for u in users} | {p for u in users for p in u.username.split("_")}


def admin_pages():
    from django.contrib import admin

    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return pages


def test_head_office_administration_has_no_english(world):
    """Every list and add page of the admin head office keeps (the libraries' English-only
    pages for lockouts, authenticators, groups and task rows are replaced by actions on the
    staff list, or not shown)."""
    client = login(world.head_office)
    found = {}
    for url in admin_pages():
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 200:
            words = english_words(response.text, people_of(world))
            if words:
                found[url] = sorted(words)
    assert found == {}
