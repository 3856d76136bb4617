"""Running scheduled work: one tick runs every entry that is due, each at most once at a time.

The worker calls `tick` every minute (jobs/management/commands/job_worker.py). Each
entry's ScheduledRun row is its claim: a conditional UPDATE (due, not running) that one
tick wins, on SQLite as on PostgreSQL, so two workers never run one entry twice. A run
that raises is recorded failed with its reason and tried again after the entry's
`retry_after`; a run whose worker died is freed by the next tick once its `timeout` has
passed, so nothing stays running.
"""

import datetime
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _

from . import schedule
from .models import ScheduledFailure, ScheduledRun
from .registry import JobFailed

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
FAILURES_KEPT = datetime.timedelta(days=90)
MESSAGE_LENGTH = 1000

Outcome = ScheduledRun.Outcome


def ensure_rows(*, now: datetime.datetime) -> None:
    """A row for every registered entry, first due as schedule.first_due says."""
    known = set(ScheduledRun.objects.values_list("key", flat=True))
    ScheduledRun.objects.bulk_create(
        [
            ScheduledRun(key=e.key, next_due=schedule.first_due(e, now))
            for e in schedule.entries()
            if e.key not in known
        ],
        ignore_conflicts=True,  # another worker made it meanwhile
    )


def reap(*, now: datetime.datetime) -> int:
    """Free the runs claimed longer ago than their entry's timeout: failed, due at once."""
    reaped = 0
    for entry in schedule.entries():
        since = now - entry.timeout
        stale = list(
            ScheduledRun.objects.filter(key=entry.key, running_since__lt=since).values_list(
                "running_since", flat=True
            )
        )
        for started in stale:
            reason = _(
                "The run showed no end after %(minutes)s minutes and was given up: the worker "
                "running it has probably been restarted. It runs again now."
            ) % {"minutes": int(entry.timeout.total_seconds() // 60)}
            if ScheduledRun.objects.filter(key=entry.key, running_since=started).update(
                running_since=None,
                last_finished=now,
                last_outcome=Outcome.FAILED,
                message=reason,
                next_due=now,
            ):
                ScheduledFailure.objects.create(
                    key=entry.key, started_at=started, finished_at=now, message=reason
                )
                reaped += 1
    return reaped


def claim(entry: schedule.Scheduled, *, now: datetime.datetime) -> bool:
    """Take a due entry for this tick; False if it is not due or another tick has it."""
    return bool(
        ScheduledRun.objects.filter(
            key=entry.key, running_since__isnull=True, next_due__lte=now
        ).update(running_since=now, last_started=now, last_outcome=Outcome.RUNNING)
    )


@dataclass(frozen=True)
class Ran:
    key: str
    outcome: str
    message: str


def run_entry(entry: schedule.Scheduled, *, started: datetime.datetime, clock: Callable) -> Ran:
    """Run a claimed entry and record how it ended."""
    try:
        summary = entry.run(started) or ""
    except JobFailed as error:
        return _record_failure(entry, started=started, finished=clock(), message=str(error))
    except Exception as error:
        logger.exception("Scheduled %s failed", entry.key)
        message = _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
        return _record_failure(entry, started=started, finished=clock(), message=message)
    finished = clock()
    ScheduledRun.objects.filter(key=entry.key).update(
        running_since=None,
        last_finished=finished,
        last_outcome=Outcome.DONE,
        message=str(summary)[:MESSAGE_LENGTH],
        next_due=schedule.after_success(entry, started),
        requested_by="",
    )
    return Ran(entry.key, Outcome.DONE, str(summary))


def _record_failure(entry, *, started, finished, message) -> Ran:
    message = message[:MESSAGE_LENGTH]
    ScheduledRun.objects.filter(key=entry.key).update(
        running_since=None,
        last_finished=finished,
        last_outcome=Outcome.FAILED,
        message=message,
        next_due=schedule.after_failure(entry, started, finished),
        requested_by="",
    )
    ScheduledFailure.objects.create(
        key=entry.key, started_at=started, finished_at=finished, message=message
    )
    ScheduledFailure.objects.filter(finished_at__lt=finished - FAILURES_KEPT).delete()
    return Ran(entry.key, Outcome.FAILED, message)


def tick(*, now: datetime.datetime, clock: Callable = timezone.now) -> list[Ran]:
    """Run, one after the other, every entry due at `now` that this tick can claim."""
    ensure_rows(now=now)
    reap(now=now)
    ran = []
    for entry in schedule.entries():
        if claim(entry, now=now):
            ran.append(run_entry(entry, started=now, clock=clock))
    return ran


def request_run(*, key: str, user, now: datetime.datetime) -> ScheduledRun:
    """Head office's "run now": due at once, so the worker's next tick runs it."""
    entry = schedule.get(key)
    ensure_rows(now=now)
    ScheduledRun.objects.filter(key=entry.key).update(
        next_due=now, requested_by=user.get_username()
    )
    return ScheduledRun.objects.get(key=entry.key)


@dataclass(frozen=True)
class Row:
    entry: schedule.Scheduled
    state: ScheduledRun | None
    failures: list
    when: str


def rows(*, failures_shown: int = 5) -> list[Row]:
    """Each registered entry with its state and recent failures, for the schedule page."""
    states = {row.key: row for row in ScheduledRun.objects.all()}
    recent: dict[str, list] = {}
    for failure in ScheduledFailure.objects.filter(
        key__in=[e.key for e in schedule.entries()]
    ).order_by("-finished_at", "-pk")[:200]:
        kept = recent.setdefault(failure.key, [])
        if len(kept) < failures_shown:
            kept.append(failure)
    return [
        Row(e, states.get(e.key), recent.get(e.key, []), schedule.describe(e))
        for e in schedule.entries()
    ]


class Ticker(threading.Thread):
    """Calls `tick` every TICK_SECONDS inside the worker process until stopped.

    A daemon thread: when the worker process ends, so does it; a run it left claimed is
    freed by a later tick once its entry's timeout has passed.
    """

    def __init__(self, *, interval: float = TICK_SECONDS):
        super().__init__(name="scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()
            try:
                tick(now=timezone.now())
            except Exception:
                logger.exception("Scheduler tick failed")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
