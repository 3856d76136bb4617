"""The trends page in real Chromium at 390 and 1280 px: every chart drawn, nothing wider
than the screen, the target lines there."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from classification import services
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_customer

pytestmark = pytest.mark.browser


def test_a_branch_head_reads_the_trends_on_a_phone_and_a_desk(browser, people):
    make_customer(people.village_a, name="储户甲", deposit_balance=Decimal("800000"))
    monday = datetime.date(2026, 11, 23)
    for back in (14, 7, 0):
        week = services.run_week(
            branch=people.branch1, today=monday - datetime.timedelta(days=back), now=timezone.now()
        )
        services.confirm_week(
            week=week, user=people.branch_head, today=week.week_start, now=timezone.now()
        )
    log_in(browser, people.branch_head)
    page = browser.page
    page.goto(
        browser.page.url.split("/", 3)[0]
        + "//"
        + browser.page.url.split("/")[2]
        + "/classification/dashboard/"
    )
    page.click("#charts-link")
    expect(page.locator("main h1")).to_contain_text("趋势图")
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.locator("svg.chart line.target")).to_have_count(3)
    for box in page.locator("svg.chart").all():
        bounds = box.bounding_box()
        assert bounds["x"] >= 0
        assert bounds["x"] + bounds["width"] <= browser.width
    browser.shot("charts")
