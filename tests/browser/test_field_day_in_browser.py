"""An account manager logs a field day with two photos on a phone; head office confirms it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import FieldDay
from tests.assessment.fieldwork_builders import VILLAGE_LAT, VILLAGE_LON, at, photo_bytes
from tests.browser.menus import open_place
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def log_out(page):
    page.click("form.logout button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/"))


def images_loaded(page, selector):
    """How many of the matching <img> elements the browser could decode."""
    return page.eval_on_selector_all(
        selector, "imgs => imgs.filter(img => img.complete && img.naturalWidth > 0).length"
    )


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_a_manager_logs_a_field_day_with_two_photos_and_head_office_confirms_it(
    browser, people, media, tmp_path
):
    page = browser.page
    today = timezone.localdate()
    photos = []
    for seed in (1, 2):
        path = tmp_path / f"IMG_20261105_{seed:04d}.jpg"
        path.write_bytes(photo_bytes(seed, taken=at(today), gps=(VILLAGE_LAT, VILLAGE_LON)))
        photos.append(path)

    log_in(browser, people.manager_a)
    open_place(page, "/assessment/field-days/")
    expect(page).to_have_url(re.compile(r"/assessment/field-days/$"))
    page.click("main a[href='/assessment/field-days/new/']")

    form = page.locator("#field-day-form")
    expect(form.locator("[name=date]")).to_have_value(today.isoformat())
    # Only the manager's own village is offered.
    expect(form.locator("[name=villages]")).to_have_count(1)
    camera = form.locator("input[type=file][name=photos]").first
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")
    expect(camera).to_have_attribute("multiple", "")
    form.locator("[name=villages]").check()
    form.locator("[name=partner]").select_option(str(people.manager_a2.pk))
    form.locator("[name=households_visited]").fill("8")
    form.locator("[name=diary]").fill("走访A村一组8户，发放便民服务卡，预约贷款2户。")
    camera.set_input_files(photos)
    expect(page.locator("#photo-count")).to_contain_text("2")
    expect(page.locator("#add-photo")).to_be_visible()
    browser.shot("field-day-form")
    form.locator(".form-actions button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/assessment/field-days/\d+/$"))
    expect(page.locator(".msg-success")).to_be_visible()
    field_day = FieldDay.objects.get(person=people.manager_a)
    assert field_day.date == today
    assert field_day.photos.count() == 2
    assert field_day.households_visited == 8
    expect(page.locator("main")).to_contain_text("预约贷款2户")
    thumbnails = f"#field-day-{field_day.pk} img"
    expect(page.locator(thumbnails)).to_have_count(2)
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)",
        arg=thumbnails,
    )
    assert images_loaded(page, thumbnails) == 2
    browser.shot("field-day-logged")

    page.click(f"a[href='/assessment/field-days/?month={today:%Y-%m}']")
    row = page.locator("#field-days tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(today.isoformat())
    expect(row.locator("td").nth(3)).to_contain_text("2")
    browser.shot("my-field-days")

    # Head office: the review page shows the day with its photos; confirm it.
    log_out(page)
    log_in(browser, people.head_office)
    open_place(page, "/assessment/review/")
    card = page.locator(f"#field-day-{field_day.pk}")
    expect(card).to_contain_text("预约贷款2户")
    expect(card.locator("img")).to_have_count(2)
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)",
        arg=f"#field-day-{field_day.pk} img",
    )
    browser.shot("field-day-review")
    card.locator("form.review-day input[name=note]").fill("照片与日志相符")
    card.locator("button[name=decision][value=confirmed]").click()

    expect(page.locator(".msg-success")).to_be_visible()
    field_day.refresh_from_db()
    assert field_day.status == FieldDay.Status.CONFIRMED
    assert field_day.reviewed_by == people.head_office
    assert field_day.review_note == "照片与日志相符"
    page.goto(f"/assessment/review/?month={today:%Y-%m}&show=confirmed")
    expect(page.locator(f"#field-day-{field_day.pk} .status-confirmed")).to_be_visible()
    browser.shot("field-day-confirmed")
    assert browser.problems == []
