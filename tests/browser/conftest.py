"""Browser fixtures: Debian's headless Chromium driven by Playwright against the live server."""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import sync_playwright

# Debian's package, installed by `make system-deps`; Playwright's own browser
# downloads are never used (the network is closed).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google services; on the closed
    # network those connections are refused and slow every page down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,  # 1, not the phone's 2: keeps the screenshots small
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@dataclass
class Browser:
    """One browser tab at one viewport, with what went wrong while it was open."""

    page: object
    width: int
    problems: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """A full-page screenshot: test-artifacts/screenshots/<width>-<name>.png.

        Also checks the page fits its width: on a phone, sideways scrolling of
        the whole page (rather than of one table) hides half of every form.
        """
        path = SCREENSHOTS / f"{self.width}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= self.width, (
            f"{name}: the page is {scroll_width}px wide at a {self.width}px viewport ({path})"
        )
        return path

    def assert_styled(self):
        """app.css was served and applied: the top bar has the bank's green."""
        background = self.page.eval_on_selector(
            ".topbar", "el => getComputedStyle(el).backgroundColor"
        )
        assert background == "rgb(11, 110, 79)", (
            f"static/css/app.css did not apply (top bar background {background}); "
            f"failed requests: {self.problems}"
        )


@pytest.fixture
def chromium(monkeypatch):
    """A fresh Chromium for each test; fails (never skips) when the binary is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: browser tests need Debian's chromium "
            "package (`make system-deps`, or set CHROMIUM=/path/to/chromium)."
        )
    # Playwright's sync API keeps an asyncio loop running in this thread while it
    # is started, so Django would refuse the test's own ORM calls (fixtures,
    # asserts, the database flush) with SynchronousOnlyOperation. The test thread
    # never runs coroutines itself, so the check is off for this test only; the
    # loop is stopped before the database is flushed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While that loop runs, Django keeps this thread's connections apart from
        # the usual thread-local ones (asgiref's Local switches to contextvars),
        # so close them now: left open, PostgreSQL refuses to drop the test
        # database ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def zh_catalogue():
    """The Chinese UI needs the compiled catalogue; without it every label is English."""
    if not CATALOGUE.exists():
        pytest.fail(f"{CATALOGUE} is missing: compile the translations (`make messages`).")


@pytest.fixture
def plain_static_storage(settings):
    """Let the live server find the stylesheet when DEBUG is off.

    `make test` runs with DEBUG off, so {% static %} writes manifest-hashed names
    (app.3f2a….css); the live server's static handler looks files up through the
    finders, which only know the unhashed sources, and answers 404. The manifest
    itself is checked by `make test-static`; here the pages just need their CSS.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(params=list(VIEWPORTS))
def browser(request, live_server, transactional_db, zh_catalogue, plain_static_storage, chromium):
    """A tab at phone or desktop width, speaking Chinese, pointed at the live server."""
    options = VIEWPORTS[request.param]
    # A bank employee's phone asks for Chinese; headless Chromium would ask for en-US.
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Browser(page=page, width=options["viewport"]["width"])

    def on_response(response):
        if response.status >= 400:
            tab.problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", on_response)
    page.on("pageerror", lambda error: tab.problems.append(f"JavaScript error: {error}"))

    def on_console(message):
        # A Content Security Policy violation (an inline style or script) is a console error.
        if message.type == "error":
            tab.problems.append(f"console error: {message.text}")

    page.on("console", on_console)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield tab
    context.close()


@pytest.fixture
def people(transactional_db, world):
    """The personas of tests/conftest.py, built so the live server's thread can see them."""
    return world
