"""A survey filed with no signal: it waits in the phone's outbox and is filed once the signal returns."""

import re

import pytest
from playwright.sync_api import expect

from archives.models import Customer, Submission
from classification.models import Visit
from tests.browser.test_filing_in_browser import log_in, save
from tests.builders import resident_id

pytestmark = pytest.mark.browser

KEPT_PAGE = "caches.open('pages').then(c => c.match(%r, {ignoreVary: true})).then(Boolean)"


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_a_survey_sent_offline_waits_in_the_outbox_and_is_filed_once_online(browser, people):
    page = browser.page
    village = people.village_a
    form_url = f"/villages/{village.pk}/customers/new/?type=household"
    log_in(browser, people.manager_a)
    page.goto(form_url)
    # The worker controls the page, and the form and the outbox page are kept on the phone.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function(KEPT_PAGE % "/pending/")
    page.wait_for_function(KEPT_PAGE % (browser.page.url))

    # A draft: what was typed is back when the form is opened again.
    page.fill("[name=name]", "周春生")
    page.wait_for_timeout(700)  # the draft is kept 400 ms after the last key
    page.reload()
    expect(page.locator("[name=name]")).to_have_value("周春生")
    expect(page.locator(".outbox-notice")).to_contain_text("已恢复本手机上保存的草稿")

    page.context.set_offline(True)
    online_problems = len(browser.problems)
    page.fill("[name=id_number]", resident_id("19700202"))
    page.fill("[name=phone]", "13600001234")
    page.select_option("[name=credit_record]", "good")
    page.select_option("[name=main_income]", "farming")
    page.fill("[name=household_income]", "50000")
    page.fill("[name=household_expenses]", "20000")
    save(page)

    expect(page.locator(".outbox-notice")).to_contain_text("没有信号")
    expect(page.locator(".outbox-link [data-outbox-count]")).to_have_text("1")
    expect(page.locator("[name=name]")).to_have_value("")  # the form is free for the next one
    browser.shot("outbox-form-offline")
    assert not Customer.objects.filter(name="周春生").exists()

    # Still without signal: the outbox page, kept by the worker, lists the survey.
    page.click(".outbox-link")
    expect(page.locator("main h1")).to_have_text("待发送")
    item = page.locator(".outbox-item")
    expect(item).to_have_count(1)
    expect(item.locator(".outbox-state")).to_have_text("等待发送")
    expect(item).to_contain_text("客户建档")
    expect(item).to_contain_text("周春生")
    browser.shot("outbox-pending-offline")
    assert not Customer.objects.filter(name="周春生").exists()
    # The worker is offline too (Playwright's offline mode reaches it): a page never
    # opened on this phone gets the worker's "no signal" page, not the server's.
    page.goto("/customers/")
    expect(page.locator("main h1")).to_have_text("没有信号")
    page.goto("/pending/")
    expect(item.locator(".outbox-state")).to_have_text("等待发送")

    # Without signal the only failures are those of the page not kept (the worker's 503).
    offline = browser.problems[online_problems:]
    assert all("503" in p or "net::ERR_" in p for p in offline), offline
    del browser.problems[online_problems:]

    # The signal returns: it is sent by itself.
    page.context.set_offline(False)
    expect(item.locator(".outbox-state")).to_have_text("已发送", timeout=15_000)
    expect(page.locator(".outbox-link [data-outbox-count]")).to_be_hidden()
    customer = Customer.objects.get(name="周春生")
    assert customer.filed_by == people.manager_a
    expect(item.locator(f"a[href='{customer.get_absolute_url()}']")).to_have_text("查看")
    browser.shot("outbox-pending-sent")

    # Sent again with the same key (a retry after a lost answer): still one customer.
    answer = page.evaluate(
        "Outbox.items().then(items => Outbox.retry(items[0].key)).then(() => Outbox.items())"
    )
    assert [i["state"] for i in answer] == ["sent"]
    assert [i["url"] for i in answer] == [customer.get_absolute_url()]
    assert Customer.objects.filter(name="周春生").count() == 1
    assert Submission.objects.filter(user=people.manager_a).count() == 1

    # The logout clears the pages kept on this phone.
    page.click("form.logout button[type=submit]")
    expect(page.locator("[name=username]")).to_be_visible()
    assert not page.evaluate(KEPT_PAGE % form_url)
    assert browser.problems == []


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_an_edit_sent_offline_over_a_change_made_meanwhile_comes_back_as_a_conflict(
    browser, people
):
    page = browser.page
    customer = people.customer_a
    edit_url = f"/customers/{customer.pk}/edit/"
    log_in(browser, people.manager_a)
    page.goto(edit_url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.fill("[name=household_income]", "88000")
    save(page)
    expect(page.locator(".outbox-link [data-outbox-count]")).to_have_text("1")
    # Meanwhile the branch changes the same record.
    Customer.objects.filter(pk=customer.pk).update(phone="13900001111")

    page.context.set_offline(False)
    page.goto("/pending/")
    item = page.locator(".outbox-item")
    expect(item.locator(".outbox-state")).to_have_text("有冲突", timeout=15_000)
    expect(item).to_contain_text("此记录已被他人修改")
    browser.shot("outbox-pending-conflict")
    customer.refresh_from_db()
    assert customer.household_income != 88000

    # Opened: the form shows what is stored now and what was entered, with the entry kept.
    item.locator("a.btn").click()
    expect(page.locator("#stale-edit")).to_contain_text("13900001111")
    expect(page.locator("[name=household_income]")).to_have_value("88000")
    browser.shot("outbox-conflict-form")
    page.fill("[name=phone]", "13900001111")  # the user takes the other change over
    save(page)
    expect(page.locator(".msg-success")).to_be_visible()
    customer.refresh_from_db()
    assert (customer.phone, customer.household_income) == ("13900001111", 88000)
    page.goto("/pending/")
    expect(item.locator(".outbox-state")).to_have_text("已发送")
    assert Submission.objects.filter(user=people.manager_a).count() == 1


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_a_visit_sent_through_the_outbox_shows_the_customer_page_again_with_it(browser, people):
    page = browser.page
    customer = people.customer_a
    log_in(browser, people.manager_a)
    page.goto(f"/customers/{customer.pk}/")
    form = page.locator("form.visit-form")
    if not form.is_visible():
        page.click("details.record-visit summary")
    form.locator("[name=learnt]").fill("家里新建了茶园")
    form.locator("button[type=submit]").click()

    expect(page.locator(".msg-success")).to_contain_text("的走访")
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/#visits$"))
    assert Visit.objects.filter(customer=customer, learnt="家里新建了茶园").count() == 1
    assert browser.problems == []
