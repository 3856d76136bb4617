"""Head office's schedule page in a real browser at desktop width: each entry's last run,
outcome, next run and failures, and "run now"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jobs import scheduler
from jobs.models import ScheduledFailure, ScheduledRun
from tests.browser.menus import open_place
from tests.browser.test_filing_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser", ["desktop"], indirect=True)
def test_head_office_reads_the_schedule_and_runs_an_entry_now(browser, people, settings):
    settings.SMS_SENDER = "classification.senders.OutboxSender"
    now = timezone.now()
    scheduler.ensure_rows(now=now)
    for key in ("reap_jobs", "plan_messages", "branch_figures", "send_messages"):
        ScheduledRun.objects.filter(key=key).update(next_due=now)
    ScheduledRun.objects.filter(key="send_messages").update(
        next_due=now - datetime.timedelta(hours=1)
    )
    ScheduledFailure.objects.create(
        key="send_messages",
        started_at=now - datetime.timedelta(days=1, minutes=1),
        finished_at=now - datetime.timedelta(days=1),
        message="短信发送方式设置有误：SMS_GATEWAY_KEY must be set to use the SMS gateway.",
    )
    scheduler.tick(now=now)

    page = browser.page
    log_in(browser, people.head_office)
    open_place(page, "/jobs/schedule/")
    expect(page).to_have_url(reverse("jobs:schedule"))
    expect(page.locator("h1")).to_have_text("定时任务")
    expect(page.locator("table.schedule tbody tr")).to_have_count(6)
    expect(page.locator("#schedule-send_messages .outcome")).to_contain_text("未配置短信网关")
    expect(page.locator("#schedule-send_messages")).to_contain_text("SMS_GATEWAY_KEY")
    expect(page.locator("#schedule-classify_week")).to_contain_text("每星期一 06:00")
    expect(page.locator("#schedule-classify_week .outcome")).to_contain_text("尚未运行")

    page.click("#schedule-classify_week button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("每周分类")
    expect(page.locator("#schedule-classify_week")).to_contain_text("由 head_office 申请")
    browser.shot("schedule")
    assert not browser.problems, browser.problems
