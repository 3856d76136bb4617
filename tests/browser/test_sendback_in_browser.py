"""Send back in the browser (DOMAIN.md §7): the branch head returns a field day with a comment,
the manager corrects and resubmits it, head office confirms it; the history shows every state.
The same for a survey, returned and resubmitted from the customer page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from archives.models import Customer
from assessment.models import FieldDay
from tests.assessment.fieldwork_builders import (
    VILLAGE_LAT,
    VILLAGE_LON,
    at,
    good_photo,
    make_field_day,
    photo_bytes,
)
from tests.browser.test_field_day_in_browser import log_out
from tests.browser.test_filing_in_browser import log_in
from tests.builders import make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_field_day_is_returned_corrected_resubmitted_and_confirmed(
    browser, people, media, tmp_path
):
    page = browser.page
    today = timezone.localdate()
    day = today - datetime.timedelta(days=1) if today.day > 1 else today
    field_day = make_field_day(
        people.manager_a,
        [people.village_a],
        day,
        [good_photo(day, 3)],
        partner=people.manager_a2,
        diary="走访A村。",
    )

    # The branch head returns the day from their review list, with a comment.
    log_in(browser, people.branch_head)
    page.goto(f"/assessment/review/?month={day:%Y-%m}")
    card = page.locator(f"#field-day-{field_day.pk}")
    expect(card).to_contain_text("同行人尚未确认")
    expect(card.locator("button[name=decision]")).to_have_count(0)  # head office decides
    card.locator("form.return-day input[name=note]").fill("请补充走访农户名单和户数")
    browser.shot("sendback-field-day-to-return")
    card.locator("form.return-day button[type=submit]").click()
    expect(page.locator(".msg-success")).to_contain_text("已退回补充")
    log_out(page)

    # The manager sees it returned, with the comment, corrects it and resubmits it.
    log_in(browser, people.manager_a)
    page.goto("/assessment/field-days/")
    returned = page.locator("#returned-to-me")
    expect(returned).to_contain_text("请补充走访农户名单和户数")
    browser.shot("sendback-returned-to-me")
    returned.locator("a.btn").first.click()
    expect(page).to_have_url(re.compile(r"/correct/$"))
    form = page.locator("#field-day-form")
    form.locator("[name=diary]").fill("走访A村一组8户：张三、李四等，名单附后。")
    form.locator("[name=households_visited]").fill("8")
    extra = tmp_path / "IMG_0009.jpg"
    extra.write_bytes(photo_bytes(9, taken=at(day), gps=(VILLAGE_LAT, VILLAGE_LON)))
    form.locator("input[type=file][name=photos]").first.set_input_files([extra])
    browser.shot("sendback-correct")
    form.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".msg-success")).to_contain_text("已重新提交")
    field_day.refresh_from_db()
    assert field_day.status == FieldDay.Status.SUBMITTED
    assert field_day.photos.count() == 2
    log_out(page)

    # Head office confirms it; the day's history shows every state.
    log_in(browser, people.head_office)
    page.goto(field_day.get_absolute_url())
    page.locator("form.review-day button[value=confirmed]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    history = page.locator("#day-history li")
    expect(history).to_have_count(4)
    for n, state in enumerate(["已提交", "退回补充", "已重新提交", "已确认"]):
        expect(history.nth(n)).to_contain_text(state)
    expect(history.nth(1)).to_contain_text("请补充走访农户名单和户数")
    browser.shot("sendback-field-day-history")
    field_day.refresh_from_db()
    assert field_day.status == FieldDay.Status.CONFIRMED
    log_out(page)

    # The partner confirms being on the day.
    log_in(browser, people.manager_a2)
    page.goto("/assessment/field-days/")
    naming = page.locator("#naming-me")
    expect(naming).to_contain_text(day.isoformat())
    browser.shot("sendback-partner")
    naming.locator("button[value=confirmed]").click()
    expect(page.locator(".msg-success")).to_contain_text("同行人已确认")
    assert browser.problems == []


def test_a_survey_is_returned_resubmitted_and_confirmed(browser, people):
    page = browser.page
    customer = make_customer(people.village_a, name="赵田", filed_by=people.manager_a)

    log_in(browser, people.branch_head)
    page.goto(reverse("archives:survey_reviews"))
    expect(page.locator("#surveys-to-review")).to_contain_text("赵田")
    browser.shot("sendback-surveys-to-review")
    page.locator("#surveys-to-review a", has_text="赵田").click()
    box = page.locator("#survey-review")
    box.locator("input[name=note]").fill("请补充家庭成员及外出务工情况")
    box.locator("button[value=returned]").click()
    expect(page.locator("#survey-status")).to_contain_text("退回补充")
    log_out(page)

    log_in(browser, people.manager_a)
    page.goto(reverse("archives:returned_surveys"))
    expect(page.locator("#returned-surveys")).to_contain_text("请补充家庭成员及外出务工情况")
    browser.shot("sendback-returned-surveys")
    page.goto(customer.get_absolute_url())
    browser.shot("sendback-survey-to-resubmit")
    page.locator("#resubmit-survey").click()
    expect(page.locator("#survey-status")).to_contain_text("待审核")
    log_out(page)

    log_in(browser, people.branch_head)
    page.goto(customer.get_absolute_url())
    page.locator("#survey-review button[value=confirmed]").click()
    expect(page.locator("#survey-status")).to_contain_text("已确认")
    history = page.locator("#survey-history li")
    expect(history).to_have_count(4)
    for n, state in enumerate(["已提交", "退回补充", "已重新提交", "已确认"]):
        expect(history.nth(n)).to_contain_text(state)
    browser.shot("sendback-survey-history")
    assert Customer.objects.get(pk=customer.pk).review.status == "confirmed"
    assert browser.problems == []
