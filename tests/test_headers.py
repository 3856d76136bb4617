"""Signed-in pages and downloads are never cached; every page carries a strict CSP.

Before, a page with a full ID number and an exported archive came without any
Cache-Control (a shared computer's browser kept them), and there was no Content
Security Policy at all.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def an_archive_export(w):
    """Village A's archive exported by its manager: a job with its XLSX."""
    from jobs.models import Job

    login(w.manager_a).post(reverse("archives:village_export", args=[w.village_a.pk]))
    return Job.objects.get(kind="archive_export", status=Job.Status.DONE)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: w.customer_a.get_absolute_url(),  # the full ID number
        lambda w: reverse("jobs:file", args=[an_archive_export(w).pk]),  # an XLSX
        lambda w: reverse("archives:customers"),
        lambda w: reverse("home"),
    ],
    ids=["customer page", "xlsx download", "customer list", "home"],
)
def test_signed_in_responses_say_no_store(world, url_of):
    response = login(world.manager_a).get(url_of(world))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_response_that_sets_its_own_caching_keeps_it(world, settings, tmp_path):
    """A visit photo is cached privately by its view's choice; the middleware leaves it."""
    from tests.archives.test_scope import a_photo

    settings.MEDIA_ROOT = tmp_path
    photo = a_photo(world)
    response = login(world.manager_a).get(photo.get_absolute_url())
    assert response["Cache-Control"] == "private, max-age=86400"


def test_every_page_has_a_csp_without_unsafe_inline(world):
    response = login(world.head_office).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = [
    ("a style attribute", re.compile(r"\sstyle\s*=", re.IGNORECASE)),
    ("an inline <script>", re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)),
    ("a <style> element", re.compile(r"<style[\s>]", re.IGNORECASE)),
    ("an event handler attribute", re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)),
]


@pytest.mark.parametrize(("what", "pattern"), INLINE, ids=[w for w, _p in INLINE])
def test_no_template_has_inline_script_or_style(what, pattern):
    found = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"{what} in {found}: the Content Security Policy blocks it"
