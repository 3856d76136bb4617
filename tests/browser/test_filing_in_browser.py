"""An account manager files and edits customers in real Chromium, at phone and desktop width."""

import re
import time

import pytest
from playwright.sync_api import expect

from archives.models import Customer, CustomerType
from tests.builders import PASSWORD, resident_id, totp_code, totp_device, wrong_check_digit

pytestmark = pytest.mark.browser


def log_in(browser, user):
    """Through the login page, as a person would; lands on the home page."""
    page = browser.page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    browser.assert_styled()
    expect(page.locator("label[for=id_username]")).to_contain_text("用户名")
    expect(page.locator("label[for=id_password]")).to_contain_text("密码")
    expect(page.locator("main button[type=submit]")).to_have_text("登录")
    browser.shot("login")
    device = totp_device(user) if user.is_head_office else None
    page.fill("[name=username]", user.username)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    if device:
        # Head office: the second step asks for the authenticator's current code.
        expect(page).to_have_url(re.compile(r"/account/otp/verify/\?next=%2F$"))
        expect(page.locator("label[for=id_token]")).to_contain_text("动态验证码")
        expect(page.locator(".mainnav")).to_have_count(0)
        browser.shot("otp-verify")
        page.fill("[name=token]", fresh_totp_code(device))
        page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))


def fresh_totp_code(device) -> str:
    """The current code, once the device has not used this 30-second step yet (no replay)."""
    device.refresh_from_db()
    while int(time.time()) // 30 <= device.last_t:
        time.sleep(0.5)
    return totp_code(device.key)


def start_filing(page, village, customer_type):
    """From the village page: 客户建档, then pick the type; returns the type's button text."""
    page.click(f"a[href='/villages/{village.pk}/customers/new/']")
    choice = page.locator(f"a[href='?type={customer_type}']")
    label = choice.inner_text()
    choice.click()
    expect(page.locator("form.survey")).to_be_visible()
    return label


def save(page):
    page.click("form.survey .form-actions button[type=submit]")


def test_manager_files_a_household_and_a_business_then_edits_a_mobile(browser, people):
    page = browser.page
    village = people.village_a
    log_in(browser, people.manager_a)

    # Home (今日): the manager's own villages among what to do today.
    expect(page.locator("main h1")).to_contain_text("今日")
    expect(page.locator("#today-villages a.title")).to_have_text([village.name])
    browser.shot("home")

    page.click(f"#today-villages a[href='/villages/{village.pk}/']")
    expect(page.locator("main h1")).to_have_text(village.name)
    expect(page.locator(f"a[href='/villages/{village.pk}/customers/new/']")).to_have_text(
        "客户建档"
    )
    browser.shot("village")

    # A household with two family members, one working away.
    label = start_filing(page, village, CustomerType.HOUSEHOLD)
    assert "一般农户" in label
    page.fill("[name=name]", "赵大海")
    page.fill("[name=id_number]", resident_id("19750315"))
    page.fill("[name=phone]", "138 1234 5678")
    page.select_option("[name=group]", label="一组")
    page.fill("[name=address]", "红安县城关镇A村一组12号")
    page.select_option("[name=credit_record]", "good")
    page.select_option("[name=main_income]", "farming")
    page.fill("[name=household_income]", "60000")
    page.fill("[name=household_expenses]", "30000")
    expect(page.locator("#add-member")).to_have_text("添加家庭成员")
    page.click("#add-member")
    page.click("#add-member")
    expect(page.locator("#members .member-rows .member-row")).to_have_count(2)
    page.fill("[name=members-0-name]", "钱小红")
    page.select_option("[name=members-0-relation]", "spouse")
    page.fill("[name=members-0-id_number]", resident_id("19780601"))
    page.fill("[name=members-1-name]", "赵小海")
    page.select_option("[name=members-1-relation]", "child")
    page.fill("[name=members-1-id_number]", resident_id("20010910"))
    page.check("[name=members-1-works_away]")
    page.fill("[name=members-1-away_location]", "浙江义乌")
    browser.shot("household-form")
    save(page)
    # 王大山 of the same village has this mobile: a warning first, then a deliberate save.
    expect(page.locator("#possible-duplicates")).to_contain_text("王大山")
    page.check("#id_not_a_duplicate")
    save(page)

    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator(".msg-success")).to_contain_text("赵大海")
    expect(page.locator("main h1")).to_contain_text("一般农户")
    expect(page.locator("table.list").first).to_contain_text("钱小红")
    expect(page.get_by_text("浙江义乌")).to_be_visible()
    household = Customer.objects.get(name="赵大海")
    assert household.phone == "13812345678"
    assert household.filed_by == people.manager_a
    members = {m.name: m for m in household.members.all()}
    assert set(members) == {"钱小红", "赵小海"}
    assert members["赵小海"].works_away
    assert members["赵小海"].away_location == "浙江义乌"
    assert members["钱小红"].birth_date.isoformat() == "1978-06-01"

    # An individual business, from the village page again.
    page.click(f".page-head a[href='/villages/{village.pk}/']")
    label = start_filing(page, village, CustomerType.INDIVIDUAL_BUSINESS)
    assert label == "个体工商户"
    page.fill("[name=name]", "孙记农资店")
    page.fill("[name=id_number]", resident_id("19820720"))
    page.fill("[name=phone]", "13700003333")
    page.fill("[name=business_items]", "化肥、种子、农药零售")
    page.fill("[name=business_address]", "A村村委会旁")
    page.fill("[name=operating_income]", "240000")
    save(page)
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator("main h1")).to_contain_text("个体工商户")
    business = Customer.objects.get(name="孙记农资店")
    assert business.customer_type == CustomerType.INDIVIDUAL_BUSINESS
    assert business.operating_income == 240000

    # Edit the household's mobile: the change history shows it, masked.
    page.goto(household.get_absolute_url())
    page.click(f"a[href='/customers/{household.pk}/edit/']")
    expect(page.locator("[name=members-0-name]")).to_have_value(re.compile("钱小红|赵小海"))
    page.fill("[name=phone]", "13900002222")
    save(page)
    expect(page).to_have_url(re.compile(rf"/customers/{household.pk}/$"))
    history = page.locator("#history")
    expect(history.locator("h2")).to_have_text("修改记录")
    change = history.locator("tr", has=page.locator("td.new", has_text="139****2222"))
    expect(change.locator("td.old")).to_have_text("138****5678")
    expect(change).to_contain_text("manager_a")
    page.locator("#history").scroll_into_view_if_needed()
    browser.shot("customer-history")
    household.refresh_from_db()
    assert household.phone == "13900002222"
    assert browser.problems == []


def test_wrong_check_digit_is_shown_next_to_the_id_field_and_nothing_is_saved(browser, people):
    page = browser.page
    village = people.village_a
    before = Customer.objects.count()
    bad_number = wrong_check_digit(resident_id("19880101"))
    log_in(browser, people.manager_a)
    page.click(f"#today-villages a[href='/villages/{village.pk}/']")
    start_filing(page, village, CustomerType.HOUSEHOLD)
    page.fill("[name=name]", "周错号")
    page.fill("[name=id_number]", bad_number)
    page.fill("[name=phone]", "13812340000")
    save(page)

    expect(page).to_have_url(re.compile(rf"/villages/{village.pk}/customers/new/"))
    expect(page.locator(".msg-error")).to_contain_text("未保存")
    field = page.locator(".field[data-field=id_number]")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".error")).to_contain_text("校验位")
    expect(field.locator("input")).to_have_value(bad_number)
    # "Next to the field": the message sits right under the input, not at the top of the page.
    box_input = field.locator("input").bounding_box()
    box_error = field.locator(".error").bounding_box()
    assert 0 <= box_error["y"] - (box_input["y"] + box_input["height"]) < 40
    field.scroll_into_view_if_needed()
    browser.shot("id-check-digit-error")
    assert Customer.objects.count() == before
    assert not Customer.objects.filter(name="周错号").exists()
    assert browser.problems == []
