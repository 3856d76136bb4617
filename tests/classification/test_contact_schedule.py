"""The contact plan made for next month too, why a message does not go out, and
classification's scheduled work (the weekly run, planning, sending, the figures)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import Customer
from classification.models import BranchFigures, Message, ProductNews, Week
from jobs import schedule, scheduler
from jobs.models import ScheduledRun
from tests.classification.test_contact import confirm
from tests.conftest import login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

D = datetime.date


def first_of_next_month(today):
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# --- This month or next --------------------------------------------------------------------


def test_head_office_plans_next_month_ahead_of_time(world):
    today = timezone.localdate()
    following = first_of_next_month(today)
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    ProductNews.objects.create(month=following, text="下月新产品")
    client = login(world.head_office)

    page = client.get(reverse("classification:outbox")).text
    assert f"计划本月（{today:%Y-%m}）" in page
    assert f"计划下月（{following:%Y-%m}）" in page

    response = client.post(
        reverse("classification:plan_month"), {"month": f"{following:%Y-%m}"}, follow=True
    )

    assert response.status_code == 200
    message = Message.objects.get(kind="product_news")
    assert (message.plan_month, message.status, message.text) == (following, "queued", "下月新产品")
    assert message.scheduled_for == following


@pytest.mark.parametrize("months_ahead", [-1, 2])
def test_a_month_other_than_this_or_next_is_refused_with_a_reason(world, months_ahead):
    today = timezone.localdate()
    month = today.replace(day=1)
    for _step in range(abs(months_ahead)):
        if months_ahead > 0:
            month = first_of_next_month(month)
        else:
            month = (month - datetime.timedelta(days=1)).replace(day=1)
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))

    response = login(world.head_office).post(
        reverse("classification:plan_month"), {"month": f"{month:%Y-%m}"}, follow=True
    )

    assert response.status_code == 200
    assert "只能计划本月" in response.text
    assert not Message.objects.exists()


# --- Why a message does not go out -------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "reason", "shown"),
    [("", "no_mobile", "未登记手机号码"), ("07131234567", "bad_mobile", "不是有效的手机号码")],
)
def test_a_message_without_a_usable_mobile_says_which(world, phone, reason, shown):
    Customer.objects.filter(pk=world.customer_a.pk).update(phone=phone)
    today = timezone.localdate()
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    ProductNews.objects.create(month=today.replace(day=1), text="新产品")
    client = login(world.head_office)
    client.post(reverse("classification:plan_month"), {"month": f"{today:%Y-%m}"})

    message = Message.objects.get()
    assert (message.status, message.skip_reason) == ("skipped", reason)
    assert shown in client.get(reverse("classification:outbox")).text


@pytest.mark.parametrize(
    ("sender", "extra", "shown"),
    [
        ("classification.senders.OutboxSender", {}, "未配置短信网关"),
        (
            "classification.senders.HttpGatewaySender",
            {"SMS_GATEWAY_URL": "https://sms.example.org", "SMS_GATEWAY_KEY": ""},
            "SMS_GATEWAY_KEY",
        ),
        ("classification.senders.NoSuchSender", {}, "短信发送方式设置有误"),
    ],
)
def test_a_due_message_the_sender_cannot_send_says_why(world, settings, sender, extra, shown):
    settings.SMS_SENDER = sender
    for name, value in extra.items():
        setattr(settings, name, value)
    today = timezone.localdate()
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    ProductNews.objects.create(month=today.replace(day=1), text="新产品")
    client = login(world.head_office)
    client.post(reverse("classification:plan_month"), {"month": f"{today:%Y-%m}"})

    sent = client.post(reverse("classification:send_due"), follow=True).text
    page = client.get(reverse("classification:outbox")).text
    manager_page = login(world.manager_a).get(reverse("classification:outbox")).text

    assert Message.objects.get().status == "queued"
    assert shown in sent
    assert 'id="not-sending"' in page
    assert shown in page
    assert "已到发送日，未发出" in manager_page


def test_with_a_working_gateway_no_reason_is_shown(world, settings):
    settings.SMS_SENDER = "classification.senders.HttpGatewaySender"
    settings.SMS_GATEWAY_URL = "https://sms.example.org"
    settings.SMS_GATEWAY_KEY = "k"
    page = login(world.head_office).get(reverse("classification:outbox")).text
    assert 'id="not-sending"' not in page


# --- Scheduled work ------------------------------------------------------------------------


def run(key, now):
    """Run one entry of the project through a tick, as the worker would."""
    scheduler.ensure_rows(now=now)
    ScheduledRun.objects.update(next_due=now + datetime.timedelta(days=9))
    ScheduledRun.objects.filter(key=key).update(next_due=now)
    (ran,) = scheduler.tick(now=now)
    return ran


def test_the_weekly_run_classifies_every_branch_on_monday_morning(world):
    monday = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=SHANGHAI)
    assert schedule.following(schedule.get("classify_week"), monday) == monday + datetime.timedelta(
        days=7
    )
    Week.objects.create(
        branch=world.branch2, week_start=D(2026, 11, 30), run_at=monday, status="confirmed"
    )

    ran = run("classify_week", monday)

    assert ran.outcome == "done"
    assert "1" in ran.message
    week = Week.objects.get(branch=world.branch1, week_start=D(2026, 11, 30))
    assert (
        week.rows.count()
        == Customer.objects.filter(village__township__branch=world.branch1).count()
    )
    assert ScheduledRun.objects.get(key="classify_week").next_due == monday + datetime.timedelta(
        days=7
    )


def test_planning_and_sending_run_on_schedule(world, settings):
    settings.SMS_SENDER = "classification.senders.OutboxSender"
    now = timezone.now()
    today = timezone.localdate(now)
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    ProductNews.objects.create(month=today.replace(day=1), text="新产品")

    planned = run("plan_messages", now)
    kept = run("send_messages", now)

    assert planned.outcome == "done"
    assert Message.objects.filter(status="queued").count() == 1
    assert kept.outcome == "done"
    assert "未配置短信网关" in kept.message


def test_a_misconfigured_gateway_is_a_recorded_failure_of_the_send_run(world, settings):
    settings.SMS_SENDER = "classification.senders.HttpGatewaySender"
    settings.SMS_GATEWAY_URL = "ftp://sms"
    settings.SMS_GATEWAY_KEY = "k"
    ran = run("send_messages", timezone.now())
    assert ran.outcome == "failed"
    assert "短信发送方式设置有误" in ran.message
    assert "SMS_GATEWAY_URL" in ran.message
    assert ScheduledRun.objects.get(key="send_messages").last_outcome == "failed"


def test_the_figures_of_every_branch_are_kept_after_midnight(world):
    now = timezone.now()
    assert not BranchFigures.objects.exists()

    ran = run("branch_figures", now)

    assert ran.outcome == "done"
    assert set(BranchFigures.objects.values_list("branch_id", "day")) == {
        (world.branch1.pk, timezone.localdate(now)),
        (world.branch2.pk, timezone.localdate(now)),
    }
    assert "2" in ran.message
    again = run("branch_figures", now)
    assert "0" in again.message  # nothing changed: nothing computed again
