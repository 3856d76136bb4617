"""The branch dashboard and the balance form in a real browser: they fit a phone and a desktop."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from archives.models import Customer
from classification.models import Classification, Week
from classification.rules import Band, Tier
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_customer

pytestmark = pytest.mark.browser


def test_a_branch_head_reads_the_branch_dashboard(browser, people):
    week = Week.objects.create(
        branch=people.branch1,
        week_start=datetime.date(2026, 11, 9),
        status=Week.Status.CONFIRMED,
        run_at=timezone.now(),
    )
    rich = make_customer(people.village_a, name="富户", deposit_balance=Decimal("90000"))
    for customer, tier in ((rich, Tier.KEY_FOLLOW_UP), (people.customer_a, Tier.CULTIVATION)):
        Classification.objects.create(
            week=week, customer=customer, rule_tier=tier, tier=tier, band=Band.ACCOUNT_MANAGER
        )
    page = browser.page
    log_in(browser, people.branch_head)
    page.goto(reverse("classification:dashboard"))
    page.click(f"text={people.branch1.name}")
    expect(page.locator("#village-dashboard tbody tr")).to_have_count(2)
    expect(page.locator("#overdue-revisits")).to_contain_text("富户")
    expect(page.locator("#summary-export")).to_be_visible()
    browser.shot("dashboard-branch")
    assert not browser.problems, browser.problems


def test_a_manager_sees_balances_read_only_on_the_survey_form(browser, people):
    Customer.objects.filter(pk=people.customer_a.pk).update(deposit_balance=Decimal("8000"))
    page = browser.page
    log_in(browser, people.manager_a)
    page.goto(people.customer_a.get_absolute_url())
    expect(page.locator("#update-balances")).to_have_count(0)
    page.goto(reverse("archives:customer_edit", args=[people.customer_a.pk]))
    expect(page.locator("#id_deposit_balance")).to_be_disabled()
    expect(page.locator("#id_deposit_balance")).to_have_value("8000.00")
    expect(page.locator("#id_balances_as_of")).to_be_disabled()
    browser.shot("survey-balances-read-only")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(people.customer_a.get_absolute_url())
    assert Customer.objects.get(pk=people.customer_a.pk).deposit_balance == Decimal("8000")
    assert not browser.problems, browser.problems
