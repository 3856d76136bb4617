"""Contacts, visits, cadences and the diary in real Chromium, on a phone and a desktop: the
deputy head sees an overdue contact, logs it in one tap, writes the day's diary; the
branch head sees the branch's compliance and diary gaps."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credit.models import Activity, DiaryEntry, ListState
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    browser,
    chromium,
    people,
    plain_static_storage,
    zh_catalogue,
)
from tests.browser.test_field_day_in_browser import log_out
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


def test_an_overdue_contact_is_logged_in_a_tap_and_the_diary_written(browser, people):  # noqa: F811
    page = browser.page
    ListState.objects.create(
        customer=people.company_1, list="strategic", status="confirmed", updated_at=timezone.now()
    )
    log_in(browser, people.deputy_head)
    page.goto("/credit/cadences/")
    expect(page.locator("main h1")).to_contain_text("我的频次任务")
    card = page.locator(
        f"#overdue .cadence-card[data-kind=contact][data-customer='{people.company_1.pk}']"
    )
    expect(card).to_contain_text(people.company_1.name)
    browser.shot("credit-my-cadences")
    card.locator("a.log-link").click()
    expect(page.locator("#id_kind")).to_have_value("contact")
    expect(page.locator(f"input[name=customers][value='{people.company_1.pk}']")).to_be_checked()
    page.fill("#id_notes", "电话沟通续贷安排")
    browser.shot("credit-activity-form")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/credit/activities/$"))
    expect(page.locator("#activities")).to_contain_text("电话沟通续贷安排")
    browser.shot("credit-activities")
    assert Activity.objects.get().kind == "contact"

    page.goto("/credit/diary/")
    page.fill("#id_summary", "联系红安城关建材，沟通续贷")
    page.fill("#id_plan", "走访项目库客户")
    page.click("main button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("已保存今日工作日志")
    browser.shot("credit-diary")
    assert DiaryEntry.objects.get().plan == "走访项目库客户"

    log_out(page)
    log_in(browser, people.branch_head)
    page.goto(f"/credit/branches/{people.branch1.pk}/cadences/")
    expect(page.locator("#compliance-people")).to_contain_text("deputy_1")
    expect(page.locator("#diary-gaps")).to_contain_text("corp_a1")
    browser.shot("credit-branch-compliance")
    assert not browser.problems, browser.problems
