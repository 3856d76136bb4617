"""Issue 11's journey in real Chromium, phone and desktop: an account manager logs a visit
and names a project-library target from the phone and follows up a large cross-bank
outflow from the morning notice; the branch head sees all of it at the weekly progress
meeting, on the notice and on the corporate dashboard."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives import movement_rules
from archives.models import Movement
from credit.models import Activity, MovementFollowUp, ProjectEntry
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


def test_a_managers_day_reaches_the_branch_head(browser, people):  # noqa: F811
    page = browser.page
    company = people.company_1
    day = movement_rules.notice_window(timezone.localdate())[1]
    moved = Movement.objects.create(
        account="1820100000012345",
        date=day,
        sequence="20261203000999",
        identifier=company.credit_code,
        customer_name=company.name,
        direction="out",
        counterparty_bank="中国建设银行黄冈分行",
        cross_bank=True,
        amount=Decimal("10000000.00"),  # exactly the follow-up threshold, not on the notice
        imported_at=timezone.now(),
    )
    big = Movement.objects.create(
        account="1820100000012345",
        date=day,
        sequence="20261203001000",
        identifier=company.credit_code,
        customer_name=company.name,
        direction="out",
        counterparty_bank="中国工商银行武汉分行",
        cross_bank=True,
        amount=Decimal("18000000.00"),
        imported_at=timezone.now(),
    )

    log_in(browser, people.corp_a1)
    # A visit, logged from the phone.
    page.goto(f"/credit/activities/new/?kind=visit&customer={company.pk}")
    page.fill("#id_notes", "走访财务负责人，了解扩产资金需求")
    page.fill("#id_next_step", "下周报送授信方案")
    browser.shot("journey-visit")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/credit/activities/$"))
    expect(page.locator("#activities")).to_contain_text("走访财务负责人")
    # A target named in the project library.
    page.goto("/credit/projects/new/")
    page.fill("[name=prospect_name]", "红安绿源农业科技有限公司")
    page.fill("[name=products]", "流动资金贷款")
    page.fill("[name=next_step]", "约见财务负责人")
    page.click("main button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("已储备目标客户")
    # The morning notice: the 18,000,000 outflow is on it (above 10,000,000); both need a
    # follow-up (10,000,000 or more), and the manager records the larger one's.
    page.goto("/credit/")
    page.click("a[data-notice-count]")
    expect(page.locator("li.movement-card")).to_have_count(1)
    card = page.locator(f"li[data-movement='{big.pk}']")
    expect(card).to_contain_text("18,000,000.00")
    browser.shot("journey-notice")
    card.locator("a.btn.primary").click()
    page.fill("[name=learnt]", "支付设备款，下月回款。")
    page.fill("[name=action]", "约见财务负责人，争取回款归集本行。")
    page.check("[name=funds_back][value=yes]")
    page.click("main form button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("稳存跟踪已登记")
    assert Activity.objects.get().kind == "visit"
    assert ProjectEntry.objects.get().prospect_name == "红安绿源农业科技有限公司"
    assert MovementFollowUp.objects.get().movement == big

    log_out(page)
    log_in(browser, people.branch_head)
    page.goto(f"/credit/branches/{people.branch1.pk}/projects/meeting/")
    row = page.locator("#meeting tr[data-manager=corp_a1]")
    expect(row.locator(".contacts")).to_contain_text(f"拜访：{company.name}")
    expect(row.locator(".contacts")).to_contain_text("下周报送授信方案")
    expect(row).to_contain_text("红安绿源农业科技有限公司")
    browser.shot("journey-meeting")
    page.goto("/credit/movements/")
    expect(page.locator(f"li[data-movement='{big.pk}']")).to_contain_text("已跟踪")
    page.goto("/credit/dashboard/")
    followed = page.locator("#dashboard-movements tr[data-branch='B01'] .movements-followed")
    this_month = day >= timezone.localdate().replace(day=1)  # the dashboard counts this month
    # The other one still waits for its follow-up.
    expect(followed).to_contain_text("1 / 2" if this_month else "0 / 0")
    browser.shot("journey-dashboard")
    assert moved.pk != big.pk
    assert not browser.problems, browser.problems
