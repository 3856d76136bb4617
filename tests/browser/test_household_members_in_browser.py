"""On a phone, the household form names each family row whose relation cannot be, and an
organisation's form asks no home address."""

import pytest
from playwright.sync_api import expect

from archives.models import Customer, CustomerType
from tests.browser.test_filing_in_browser import log_in, save, start_filing
from tests.builders import resident_id

pytestmark = pytest.mark.browser


def add_member(page, index, name, relation, id_number=""):
    page.click("#add-member")
    page.fill(f"[name=members-{index}-name]", name)
    page.select_option(f"[name=members-{index}-relation]", relation)
    if id_number:
        page.fill(f"[name=members-{index}-id_number]", id_number)


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_a_household_with_a_second_head_and_an_11_year_old_spouse_is_refused(browser, people):
    page = browser.page
    village = people.village_a
    log_in(browser, people.manager_a)
    page.goto(f"/villages/{village.pk}/")
    start_filing(page, village, CustomerType.HOUSEHOLD)

    # Every amount starts empty: unknown is not 0.
    for name in ("household_income", "household_expenses", "credit_need", "appointed_loan"):
        expect(page.locator(f"[name={name}]")).to_have_value("")
    browser.shot("forms-household-empty")

    page.fill("[name=name]", "赵大海")
    page.fill("[name=id_number]", resident_id("19750315", order=201))
    page.select_option("[name=credit_record]", "good")
    add_member(page, 0, "钱小红", "spouse", resident_id("20150601", order=102))
    add_member(page, 1, "赵老二", "head")
    add_member(page, 2, "赵小海", "child", resident_id("20010910", order=101))
    save(page)

    # At the top, where the phone lands: which rows to correct, linked to them.
    summary = page.locator("form.survey > .errors", has=page.locator("a[href='#members']"))
    expect(summary).to_contain_text("第 1 行（钱小红）")
    expect(summary).to_contain_text("第 2 行（赵老二）")
    rows = page.locator("#members .member-row")
    expect(rows.nth(0).locator(".error")).to_contain_text("第 1 行（钱小红）")
    expect(rows.nth(0).locator(".error")).to_contain_text("法定婚龄")
    expect(rows.nth(1).locator(".error")).to_contain_text("第 2 行（赵老二）")
    expect(rows.nth(1).locator(".error")).to_contain_text("户主")
    expect(rows.nth(2).locator(".error")).to_have_count(0)
    rows.nth(0).scroll_into_view_if_needed()
    browser.shot("forms-household-member-errors")
    assert not Customer.objects.filter(name="赵大海").exists()
    assert browser.problems == []

    # Corrected: the second head is a sibling, the spouse's own ID number is typed again.
    page.select_option("[name=members-1-relation]", "sibling")
    page.fill("[name=members-0-id_number]", resident_id("19780601", order=102))
    save(page)
    expect(page.locator("main h1")).to_contain_text("赵大海")
    customer = Customer.objects.get(name="赵大海")
    assert customer.members.count() == 3
    assert customer.household_expenses is None
    expect(page.locator("main")).to_contain_text("未填")
    browser.shot("forms-household-filed")


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_a_cooperative_form_asks_no_home_address(browser, people):
    page = browser.page
    log_in(browser, people.manager_a)
    page.goto(f"/villages/{people.village_a.pk}/")
    start_filing(page, people.village_a, CustomerType.COOPERATIVE)
    expect(page.locator("[name=address]")).to_have_count(0)
    expect(page.locator("[name=business_address]")).to_be_visible()
    expect(page.locator("[name=member_count]")).to_have_value("")
    browser.shot("forms-cooperative")
