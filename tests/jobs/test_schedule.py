"""The scheduler: entries due at their boundaries, failures recorded and retried, one run at
a time, nothing left running, and head office's schedule page."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jobs import schedule, scheduler
from jobs.models import ScheduledFailure, ScheduledRun
from jobs.registry import JobFailed
from tests.archives.test_scope import ROLES
from tests.conftest import login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

MINUTE = datetime.timedelta(minutes=1)


def at(day, hour, minute=0, second=0):
    return datetime.datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def entries(monkeypatch):
    """Only the entries a test registers: the project's own stay out of its ticks."""
    monkeypatch.setattr(schedule, "_ENTRIES", {})
    return schedule


def entry(key="probe", calls=None, fail=None, **when):
    calls = [] if calls is None else calls

    def run(now):
        calls.append(now)
        if fail is not None:
            raise fail
        return f"ran {len(calls)}"

    when = when or {"every": datetime.timedelta(minutes=5)}
    return schedule.Scheduled(key, key, run, **when), calls


# --- When an entry is due (pure) ----------------------------------------------------------

DAILY = schedule.Scheduled("d", "d", lambda now: None, at=datetime.time(1, 0))
MONDAYS = schedule.Scheduled("w", "w", lambda now: None, at=datetime.time(6, 0), weekday=0)
EVERY = schedule.Scheduled("e", "e", lambda now: None, every=datetime.timedelta(minutes=5))


# 2026-12-07 is a Monday.
@pytest.mark.parametrize(
    ("scheduled", "after", "expected"),
    [
        (DAILY, at(4, 0, 59, 59), at(4, 1)),
        (DAILY, at(4, 1), at(5, 1)),  # strictly after: a run at 01:00 is next due tomorrow
        (DAILY, at(4, 1, 0, 1), at(5, 1)),
        (MONDAYS, at(7, 5, 59), at(7, 6)),
        (MONDAYS, at(7, 6), at(14, 6)),
        (MONDAYS, at(4, 12), at(7, 6)),  # from a Friday to Monday
        (EVERY, at(4, 10), at(4, 10, 5)),
    ],
)
def test_the_next_time_of_an_entry_is_strictly_after_the_moment(scheduled, after, expected):
    assert schedule.following(scheduled, after) == expected


def test_a_new_interval_entry_runs_at_once_a_timed_one_waits_for_its_time():
    assert schedule.first_due(EVERY, at(4, 23)) == at(4, 23)
    # A message run must not start at night because a worker started then.
    assert schedule.first_due(DAILY, at(4, 23)) == at(5, 1)


def test_a_late_run_is_next_due_at_its_next_time_not_twice():
    assert schedule.after_success(DAILY, at(4, 10)) == at(5, 1)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [(at(4, 1, 2), at(4, 1, 12)), (at(5, 0, 55), at(5, 1))],  # retry, or its time if sooner
)
def test_a_failure_is_tried_again_after_ten_minutes_or_at_its_next_time(finished, expected):
    assert schedule.after_failure(DAILY, at(4, 1), finished) == expected


@pytest.mark.parametrize(
    "when",
    [
        {},
        {"every": MINUTE, "at": datetime.time(1)},
        {"every": -MINUTE},
        {"weekday": 1, "every": MINUTE},
    ],
)
def test_an_entry_needs_one_clear_schedule(when):
    with pytest.raises(ValueError, match="probe"):
        schedule.Scheduled("probe", "probe", lambda now: None, **when)


def test_the_project_registers_its_scheduled_work():
    keys = {e.key for e in schedule.entries()}
    assert {
        "reap_jobs",
        "purge_uploads",
        "classify_week",
        "plan_messages",
        "send_messages",
        "branch_figures",
    } <= keys


# --- Ticks -----------------------------------------------------------------------------


def test_an_entry_runs_at_its_time_and_not_a_second_before(entries):
    probe, calls = entry(at=datetime.time(1, 0))
    entries.register(probe)
    scheduler.tick(now=at(4, 0, 30))  # the row appears, due at 01:00
    assert ScheduledRun.objects.get(key="probe").next_due == at(4, 1)

    assert scheduler.tick(now=at(4, 0, 59, 59)) == []
    (ran,) = scheduler.tick(now=at(4, 1), clock=lambda: at(4, 1, 2))

    assert (ran.outcome, ran.message) == ("done", "ran 1")
    state = ScheduledRun.objects.get(key="probe")
    assert (state.last_started, state.last_finished) == (at(4, 1), at(4, 1, 2))
    assert (state.last_outcome, state.message, state.next_due) == ("done", "ran 1", at(5, 1))
    assert state.running_since is None
    assert scheduler.tick(now=at(4, 1, 3)) == []  # done for today
    assert calls == [at(4, 1)]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (JobFailed("网关未配置"), "网关未配置"),
        (ValueError("boom"), "ValueError: boom"),
    ],
)
def test_a_failure_is_recorded_with_its_reason_and_retried(entries, error, reason):
    probe, calls = entry(fail=error)
    entries.register(probe)

    (ran,) = scheduler.tick(now=at(4, 10), clock=lambda: at(4, 10, 1))

    assert ran.outcome == "failed"
    state = ScheduledRun.objects.get(key="probe")
    assert state.last_outcome == "failed"
    assert reason in state.message
    assert state.next_due == at(4, 10, 5)  # its next time comes before the retry
    failure = ScheduledFailure.objects.get()
    assert (failure.key, failure.started_at, failure.finished_at) == (
        "probe",
        at(4, 10),
        at(4, 10, 1),
    )
    assert reason in failure.message

    assert scheduler.tick(now=at(4, 10, 4)) == []
    (again,) = scheduler.tick(now=at(4, 10, 5))
    assert again.outcome == "failed"
    assert len(calls) == 2
    assert ScheduledFailure.objects.count() == 2


def test_two_ticks_never_run_one_entry_twice(entries):
    inner = []

    def run(now):
        # Another worker's tick while this run holds the entry: it must not run it again.
        inner.extend(scheduler.tick(now=now + MINUTE))
        return "once"

    entries.register(schedule.Scheduled("probe", "probe", run, every=MINUTE))

    (ran,) = scheduler.tick(now=at(4, 10))

    assert ran.message == "once"
    assert inner == []
    assert scheduler.claim(schedule.get("probe"), now=at(4, 10, 1)) is True
    assert scheduler.claim(schedule.get("probe"), now=at(4, 10, 1)) is False


def test_a_run_whose_worker_died_is_given_up_after_its_timeout_and_runs_again(entries):
    probe, calls = entry()
    entries.register(probe)
    scheduler.ensure_rows(now=at(4, 8))
    assert scheduler.claim(probe, now=at(4, 8))  # the worker dies here

    assert scheduler.tick(now=at(4, 9, 59)) == []  # within its two hours: still its own
    (ran,) = scheduler.tick(now=at(4, 10, 0, 1))

    assert ran.outcome == "done"
    assert calls == [at(4, 10, 0, 1)]
    failure = ScheduledFailure.objects.get()
    assert failure.started_at == at(4, 8)
    assert "120" in failure.message


def test_run_now_makes_the_entry_due_at_the_next_tick(entries, world):
    probe, _calls = entry(at=datetime.time(1, 0))
    entries.register(probe)
    scheduler.request_run(key="probe", user=world.head_office, now=at(4, 15))
    assert ScheduledRun.objects.get(key="probe").requested_by == "head_office"

    (ran,) = scheduler.tick(now=at(4, 15, 0, 30))

    assert ran.outcome == "done"
    state = ScheduledRun.objects.get(key="probe")
    assert (state.next_due, state.requested_by) == (at(5, 1), "")


# --- The page ---------------------------------------------------------------------------


def test_head_office_sees_every_entry_with_its_last_run_outcome_and_failures(world):
    ScheduledRun.objects.create(
        key="send_messages",
        next_due=at(5, 9),
        last_started=at(4, 9),
        last_finished=at(4, 9, 1),
        last_outcome="failed",
        message="网关无应答",
    )
    ScheduledFailure.objects.create(
        key="send_messages", started_at=at(4, 9), finished_at=at(4, 9, 1), message="网关无应答"
    )

    response = login(world.head_office).get(reverse("jobs:schedule"))

    assert response.status_code == 200
    page = response.content.decode()
    for e in schedule.entries():
        assert f'id="schedule-{e.key}"' in page
        with translation.override("zh-hans"):
            assert str(e.label) in page
    assert "2026-12-05 09:00" in page
    assert page.count("网关无应答") == 2  # the outcome and the recent failure
    assert "每天 09:00" in page
    assert "每星期一 06:00" in page


def test_run_now_from_the_page_is_recorded_for_the_next_tick(world):
    client = login(world.head_office)
    response = client.post(reverse("jobs:schedule_run", args=["classify_week"]))

    assert response.status_code == 302
    state = ScheduledRun.objects.get(key="classify_week")
    assert state.next_due <= timezone.now()
    assert state.requested_by == "head_office"
    assert client.post(reverse("jobs:schedule_run", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != "head_office"])
def test_the_schedule_is_a_404_for_everyone_but_head_office(world, role):
    client = login(getattr(world, role))
    assert client.get(reverse("jobs:schedule")).status_code == 404
    assert client.post(reverse("jobs:schedule_run", args=["classify_week"])).status_code == 404
    assert not ScheduledRun.objects.filter(requested_by__gt="").exists()
