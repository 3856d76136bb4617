"""Head office imports a file in real Chromium: dry run, confirm, and a running job's page updating itself."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives.models import Customer
from jobs.models import Job
from tests.archives.test_import import row, xlsx
from tests.browser.menus import open_place
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_dry_run_then_confirm_imports_the_file(browser, people, media, tmp_path):
    page = browser.page
    log_in(browser, people.head_office)
    open_place(page, "/imports/")
    expect(page.locator("input[name=dry_run]")).to_be_checked()
    browser.shot("import-upload")
    upload = tmp_path / "档案.xlsx"
    upload.write_bytes(xlsx([row(people.village_a)]))
    page.set_input_files("input[name=file]", str(upload))
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status progress")).to_have_attribute("value", "100")
    browser.shot("import-dry-run")
    assert not Customer.objects.filter(name="赵大海").exists()
    page.click("#job-status form button[type=submit]")
    expect(page.locator("#job-status form")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    assert Customer.objects.get(name="赵大海").filed_by == people.head_office
    assert not browser.problems, browser.problems


def test_a_running_jobs_page_follows_its_progress_without_reloading(browser, people):
    job = Job.objects.create(
        input_file="imports/x.xlsx",
        subject="x.xlsx",
        kind="archive_import",
        created_by=people.head_office,
        status=Job.Status.RUNNING,
        total=1000,
        done=100,
    )
    page = browser.page
    log_in(browser, people.head_office)
    page.goto(job.get_absolute_url())
    bar = page.locator("#job-status progress")
    expect(bar).to_have_attribute("value", "10")
    page.evaluate("window.__notReloaded = true")

    Job.objects.filter(pk=job.pk).update(done=600)
    expect(bar).to_have_attribute("value", "60")
    Job.objects.filter(pk=job.pk).update(
        done=1000,
        status=Job.Status.DONE,
        result={"created": 998, "updated": 0, "unchanged": 0},
        error_count=2,
        problem_count=2,
        errors=[
            {"sheet": "客户", "row": 12, "column": "身份证号", "message": "校验位错误"},
            {"sheet": "客户", "row": 40, "column": "手机号", "message": "手机号应为 11 位数字"},
        ],
        finished_at=timezone.now(),
    )
    expect(page.locator("#import-errors tbody tr")).to_have_count(2)
    expect(page.locator("#job-status")).not_to_have_attribute("data-running", "true")
    assert page.evaluate("window.__notReloaded") is True
    browser.shot("import-job-errors")
    assert not browser.problems, browser.problems
