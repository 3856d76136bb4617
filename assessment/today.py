"""Assessment's sections of 今日 (archives/today.py): today's field day, the branch's days
awaiting review, and head office's review queue and months to close. Fixed query counts."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from archives.models import Role
from archives.navigation import HEAD_OFFICE
from archives.today import FIELD_ROLES, Returned, Section, register, register_returned

from .models import FieldDay, Finding, Month

HEAD, CHIEF, LEADER = Role.BRANCH_HEAD.value, Role.SECTION_CHIEF.value, Role.LEADER.value
WAITING_SHOWN = 5
SUBMITTED = FieldDay.Status.SUBMITTED
OPEN_FINDING = Q(photos__findings__status=Finding.Status.OPEN)


def field_day(user, today: datetime.date) -> dict:
    """Whether today's field day is logged, and the month's days so far."""
    mine = FieldDay.objects.filter(person=user)
    logged = mine.filter(date=today).first()
    month = mine.in_month(today).aggregate(
        logged=Count("pk"), confirmed=Count("pk", filter=Q(status=FieldDay.Status.CONFIRMED))
    )
    return {"logged": logged, "month": month, "today": today}


def branch_field_days(user, today: datetime.date) -> dict:
    """The branch's field days still awaiting head office's review (the user's own aside)."""
    waiting = (
        FieldDay.objects.visible_to(user).exclude(person=user).filter(status=SUBMITTED).order_by()
    )
    counts = waiting.aggregate(
        waiting=Count("pk", distinct=True),
        findings=Count("pk", filter=OPEN_FINDING, distinct=True),
        today=Count("pk", filter=Q(date=today), distinct=True),
    )
    days = list(
        waiting.select_related("person").order_by("date", "person__username")[:WAITING_SHOWN]
    )
    return {**counts, "days": days}


def review_queue(user, today: datetime.date) -> dict:
    """Head office: every field day awaiting review, by month, with open findings."""
    by_month = list(
        FieldDay.objects.filter(status=SUBMITTED)
        .order_by()
        .values("date__year", "date__month")
        .annotate(
            n=Count("pk", distinct=True), findings=Count("pk", filter=OPEN_FINDING, distinct=True)
        )
        .order_by("date__year", "date__month")
    )
    return {
        "months": [
            {
                "month": datetime.date(row["date__year"], row["date__month"], 1),
                "waiting": row["n"],
                "findings": row["findings"],
            }
            for row in by_month
        ],
        "waiting": sum(row["n"] for row in by_month),
    }


def months_to_close(user, today: datetime.date) -> dict:
    """Head office: past months not closed yet (last month always), oldest first."""
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    kept = Month.objects.filter(month__lt=this_month).filter(
        ~Q(status=Month.Status.CLOSED) | Q(month=last_month)
    )
    rows = {m.month: m for m in kept}
    rows.setdefault(last_month, Month(month=last_month))
    return {"months": [m for _, m in sorted(rows.items()) if m.status != Month.Status.CLOSED]}


register(Section("field_day", 20, FIELD_ROLES, "assessment/today/field_day.html", field_day))
register(
    Section(
        "branch_field_days",
        25,
        frozenset({HEAD, CHIEF, LEADER}),
        "assessment/today/branch_field_days.html",
        branch_field_days,
    )
)
register(
    Section(
        "review_queue",
        10,
        frozenset({HEAD_OFFICE}),
        "assessment/today/review_queue.html",
        review_queue,
    )
)
register(
    Section(
        "months_to_close",
        20,
        frozenset({HEAD_OFFICE}),
        "assessment/today/months_to_close.html",
        months_to_close,
    )
)


# Field days sent back to their author for more (退回补充): on the author's 今日.
def _returned_days(user, today):
    from archives.today import ReturnedItem

    from .fieldwork import returned_to

    return [
        ReturnedItem(
            title=f"{day.date:%Y-%m-%d} · " + "、".join(v.name for v in day.villages.all()),
            url=reverse("assessment:correct_field_day", args=[day.pk]),
            comment=day.review_note,
            returned_at=day.reviewed_at,
            kind=_("Field day"),
        )
        for day in returned_to(user)[:RETURNED_SHOWN]
    ]


RETURNED_SHOWN = 10
register_returned(Returned("field_days", _returned_days))
