"""Possible duplicates and the merge in real Chromium, at phone and desktop width."""

import re

import pytest
from playwright.sync_api import expect

from archives.models import Customer, CustomerMerge
from tests.archives.test_dupes import NUMBER, typo
from tests.browser.test_filing_in_browser import log_in, save, start_filing
from tests.builders import make_customer

pytestmark = pytest.mark.browser


def test_a_near_duplicate_is_warned_then_filed_and_the_branch_head_merges_it(browser, people):
    page = browser.page
    village = people.village_a
    first = make_customer(village, name="刘春生", id_number=typo(NUMBER, [3]), phone="13900001234")
    log_in(browser, people.manager_a)
    page.goto(f"/villages/{village.pk}/")
    start_filing(page, village, "household")
    page.fill("[name=name]", "刘春生")
    page.fill("[name=id_number]", NUMBER)
    page.fill("[name=phone]", "13900001234")
    save(page)

    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("刘春生")
    expect(warning).to_contain_text("手机号相同")
    expect(warning).to_contain_text("姓名相同，身份证号仅差一两位")
    assert first.id_number not in page.content()
    warning.scroll_into_view_if_needed()
    browser.shot("dupes-warning")
    page.check("#id_not_a_duplicate")
    save(page)
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    second = Customer.objects.get(id_number=NUMBER)

    page.context.clear_cookies()
    log_in(browser, people.branch_head)
    page.goto(f"/customers/{first.pk}/merge/")
    browser.shot("dupes-choose")
    page.click(f"a[href='?other={second.pk}']")
    expect(page.locator("table.compare")).to_contain_text("刘春生")
    page.check(f"input[name=kept][value='{first.pk}']")
    browser.shot("dupes-merge")
    page.click("form.merge button[type=submit]")

    expect(page).to_have_url(re.compile(rf"/customers/{first.pk}/$"))
    expect(page.locator(".msg-success")).to_contain_text("合并")
    expect(page.locator("#history .merges")).to_contain_text("刘春生")
    browser.shot("dupes-kept")
    assert not Customer.objects.filter(pk=second.pk).exists()
    assert CustomerMerge.objects.get().kept_id == first.pk
