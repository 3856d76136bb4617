"""The morning notice in real Chromium, on a phone and a desktop: the A manager sees a large
cross-bank outflow on the notice and records its follow-up; the branch head's notice shows
it followed up."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives import movement_rules
from archives.models import Movement
from credit.models import MovementFollowUp
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


def test_a_large_outflow_is_followed_up_and_seen(browser, people):  # noqa: F811
    page = browser.page
    day = movement_rules.notice_window(timezone.localdate())[1]
    moved = Movement.objects.create(
        account="1820100000012345",
        date=day,
        sequence="20261203000123",
        identifier=people.company_1.credit_code,
        customer_name=people.company_1.name,
        direction="out",
        counterparty_bank="中国工商银行武汉分行",
        cross_bank=True,
        amount=Decimal("12500000.00"),
        imported_at=timezone.now(),
    )
    Movement.objects.create(
        account="1820100000012345",
        date=day,
        sequence="small",
        identifier=people.company_1.credit_code,
        direction="in",
        counterparty_bank="",
        cross_bank=False,
        amount=Decimal("10000000.00"),  # not above: not on the notice
        imported_at=timezone.now(),
    )

    log_in(browser, people.corp_a1)
    page.goto("/credit/")
    expect(page.locator("a[data-notice-count]")).to_contain_text("每日通报 1")
    page.click("a[data-notice-count]")
    expect(page.locator("main h1")).to_contain_text("大额资金每日通报")
    card = page.locator(f"li[data-movement='{moved.pk}']")
    expect(page.locator("li.movement-card")).to_have_count(1)
    expect(card).to_contain_text("12,500,000.00")
    expect(card).to_contain_text("需要跟踪")
    browser.shot("movements-notice-a-manager")
    card.locator("a.btn.primary").click()
    expect(page.locator("main h1")).to_contain_text("登记稳存跟踪")
    page.fill("[name=learnt]", "支付上游货款，月底回款。")
    page.fill("[name=action]", "已约财务负责人，回款归集本行。")
    page.check("[name=funds_back][value=yes]")
    browser.shot("movements-follow-up-form")
    page.click("main form button[type=submit]")
    expect(page.locator(".msg")).to_contain_text("稳存跟踪已登记")
    assert MovementFollowUp.objects.get().recorded_by == people.corp_a1
    browser.shot("movements-follow-ups")

    log_out(page)
    log_in(browser, people.branch_head)
    page.goto("/credit/movements/")
    card = page.locator(f"li[data-movement='{moved.pk}']")
    expect(card).to_contain_text("已跟踪")
    expect(card).to_contain_text("支付上游货款")
    expect(card.locator("a.btn.primary")).to_have_count(0)
    browser.shot("movements-notice-branch-head")
    assert not browser.problems, browser.problems
