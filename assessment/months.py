"""Closed months, enforced in the writing transaction: lock the month's row, re-check, then write.

A check made before a transaction (a page's form, an import's first row) only tells
the user early; it proves nothing by the time the write commits, because head office
may close the month in between. So every write into a month (ledger import and lines
by hand, field days, reviews, rulings, rewards, judgements, adjustments) calls
`lock_open_month` inside its own transaction before it writes, and the close locks
the same row (DOMAIN.md §7). Whichever comes second waits: a write behind a close is
then refused, a close behind a write then includes it. Writers share the lock (FOR
SHARE on PostgreSQL), so a long import holds up the close but not the field days
logged meanwhile; the close takes it alone (FOR UPDATE). On PostgreSQL a trigger
(migration 0006) refuses any write into a closed month that bypasses this.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from archives.models import User

from .models.fieldwork import FieldDay, Finding
from .models.statements import Month


class MonthClosed(Exception):
    """A closed month is locked: nothing may be written into it any more."""

    def __init__(self, month: datetime.date):
        self.month = month_start(month)
        super().__init__(
            _(
                "%(month)s is closed and can no longer change. "
                "Corrections go into a later month as adjustments."
            )
            % {"month": f"{self.month:%Y-%m}"}
        )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_is_closed(day: datetime.date) -> bool:
    """Whether the month holding `day` is closed: for telling the user early, never as the guard."""
    return Month.objects.closed().filter(month=month_start(day)).exists()


def lock_open_month(day: datetime.date, *, exclusive: bool = False) -> Month:
    """The row of the month holding `day`, locked until the transaction ends; MonthClosed if closed.

    Call it inside transaction.atomic, before the first write. A missing row is
    created open first (INSERT ... ON CONFLICT DO NOTHING, so two transactions
    creating it at once both end up locking the one row). `exclusive` is for the close
    and for changes of the month's own row; writers into the month share the lock.
    """
    first = month_start(day)
    Month.objects.bulk_create([Month(month=first)], ignore_conflicts=True)
    if exclusive or connection.vendor != "postgresql":  # SQLite has one writer at a time
        row = Month.objects.select_for_update().get(month=first)
    else:
        table = Month._meta.db_table
        (row,) = Month.objects.raw(f"SELECT * FROM {table} WHERE month = %s FOR SHARE", [first])
    if row.is_closed:
        raise MonthClosed(first)
    return row


def lock_open_months(days: Iterable[datetime.date]) -> list[Month]:
    """lock_open_month for several months, always in date order so two writers never deadlock."""
    return [lock_open_month(first) for first in sorted({month_start(d) for d in days})]


# ---- What holds a close up (DOMAIN.md §7: a month closes only when its work is reviewed) ----


@dataclass(frozen=True)
class Blocker:
    """One person's work of the month still to review before the month can close."""

    person: User
    awaiting_review: int
    open_findings: int
    # Returned to the person for more (退回补充): not reviewed yet either, so it holds the
    # close up like a day awaiting review until it is resubmitted and decided.
    returned: int = 0


def close_blockers(day: datetime.date) -> list[Blocker]:
    """Per person, the month's days awaiting review or returned, and findings unruled (2 queries)."""
    open_finding = Q(photos__findings__status=Finding.Status.OPEN)
    counts = (
        FieldDay.objects.in_month(month_start(day))
        .order_by()
        .values("person")
        .annotate(
            awaiting=Count("pk", filter=Q(status=FieldDay.Status.SUBMITTED), distinct=True),
            findings=Count("photos__findings", filter=open_finding, distinct=True),
            returned=Count("pk", filter=Q(status=FieldDay.Status.RETURNED), distinct=True),
        )
        .filter(Q(awaiting__gt=0) | Q(findings__gt=0) | Q(returned__gt=0))
    )
    counts = {row["person"]: (row["awaiting"], row["findings"], row["returned"]) for row in counts}
    people = User.objects.filter(pk__in=counts).order_by("staff_no", "username")
    return [Blocker(person, *counts[person.pk]) for person in people]
