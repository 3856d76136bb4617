"""Head office closes a month in real Chromium, follows the job, and downloads the bank's spreadsheet."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessment.models import Month, StatementSnapshot
from jobs.models import Job
from tests.assessment.statement_builders import OCTOBER, the_issue_scenario
from tests.browser.menus import open_place
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_head_office_closes_the_month_and_downloads_the_spreadsheet(
    browser, people, media, tmp_path
):
    person, _lines = the_issue_scenario(people)
    assert Month.objects.filter(month=OCTOBER).exists()  # written into: October has its row
    page = browser.page
    log_in(browser, people.head_office)

    open_place(page, "/assessment/months/")
    page.click("#months tr[data-month='2026-10'] a[href='/assessment/months/2026/10/']")
    expect(page).to_have_url(re.compile(r"/assessment/months/2026/10/$"))
    row = page.locator(f"tr[data-person='{person.username}']")
    expect(row.locator("td.payout")).to_have_text("3,906.00")
    browser.shot("month-open")

    row.locator(f"a[href='/assessment/months/2026/10/people/{person.pk}/']").click()
    expect(page.locator("dd[data-total=payout]")).to_have_text("3,906.00")
    expect(page.locator("#statement-lines tbody tr")).to_have_count(9)
    browser.shot("statement")
    page.go_back()

    page.click("#close-month")
    expect(page.locator("#close-summary [data-total=month]")).to_have_text("2026-10")
    browser.shot("month-close-confirmation")
    page.click("#confirm-close button[type=submit]")
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-status")).not_to_have_attribute("data-running", "true")
    browser.shot("month-closing")
    assert Month.objects.get(month=OCTOBER).is_closed
    assert StatementSnapshot.objects.filter(month=OCTOBER).count() == 7

    page.click("#job-status a[href='/assessment/months/2026/10/']")
    expect(page.locator("#close-month")).to_have_count(0)
    expect(page.locator(f"tr[data-person='{person.username}'] td.payout")).to_have_text("3,906.00")
    browser.shot("month-closed")

    page.click("#export-xlsx")
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved)
    summary = list(book["城关支行"].iter_rows(values_only=True))
    header = summary[0]
    mine = dict(zip(header, next(r for r in summary if r[1] == "王小红"), strict=True))
    assert Decimal(str(mine["应发合计"])) == Decimal("3906")
    assert mine["确认下乡天数"] == 14
    assert browser.problems == []


@pytest.mark.parametrize("browser", ["desktop"], indirect=True)
def test_a_running_export_shows_its_progress_without_reloading(browser, people):
    job = Job.objects.create(
        kind="statements_pdf",
        subject=f"{OCTOBER:%Y-%m}",
        params={"month": OCTOBER.isoformat()},
        status=Job.Status.RUNNING,
        total=200,
        done=20,
        created_by=people.head_office,
        created_at=timezone.now(),
    )
    page = browser.page
    log_in(browser, people.head_office)
    page.goto(job.get_absolute_url())
    bar = page.locator("#job-status progress")
    expect(bar).to_have_attribute("value", "10")
    page.evaluate("window.__notReloaded = true")
    Job.objects.filter(pk=job.pk).update(done=150)
    expect(bar).to_have_attribute("value", "75")
    Job.objects.filter(pk=job.pk).update(done=200, status=Job.Status.FAILED, message="字体缺失")
    expect(page.locator("#job-status [role=alert]")).to_have_text("字体缺失")
    expect(page.locator("#job-status")).not_to_have_attribute("data-running", "true")
    assert page.evaluate("window.__notReloaded") is True
    assert browser.problems == []
