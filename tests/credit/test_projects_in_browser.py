"""The project library in real Chromium, at phone and desktop width: a manager names a
target and moves its stage; the branch head opens the weekly progress meeting and sees it."""

import pytest
from playwright.sync_api import expect

from credit.models import ProjectEntry, StageChange
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


def test_a_manager_names_and_moves_a_target_and_the_meeting_sees_it(browser, people):  # noqa: F811
    page = browser.page
    log_in(browser, people.corp_a1)
    page.goto("/credit/")
    page.click("a[href='/credit/projects/']")
    expect(page.locator("#month-count")).to_contain_text("0 / 4")
    page.click("a[href='/credit/projects/new/']")
    page.fill("[name=prospect_name]", "红安绿源农业科技有限公司")
    page.fill("[name=products]", "流动资金贷款，代发工资")
    page.fill("[name=next_step]", "约见财务负责人")
    browser.shot("project-new")
    page.click("main button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("已储备目标客户")
    expect(page.locator("#stage")).to_have_text("已接触")
    page.select_option("[name=to_stage]", "proposal")
    page.fill("[name=note]", "已报送方案")
    browser.shot("project-entry")
    page.click("#move button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("阶段已推进")
    expect(page.locator("#stage")).to_have_text("方案")
    expect(page.locator(".project-history")).to_contain_text("已接触 → 方案")
    entry = ProjectEntry.objects.get()
    assert entry.stage == "proposal"
    assert StageChange.objects.get().note == "已报送方案"
    page.goto("/credit/projects/")
    expect(page.locator("#month-count")).to_contain_text("1 / 4")
    browser.shot("project-library")

    log_out(page)
    log_in(browser, people.branch_head)
    page.goto("/credit/")
    page.click(f"a[href='/credit/branches/{people.branch1.pk}/projects/meeting/']")
    row = page.locator("#meeting tr[data-manager=corp_a1]")
    expect(row.locator(".moved")).to_contain_text("红安绿源农业科技有限公司：已接触 → 方案")
    expect(row.locator(".month-count")).to_contain_text("1 / 4")
    browser.shot("project-meeting")
    page.goto("/credit/dashboard/")
    expect(page.locator("#dashboard-targets")).to_contain_text(people.branch1.name)
    browser.shot("credit-dashboard")
    assert not browser.problems
