"""Scheduled work: the entries apps register (like job kinds) and when each is due.

An app registers its recurring work in its own tasks module:

    schedule.register(Scheduled("classify_week", _("Weekly classification"), run,
                                at=datetime.time(6, 0), weekday=0))

`run(now)` does the work and returns a short summary for the schedule page (or None);
raising fails the run with the error as its reason. An entry runs `every` some interval,
or daily `at` a local time (weekly when `weekday` is given, 0 = Monday). The functions
here are pure: the caller passes the moment; jobs/scheduler.py claims and runs what is due.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# How long after a failure the entry is tried again (unless it is due sooner anyway).
RETRY_AFTER = datetime.timedelta(minutes=10)
# A run claimed longer ago than this is taken for dead (its worker stopped) and freed.
TIMEOUT = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class Scheduled:
    key: str
    label: Any  # a lazy translation
    run: Callable[[datetime.datetime], str | None]
    every: datetime.timedelta | None = None
    at: datetime.time | None = None  # local time of day
    weekday: int | None = None  # with `at`: only on this day of the week (0 = Monday)
    description: Any = ""  # what it does, for the schedule page
    retry_after: datetime.timedelta = RETRY_AFTER
    timeout: datetime.timedelta = TIMEOUT

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"Scheduled {self.key!r}: give either `every` or `at`.")
        if self.every is not None and self.every <= datetime.timedelta(0):
            raise ValueError(f"Scheduled {self.key!r}: `every` must be positive.")
        if self.weekday is not None and (self.at is None or not 0 <= self.weekday <= 6):
            raise ValueError(f"Scheduled {self.key!r}: `weekday` goes with `at`, 0 to 6.")


_ENTRIES: dict[str, Scheduled] = {}


def register(entry: Scheduled) -> Scheduled:
    existing = _ENTRIES.get(entry.key)
    if existing is not None and _name(existing.run) != _name(entry.run):
        raise ValueError(f"Scheduled entry {entry.key!r} is registered twice.")
    _ENTRIES[entry.key] = entry
    return entry


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def entries() -> list[Scheduled]:
    return list(_ENTRIES.values())


def get(key: str) -> Scheduled:
    try:
        return _ENTRIES[key]
    except KeyError:
        raise LookupError(f"No scheduled entry {key!r} is registered.") from None


def following(entry: Scheduled, after: datetime.datetime) -> datetime.datetime:
    """The first moment the entry is due strictly after `after` (an aware datetime)."""
    if entry.every is not None:
        return after + entry.every
    local = timezone.localtime(after)
    day = local.date()
    while True:
        candidate = timezone.make_aware(datetime.datetime.combine(day, entry.at))
        if candidate > after and (entry.weekday is None or day.weekday() == entry.weekday):
            return candidate
        day += datetime.timedelta(days=1)


def first_due(entry: Scheduled, now: datetime.datetime) -> datetime.datetime:
    """When a newly registered entry first runs: an interval at once; a time of day at its
    next occurrence (a message run must not start at night because the worker did)."""
    return now if entry.every is not None else following(entry, now)


def after_success(entry: Scheduled, started: datetime.datetime) -> datetime.datetime:
    """Due again at its next time after the run began: a late run does not pile up."""
    return following(entry, started)


def after_failure(
    entry: Scheduled, started: datetime.datetime, finished: datetime.datetime
) -> datetime.datetime:
    """Tried again after `retry_after`, or at its next time if that comes sooner."""
    return min(following(entry, started), finished + entry.retry_after)


def describe(entry: Scheduled) -> str:
    """When the entry runs, in words for the page (in the active language)."""
    if entry.every is not None:
        minutes = int(entry.every.total_seconds() // 60)
        if minutes % 60:
            return _("Every %(n)s minutes") % {"n": minutes}
        return _("Every %(n)s hours") % {"n": minutes // 60}
    time = entry.at.strftime("%H:%M")
    if entry.weekday is None:
        return _("Daily at %(time)s") % {"time": time}
    # A Monday's name in the active language, from Django's own translations.
    day = date_format(datetime.date(2024, 1, 1 + entry.weekday), "l")
    return _("Every %(day)s at %(time)s") % {"day": day, "time": time}
