"""今日, the tab bar and 更多 in real Chromium, at phone and desktop width, for three roles."""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from classification.models import FollowUp
from classification.rules import Tier
from tests.conftest import login

pytestmark = pytest.mark.browser

ROLES = ["manager_a", "branch_head", "head_office"]
FIELD_DAYS = "/assessment/field-days/"


def sign_in(browser, user, live_server_url):
    """The session of a signed-in test client (past the second factor), handed to the tab."""
    client = login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser.page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server_url}]
    )


def on_screen(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert box["x"] + box["width"] <= size["width"] + 0.5
    assert box["y"] + box["height"] <= size["height"] + 0.5


@pytest.mark.parametrize("role", ROLES)
def test_today_the_tab_bar_and_more_for_each_role(browser, people, live_server, role):
    user = getattr(people, role)
    FollowUp.objects.create(
        customer=people.customer_a,
        tier=Tier.PERIODIC_REVISIT,
        last_visit=timezone.localdate().replace(year=timezone.localdate().year - 1),
    )
    sign_in(browser, user, live_server.url)
    page = browser.page
    page.goto("/")
    browser.assert_styled()
    expect(page.locator("main h1")).to_contain_text("今日")
    expect(page.locator("[data-whoami]")).to_contain_text(str(user))
    tabs = page.locator("nav.tabbar a")
    name = role.replace("_", "-")
    if browser.width <= 600:
        expect(page.locator("nav.tabbar")).to_be_visible()
        expect(page.locator("nav.mainnav")).to_be_hidden()
        assert 4 <= tabs.count() <= 5
        for i in range(tabs.count()):
            on_screen(page, tabs.nth(i))
            expect(tabs.nth(i).locator("svg")).to_be_visible()
        expect(page.locator("nav.tabbar a[aria-current=page]")).to_have_text("今日")
        # 下乡日志, the daily task: one tap from anywhere.
        field_days = page.locator(f"nav.tabbar a[href='{FIELD_DAYS}']")
        expect(field_days).to_have_text("下乡日志")
        on_screen(page, field_days)
    else:
        expect(page.locator("nav.tabbar")).to_be_hidden()
        menu = page.locator("nav.mainnav")
        expect(menu).to_be_visible()
        links = menu.locator(":scope > a, :scope > details > summary")
        for i in range(links.count()):
            on_screen(page, links.nth(i))
        field_days = menu.locator(f":scope > a[href='{FIELD_DAYS}']")
        expect(field_days).to_have_text("下乡日志")
        # Each group opens on the screen, and one at a time.
        groups = menu.locator("details.navgroup")
        for i in range(groups.count()):
            groups.nth(i).locator("summary").click()
            on_screen(page, groups.nth(i).locator(".navgroup-menu"))
            expect(menu.locator("details[open]")).to_have_count(1)
        page.keyboard.press("Escape")
        expect(menu.locator("details[open]")).to_have_count(0)
    if role == "manager_a":
        expect(page.locator("#today-revisits")).to_contain_text(people.customer_a.name)
        expect(page.locator("#today-field-day a.btn")).to_have_text("登记今日下乡日志")
    browser.shot(f"today-{name}")
    assert browser.problems == []

    if browser.width <= 600:
        page.locator("nav.tabbar a[data-place=more]").click()
        expect(page).to_have_url(re.compile(r"/more/$"))
        expect(page.locator("main h1")).to_have_text("更多")
        expect(page.locator("[data-whoami]")).to_contain_text(str(user))
        expect(page.locator("nav.tabbar a[aria-current=page]")).to_have_text("更多")
        expect(page.locator("main button[type=submit]")).to_have_text("退出")
        browser.shot(f"more-{name}")
        field_days.click()
        expect(page).to_have_url(re.compile(f"{FIELD_DAYS}$"))
        expect(page.locator("nav.tabbar a[aria-current=page]")).to_have_text("下乡日志")
    else:
        field_days.click()
        expect(page).to_have_url(re.compile(f"{FIELD_DAYS}$"))
    assert browser.problems == []
