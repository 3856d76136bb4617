"""Head office reviews a month at speed in real Chromium (390 and 1280 px): filters by a
finding's kind, rules two findings with one preset reason, then confirms every day left
without findings in one step."""

import pytest
from playwright.sync_api import expect

from assessment.models import FieldDay, Finding
from tests.assessment.statement_builders import NOVEMBER, make_days, make_finding
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_head_office_rules_findings_together_and_confirms_the_clean_days(browser, people, media):
    days = make_days(people.manager_a, people.village_a, 4, month=NOVEMBER)
    first = make_finding(days[0])
    second = make_finding(days[1])
    FieldDay.objects.update(status=FieldDay.Status.SUBMITTED)
    page = browser.page
    log_in(browser, people.head_office)
    page.goto("/assessment/review/?month=2026-11&show=findings")
    page.select_option("#review-filters select[name=kind]", "reused")
    page.click("#review-filters button[type=submit]")
    expect(page.locator("[id^=field-day-]")).to_have_count(2)
    for finding in (first, second):
        page.check(f"#finding-{finding.pk} input[name=finding]")
    bulk = page.locator("#bulk-rulings")
    bulk.locator("select[name=ruling]").select_option("dismissed")
    reason = "同一农户另一次走访时再次拍摄，不属弄虚作假"  # one of the preset reasons
    assert page.locator(f"#ruling-reasons option[value='{reason}']").count() == 1
    bulk.locator("input[name=note]").fill(reason)
    browser.shot("review-at-speed")
    bulk.locator("button[type=submit]").click()
    expect(page.locator(".msg-success")).to_contain_text("已认定 2 条疑点")
    assert set(Finding.objects.values_list("status", flat=True)) == {"dismissed"}

    page.click("#confirm-without-findings button")
    expect(page.locator(".msg-success")).to_contain_text("4")
    assert set(FieldDay.objects.values_list("status", flat=True)) == {"confirmed"}
    browser.shot("review-at-speed-done")
