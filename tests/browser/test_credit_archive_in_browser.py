"""The corporate archive in a real browser: filed on a phone, read on a desktop; every page fits."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from credit.models import CorporateCustomer, Figures
from tests.browser.test_filing_in_browser import log_in
from tests.builders import credit_code

pytestmark = pytest.mark.browser


def test_a_branch_head_files_a_customer_sets_its_team_and_reads_it(browser, people):
    page = browser.page
    log_in(browser, people.branch_head)
    page.goto(reverse("credit:customer_create"))
    browser.shot("credit-customer-form")
    page.fill("[name=name]", "红安新材料有限公司")
    page.fill("[name=credit_code]", "123")
    page.click("main form button[type=submit]")
    expect(page.locator("[data-field=credit_code] .error")).to_contain_text("统一社会信用代码")
    browser.shot("credit-customer-form-error")
    page.fill("[name=credit_code]", credit_code())
    page.fill("[name=finance_phone]", "13812345678")
    page.check("[name=china_top_500]")
    page.click("main form button[type=submit]")
    customer = CorporateCustomer.objects.get(name="红安新材料有限公司")
    expect(page).to_have_url(reverse("credit:customer", args=[customer.pk]))
    Figures.objects.create(
        customer=customer,
        period=timezone.localdate().replace(day=1),
        imported_at=timezone.now(),
        exposure=Decimal(210_000_000),
        deposits=Decimal(60_000_000),
        settlement_share=Decimal("55.5"),
        funds_return_rate=Decimal("21"),
        online_banking_opened=True,
        online_banking_settlement=True,
        payroll_headcount=160,
        payroll_monthly=Decimal(900_000),
        pos_monthly=Decimal(5_000_000),
        credit_cards=25,
        products=["结算", "代发", "网银"],
    )
    page.reload()
    expect(page.locator("#criteria")).to_contain_text("国内500强企业")
    expect(page.locator("#record, main")).to_contain_text("138****5678")
    browser.shot("credit-customer")

    page.click("text=设置服务团队")
    page.select_option("[name=A]", str(people.corp_a1.pk))
    page.select_option("[name=B1]", str(people.corp_b1.pk))
    browser.shot("credit-team")
    page.click("main form button[type=submit]")
    expect(page.locator("#team")).to_contain_text("corp_b1")

    page.goto(reverse("credit:customers"))
    expect(page.locator("main tbody tr")).to_have_count(2)
    browser.shot("credit-customers")
    assert not browser.problems, browser.problems
