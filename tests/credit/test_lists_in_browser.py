"""The lists in real Chromium, on a phone and a desktop: the branch runs the rules and
declares; corporate finance confirms from its queue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credit.models import Figures, ListState
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    browser,
    chromium,
    people,
    plain_static_storage,
    zh_catalogue,
)
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_corporate

pytestmark = pytest.mark.browser


# The browser fixtures live in tests/browser/conftest.py: imported above, used here.
def test_the_branch_declares_and_corporate_finance_confirms(browser, people):  # noqa: F811
    page = browser.page
    customer = make_corporate(
        people.branch1, name="省交投集团红安分公司", has_credit_line=True, china_top_500=True
    )
    Figures.objects.create(
        customer=customer,
        period=datetime.date(2026, 10, 1),
        exposure=Decimal("210000000"),
        imported_at=timezone.now(),
    )

    log_in(browser, people.branch_head)
    page.click("nav.mainnav a[href='/credit/']")
    expect(page.locator("main h1")).to_contain_text("授信客户名单")
    page.click(f"form[action='/credit/lists/run/{people.branch1.pk}/'] button")
    expect(page.locator(".msg")).to_contain_text("规则已为")
    row = page.locator(f"#c{customer.pk}")
    expect(row).to_contain_text("上年度日均授信敞口 2.10 亿元 ≥ 2 亿元")
    browser.shot("credit-lists")

    row.locator("details.credit-decide summary").first.click()
    expect(row.locator("select[name=list]")).to_have_value("strategic")
    row.locator("form.decide button").first.click()
    expect(page.locator(".msg")).to_contain_text("提交总行公司金融部审核")
    assert ListState.objects.get(customer=customer).status == "declared"

    page.click("form.logout button")
    log_in(browser, people.corporate_finance)
    expect(page).to_have_url(re.compile(r"/credit/$"))  # no village work: the lists
    page.goto("/credit/lists/queue/")
    queued = page.locator(f"#c{customer.pk}")
    expect(queued).to_contain_text("战略")
    browser.shot("credit-queue")
    queued.locator("button.primary").click()
    expect(page.locator(".msg")).to_contain_text("已确认")
    assert ListState.objects.get(customer=customer).status == "finance_confirmed"
    assert not browser.problems, browser.problems
