"""A branch head reviews the weekly queue in real Chromium: override one, confirm the rest."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from classification.models import Maintainer, Override, Week
from tests.browser.menus import open_place
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_customer

pytestmark = pytest.mark.browser


def test_branch_head_overrides_one_customer_and_confirms_the_week(browser, people):
    page = browser.page
    big = make_customer(
        people.village_a, name="储户甲", deposit_balance=Decimal("800000"), main_income="business"
    )
    undecided = make_customer(people.village_b, name="待定乙", main_income="none")
    log_in(browser, people.branch_head)

    open_place(page, "/classification/weeks/")
    expect(page.locator("main h1")).to_have_text("每周分类")
    page.click(f"form[action='/classification/branches/{people.branch1.pk}/run/'] button")
    expect(page.locator(".msg")).to_contain_text("本周客户初分")
    week = Week.objects.get(branch=people.branch1)

    row = page.locator(f"#row-{undecided.pk}")
    expect(row.locator("span.tier")).to_contain_text("待认定")
    expect(page.locator(f"#row-{big.pk} .reasons")).to_contain_text("存贷款合计在支行排名第1")
    browser.shot("weekly-queue")

    # Balances and the ID's last digits beside each name (never the whole number).
    expect(page.locator(f"#row-{big.pk} .balances")).to_contain_text("800,000")
    expect(page.locator(f"#row-{big.pk}")).to_contain_text("****" + big.id_number[-4:])
    expect(page.locator(f"#row-{big.pk}")).not_to_contain_text(big.id_number)

    # Without a reason the row comes back in place, the tier chosen still chosen.
    row.locator("select[name=tier]").select_option("cultivation")
    row.locator("button", has_text="认定").click()
    expect(row.locator("[role=alert]")).to_contain_text("请填写")
    expect(row.locator("select[name=tier]")).to_have_value("cultivation")
    assert not Override.objects.exists()
    browser.shot("weekly-queue-reason-missing")

    row.locator("input[name=reason]").fill("在外务工返乡创业，收入稳定")
    row.locator("button", has_text="认定").click()
    # Decided in place: the row now shows the tier and the reason, no reload.
    expect(row.locator("span.tier")).to_contain_text("培植发展类")
    expect(row).to_contain_text("在外务工返乡创业")
    page.click("a[href='?show=all']")
    expect(page.locator(f"#row-{undecided.pk} span.tier")).to_contain_text("培植发展类")

    still_open = week.rows.filter(tier="undecided").count()
    page.click("#confirm-week button")
    if still_open:  # the people fixture's other customers: the page lists them and asks
        expect(page.locator("#undecided-list li")).to_have_count(still_open)
        browser.shot("weekly-confirm-asks")
        page.click("#confirm-anyway")
    expect(page.locator(".msg")).to_contain_text("维护人已更新")
    expect(page.locator("main")).to_contain_text("已确认")
    expect(page.locator("#confirm-week")).to_have_count(0)
    browser.shot("weekly-confirmed")

    week.refresh_from_db()
    assert week.is_locked
    assert Override.objects.get(customer=undecided).reason == "在外务工返乡创业，收入稳定"
    duties = set(Maintainer.objects.filter(customer=big).values_list("user__username", "duty"))
    assert {
        ("leader_1", "leader"),
        ("branch_head_1", "branch_head"),
        ("manager_a", "dedicated"),
    } <= duties
    assert re.search(r"/classification/weeks/\d+/", page.url)
