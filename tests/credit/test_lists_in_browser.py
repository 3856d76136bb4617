"""The lists in real Chromium, on a phone and a desktop: the branch runs the rules and
declares a customer quality; corporate finance, then credit management confirm it from
their queues; the branch's list shows it confirmed."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credit.models import Figures, Industry, ListState
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    browser,
    chromium,
    people,
    plain_static_storage,
    zh_catalogue,
)
from tests.browser.menus import open_place
from tests.browser.test_field_day_in_browser import log_out
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_corporate

pytestmark = pytest.mark.browser


# The browser fixtures live in tests/browser/conftest.py: imported above, used here.
def test_a_quality_customer_goes_through_both_departments(browser, people):  # noqa: F811
    page = browser.page
    industry = Industry.objects.create(code="C39", name="电子设备制造", key_supported=True)
    customer = make_corporate(
        people.branch1,
        name="红安光电科技有限公司",
        has_credit_line=True,
        industry=industry,
        sound_finances=True,
    )
    Figures.objects.create(
        customer=customer,
        period=datetime.date(2026, 10, 1),
        exposure=Decimal("60000000"),
        products=["流动资金贷款", "企业网银", "代发工资"],
        imported_at=timezone.now(),
    )

    log_in(browser, people.branch_head)
    open_place(page, "/credit/")
    expect(page.locator("main h1")).to_contain_text("授信客户名单")
    page.click(f"form[action='/credit/lists/run/{people.branch1.pk}/'] button")
    expect(page.locator(".msg")).to_contain_text("规则已为")
    row = page.locator(f"#c{customer.pk}")
    expect(row).to_contain_text("上年度日均授信敞口 6000.00 万元 ≥ 5000 万元")
    browser.shot("credit-lists")

    row.locator("details.credit-decide summary").first.click()
    expect(row.locator("select[name=list]")).to_have_value("quality")
    row.locator("form.decide button").first.click()
    expect(page.locator(".msg")).to_contain_text("提交总行公司金融部审核")
    assert ListState.objects.get(customer=customer).status == "declared"

    log_out(page)
    log_in(browser, people.corporate_finance)
    expect(page).to_have_url(re.compile(r"/credit/$"))  # no village work: the lists
    page.goto("/credit/lists/queue/")
    queued = page.locator(f"#c{customer.pk}")
    expect(queued).to_contain_text("优质")
    browser.shot("credit-queue")
    queued.locator("button.primary").click()
    expect(page.locator(".msg")).to_contain_text("已确认")
    assert ListState.objects.get(customer=customer).status == "finance_confirmed"

    log_out(page)
    log_in(browser, people.credit_management)
    page.goto("/credit/lists/queue/")
    queued = page.locator(f"#c{customer.pk}")
    expect(queued).to_contain_text("优质")
    browser.shot("credit-queue-credit-management")
    queued.locator("button.primary").click()
    expect(page.locator(".msg")).to_contain_text("已确认")
    state = ListState.objects.get(customer=customer)
    assert (state.status, state.list) == ("confirmed", "quality")

    log_out(page)
    log_in(browser, people.branch_head)
    open_place(page, "/credit/")
    page.click("nav.tabs a[data-tab='quality']")
    row = page.locator(f"#c{customer.pk}")
    expect(row).to_contain_text("红安光电科技有限公司")
    expect(row).to_contain_text("已确认")
    browser.shot("credit-lists-confirmed")
    assert not browser.problems, browser.problems
