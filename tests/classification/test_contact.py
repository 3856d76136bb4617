"""The contact plan: who gets which message, idempotent planning, sending and retrying, the outbox."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from archives.models import Role
from classification import contact, services
from classification.models import Classification, Message, ProductNews, Week
from classification.senders import HttpGatewaySender, OutboxSender
from tests.builders import make_customer, make_user, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db

D = datetime.date
WEEK = D(2026, 11, 23)  # the latest confirmed week in these tests
TODAY = D(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def confirm(
    *customers, tier="key_follow_up", band="branch_head", week_start=WEEK, status="confirmed"
):
    """A week of the customers' branch with these rows, as if the branch head had confirmed it."""
    branch = customers[0].village.township.branch
    week, _created = Week.objects.get_or_create(
        branch=branch, week_start=week_start, defaults={"run_at": NOW, "status": status}
    )
    for rank, customer in enumerate(customers, start=1):
        Classification.objects.create(
            week=week, customer=customer, rank=rank, rule_tier=tier, tier=tier, band=band
        )
    return week


def plan(year=2026, month=12, today=TODAY):
    return contact.plan_month(year=year, month=month, today=today)


def kinds_of(customer):
    return sorted(Message.objects.filter(customer=customer).values_list("kind", flat=True))


# --- Who gets messages -------------------------------------------------------------------


def test_only_key_customers_of_the_latest_confirmed_week_get_messages(world):
    confirm(world.customer_a)  # key
    confirm(world.customer_b, tier="periodic_revisit", band="account_manager")
    # customer_c was key in an older week of branch 2, but no longer is.
    confirm(world.customer_c, week_start=WEEK - datetime.timedelta(days=7))
    confirm(world.customer_c, tier="cultivation", band="account_manager")
    # A proposed (unconfirmed) week does not count either.
    confirm(world.customer_b, week_start=WEEK + datetime.timedelta(days=7), status="proposed")
    ProductNews.objects.create(month=D(2026, 12, 1), text="新产品：助农贷")
    result = plan()
    assert result.customers == 1
    assert kinds_of(world.customer_a) == ["product_news"]
    assert kinds_of(world.customer_b) == []
    assert kinds_of(world.customer_c) == []


def test_golden_customers_get_messages_whatever_their_tier(world):
    confirm(world.customer_a, tier="periodic_revisit", band="golden")
    ProductNews.objects.create(month=D(2026, 12, 1), text="新产品")
    assert plan().customers == 1
    assert kinds_of(world.customer_a) == ["product_news"]


def test_the_weekly_run_and_confirmation_make_the_key_customers(world):
    world.customer_a.deposit_balance = 500_000
    world.customer_a.save()
    week = services.run_week(branch=world.branch1, today=WEEK, now=NOW)
    ProductNews.objects.create(month=D(2026, 12, 1), text="新产品")
    assert plan().customers == 0  # not confirmed yet
    services.confirm_week(week=week, user=world.branch_head, today=WEEK, now=NOW)
    assert plan().customers == 1
    assert kinds_of(world.customer_a) == ["product_news"]


# --- What they get -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("deposit_maturity", "deposit_maturity"),
        ("loan_maturity", "loan_maturity"),
        ("interest_due_on", "interest_due"),
    ],
)
def test_a_date_falling_due_in_the_month_gets_a_reminder_three_days_ahead(world, field, kind):
    setattr(world.customer_a, field, D(2026, 12, 15))
    world.customer_a.save()
    confirm(world.customer_a)
    plan()
    message = Message.objects.get(customer=world.customer_a)
    assert message.kind == kind
    assert message.dedupe_key == f"{kind}:2026-12-15:{world.customer_a.pk}"
    assert message.occasion_on == D(2026, 12, 15)
    assert message.scheduled_for == D(2026, 12, 12)
    assert message.status == "queued"
    assert message.phone == "13812345678"
    assert world.customer_a.name in message.text
    assert "2026年12月15日" in message.text


def test_a_date_falling_due_in_another_month_gets_no_reminder(world):
    world.customer_a.loan_maturity = D(2027, 1, 15)
    world.customer_a.save()
    confirm(world.customer_a)
    plan()
    assert kinds_of(world.customer_a) == []


def test_holidays_and_birthdays_of_the_month_are_greeted(world):
    confirm(world.customer_a)  # born 1 January (the builders' default ID number)
    plan(year=2027, month=1, today=D(2026, 12, 20))
    keys = set(Message.objects.values_list("dedupe_key", flat=True))
    cid = world.customer_a.pk
    assert keys == {f"holiday:2027-new_years_day:{cid}", f"birthday:2027:{cid}"}
    greeting = Message.objects.get(kind="holiday_greeting")
    assert greeting.scheduled_for == D(2027, 1, 1)


def test_planning_on_new_years_day_2027_does_not_crash(world):
    confirm(world.customer_a)
    result = plan(year=2027, month=1, today=D(2027, 1, 1))
    assert result.queued == 2
    assert Message.objects.filter(status="queued", scheduled_for=D(2027, 1, 1)).count() == 2


def test_a_birthday_on_29_february_is_greeted_on_28_february_in_2027(world):
    customer = make_customer(world.village_a, name="闰二月", id_number=resident_id("19880229"))
    assert customer.birth_date == D(1988, 2, 29)
    confirm(customer)
    plan(year=2027, month=2, today=D(2027, 1, 25))
    birthday = Message.objects.get(customer=customer, kind="birthday_greeting")
    assert birthday.scheduled_for == D(2027, 2, 28)
    assert birthday.dedupe_key == f"birthday:2027:{customer.pk}"


def test_the_2027_spring_festival_is_greeted_on_the_lunar_new_year(world):
    confirm(world.customer_a)
    plan(year=2027, month=2, today=D(2027, 1, 25))
    greeting = Message.objects.get(kind="holiday_greeting")
    assert greeting.dedupe_key == f"holiday:2027-spring_festival:{world.customer_a.pk}"
    assert greeting.scheduled_for == D(2027, 2, 6)


def test_planning_twice_creates_nothing_new(world):
    world.customer_b.deposit_maturity = D(2027, 1, 20)
    world.customer_b.save()
    confirm(world.customer_a, world.customer_b)
    ProductNews.objects.create(month=D(2027, 1, 1), text="新产品")
    first = plan(year=2027, month=1, today=D(2026, 12, 20))
    count = Message.objects.count()
    second = plan(year=2027, month=1, today=D(2026, 12, 20))
    assert first.created == count == 2 + 2 + 2 + 1  # news, new year, birthday each; one maturity
    assert second.created == 0
    assert Message.objects.count() == count


def test_news_added_after_planning_is_planned_alone(world):
    confirm(world.customer_a)
    ProductNews.objects.create(month=D(2026, 12, 1), text="第一条")
    plan()
    ProductNews.objects.create(month=D(2026, 12, 1), text="第二条")
    assert plan().created == 1
    assert sorted(Message.objects.values_list("text", flat=True)) == ["第一条", "第二条"]


def test_the_same_occasion_is_never_stored_twice_for_a_customer(world):
    confirm(world.customer_a)
    plan(year=2027, month=1, today=D(2026, 12, 20))
    message = Message.objects.first()
    message.pk = None
    with pytest.raises(IntegrityError):
        message.save()


def test_a_customer_without_a_mobile_is_kept_as_skipped(world):
    world.customer_a.phone = ""
    world.customer_a.save()
    confirm(world.customer_a)
    result = plan(year=2027, month=1, today=D(2026, 12, 20))
    assert (result.queued, result.skipped) == (0, 2)
    assert set(Message.objects.values_list("status", "skip_reason", "phone")) == {
        ("skipped", "no_mobile", "")
    }


def test_a_greeting_whose_day_has_passed_is_not_sent_late(world):
    confirm(world.customer_a, week_start=D(2026, 10, 5))
    plan(year=2026, month=10, today=D(2026, 10, 10))
    greeting = Message.objects.get(kind="holiday_greeting")
    assert (greeting.status, greeting.skip_reason) == ("skipped", "passed")


@pytest.mark.parametrize(
    ("key", "wish"),
    [
        ("tomb_sweeping_day", "peaceful"),
        ("dragon_boat_festival", "peaceful"),
        ("national_day", "happy"),
    ],
)
def test_qingming_and_duanwu_are_wished_a_peaceful_festival_not_a_happy_one(key, wish):
    from classification.calendar import Holiday

    holiday = Holiday(key=key, year=2027, day=D(2027, 4, 5), official=False)
    recipient = contact.Recipient(customer_id=1, name="王大山", phone="13812345678")
    with translation.override("en"):  # the English msgids, whatever the catalogue says
        (draft,) = contact.drafts_for(
            recipient, start=D(2027, 4, 1), end=D(2027, 4, 30), holidays=[holiday], news=[]
        )
    assert f"a {wish} " in draft.text
    assert draft.dedupe_key == f"holiday:2027-{key}:1"


# --- Sending -----------------------------------------------------------------------------


@pytest.fixture
def gateway(settings, monkeypatch):
    """A fake SMS gateway on 127.0.0.1: answers with the statuses in `answers`, then 200."""
    received, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"json": json.loads(body.decode("utf-8")), "auth": self.headers["Authorization"]}
            )
            status = answers.pop(0) if answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"result": "ok"}' if status == 200 else b'{"error": "busy"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    url = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_SENDER = "classification.senders.HttpGatewaySender"
    settings.SMS_GATEWAY_URL = url
    settings.SMS_GATEWAY_KEY = "test-key"
    settings.SMS_GATEWAY_TEMPLATE_ID = "T-001"
    settings.SMS_MAX_ATTEMPTS = 3
    yield SimpleNamespace(url=url, received=received, answers=answers)
    server.shutdown()
    server.server_close()


@pytest.fixture
def queued(world):
    """One queued message to customer_a, due on 1 January 2027."""
    confirm(world.customer_a)
    world.customer_a.birth_date = None
    world.customer_a.save()
    plan(year=2027, month=1, today=D(2026, 12, 20))
    return Message.objects.get()


NEW_YEAR_2027 = D(2027, 1, 1)


def send(day=NEW_YEAR_2027, **kwargs):
    return contact.send_due(today=day, now=NOW, **kwargs)


def test_a_gateway_failure_leaves_the_message_queued_for_the_next_run(gateway, queued):
    gateway.answers.append(500)
    report = send()
    queued.refresh_from_db()
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    assert (queued.status, queued.attempts) == ("queued", 1)
    assert queued.last_error.startswith("HTTP 500")
    report = send()
    queued.refresh_from_db()
    assert report.sent == 1
    assert (queued.status, queued.attempts, queued.sent_at) == ("sent", 2, NOW)
    assert len(gateway.received) == 2
    request = gateway.received[-1]
    assert request["auth"] == "Bearer test-key"
    assert request["json"] == {
        "phone": "13812345678",
        "template_id": "T-001",
        "text": queued.text,
        "reference": f"hongan-message-{queued.pk}",
    }


def test_attempts_are_bounded_then_the_message_is_failed_and_kept(gateway, queued):
    gateway.answers.extend([500] * 10)
    for _run in range(5):
        send()
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 3)
    assert len(gateway.received) == 3
    assert Message.objects.count() == 1


def test_a_refusal_for_good_is_not_retried(gateway, queued):
    gateway.answers.append(400)
    assert send().failed == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 1)


def test_an_unreachable_gateway_is_retried(queued, settings):
    with socket_closed_port() as port:
        sender = HttpGatewaySender(url=f"http://127.0.0.1:{port}/sms", key="k", timeout=2)
        assert send(sender=sender).retrying == 1
    queued.refresh_from_db()
    assert queued.status == "queued"
    assert queued.last_error


def socket_closed_port():
    """A port nothing listens on: bind one, note it, close it."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        yield port

    return closed()


def test_a_message_is_not_sent_before_its_day(gateway, queued):
    assert send(day=D(2026, 12, 31)).sent == 0
    assert gateway.received == []


def test_the_outbox_sender_keeps_every_message_queued(queued, settings):
    settings.SMS_SENDER = "classification.senders.OutboxSender"
    report = send()
    queued.refresh_from_db()
    assert report.kept == 1
    assert (queued.status, queued.attempts) == ("queued", 0)


def test_the_gateway_sender_refuses_a_missing_or_odd_address():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        HttpGatewaySender(url="file:///etc/passwd", key="k")
    with pytest.raises(ImproperlyConfigured):
        HttpGatewaySender(url="https://sms.example.org", key="")
    assert OutboxSender.delivers is False


def test_the_commands_plan_and_send(world, gateway):
    # The commands read the clock: plan and send the current month.
    today = timezone.localdate()
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    ProductNews.objects.create(month=today.replace(day=1), text="新产品")
    call_command("plan_messages")
    call_command("plan_messages", "--month", f"{today:%Y-%m}")
    news = Message.objects.get(kind="product_news")
    call_command("send_messages")
    news.refresh_from_db()
    assert news.status == "sent"
    with pytest.raises(CommandError):
        call_command("plan_messages", "--month", "12/2026")


# --- The outbox --------------------------------------------------------------------------


def messages_for(customer, n, **fields):
    Message.objects.bulk_create(
        Message(
            customer=customer,
            kind="product_news",
            dedupe_key=f"product_news:{i}:{customer.pk}",
            plan_month=D(2026, 12, 1),
            occasion_on=D(2026, 12, 1),
            scheduled_for=D(2026, 12, 1),
            phone="13812345678",
            text=f"消息{i}",
            **fields,
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("manager_a", ["王大山"], ["刘小河", "陈七里"]),
        ("manager_b", ["刘小河"], ["王大山", "陈七里"]),
        ("branch_head", ["王大山", "刘小河"], ["陈七里"]),
        ("branch_head_2", ["陈七里"], ["王大山", "刘小河"]),
        ("leader", ["王大山", "刘小河"], ["陈七里"]),
        ("head_office", ["王大山", "刘小河", "陈七里"], []),
    ],
)
def test_the_outbox_shows_only_messages_in_scope(world, role, sees, does_not_see):
    for customer in (world.customer_a, world.customer_b, world.customer_c):
        messages_for(customer, 1)
    text = login(getattr(world, role)).get(reverse("classification:outbox")).text
    table = text.split("<tbody>")[1]
    for name in sees:
        assert name in table
    for name in does_not_see:
        assert name not in table


def test_the_outbox_masks_mobiles(world):
    messages_for(world.customer_a, 1)
    text = login(world.manager_a).get(reverse("classification:outbox")).text
    assert "138****5678" in text
    assert "13812345678" not in text


def test_the_outbox_filters_by_status_kind_and_month(world):
    messages_for(world.customer_a, 2)
    Message.objects.filter(dedupe_key__startswith="product_news:0:").update(
        status="sent", sent_at=NOW
    )
    client = login(world.head_office)
    url = reverse("classification:outbox")
    assert client.get(url, {"status": "sent"}).context["page"].paginator.count == 1
    assert client.get(url, {"kind": "birthday_greeting"}).context["page"].paginator.count == 0
    assert client.get(url, {"month": "2026-12"}).context["page"].paginator.count == 2
    assert client.get(url, {"month": "2027-01"}).context["page"].paginator.count == 0
    response = client.get(url, {"month": "next month"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize("role", ["head_office", "manager_a"])
def test_the_outbox_runs_the_same_queries_for_few_or_many_messages(world, role):
    client = login(getattr(world, role))
    url = reverse("classification:outbox")
    messages_for(world.customer_a, 2)
    ProductNews.objects.create(month=timezone.localdate().replace(day=1), text="新产品")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    other = make_customer(world.village_a, name="另一户")
    messages_for(other, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page"].paginator.count == 32
    assert len(many) == len(few)


# --- Head office's actions -----------------------------------------------------------------


def test_head_office_adds_news_plans_the_month_and_sends(world):
    # The pages read the clock: this month, with last week confirmed.
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    confirm(world.customer_a, week_start=today - datetime.timedelta(days=7))
    client = login(world.head_office)
    response = client.post(
        reverse("classification:product_news"), {"month": month, "text": "助农贷利率优惠"}
    )
    assert response.status_code == 302
    news = ProductNews.objects.get()
    assert (news.month, news.created_by) == (today.replace(day=1), world.head_office)
    response = client.post(reverse("classification:plan_month"), {"month": month}, follow=True)
    assert response.status_code == 200
    message = Message.objects.get(kind="product_news", customer=world.customer_a)
    assert message.text == "助农贷利率优惠"
    response = client.post(reverse("classification:send_due"), follow=True)
    assert response.status_code == 200
    # The default sender keeps every message in the outbox.
    message.refresh_from_db()
    assert message.status == "queued"
    assert "msg-warning" in response.text


def test_news_without_text_is_refused_with_the_form(world):
    response = login(world.head_office).post(
        reverse("classification:product_news"), {"month": "2026-12", "text": ""}
    )
    assert response.status_code == 400
    assert not ProductNews.objects.exists()


@pytest.mark.parametrize("url_name", ["product_news", "plan_month", "send_due"])
def test_only_head_office_may_plan_or_send(world, url_name):
    confirm(world.customer_a)
    for role in ("branch_head", "manager_a", "leader"):
        response = login(getattr(world, role)).post(
            reverse(f"classification:{url_name}"), {"month": "2026-12", "text": "x"}
        )
        assert response.status_code == 404
    assert not Message.objects.exists()
    assert not ProductNews.objects.exists()


def test_a_superuser_account_manager_is_head_office_for_the_outbox(world):
    boss = make_user(Role.ACCOUNT_MANAGER, username="boss")
    boss.is_superuser = True
    boss.save()
    messages_for(world.customer_c, 1)
    assert "陈七里" in login(boss).get(reverse("classification:outbox")).text
