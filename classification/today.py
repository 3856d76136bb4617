"""Classification's sections of 今日 (archives/today.py): revisits due, the weekly queue,
the branch's overdue revisits. Each reads the kept FollowUp columns (classification/followup.py)
through visits.with_follow_up, in a fixed number of queries."""

import datetime

from django.db.models import Count, OuterRef, Q, Subquery

from archives.models import Role
from archives.today import Section, register

from . import visits
from .models import Classification, Rulebook, Week, branches_reviewed_by, branches_visible_to
from .rules import Tier
from .services import week_start_of

MANAGER, HEAD = Role.ACCOUNT_MANAGER.value, Role.BRANCH_HEAD.value
CHIEF, LEADER = Role.SECTION_CHIEF.value, Role.LEADER.value
URGENT_SHOWN = 5


def revisits(user, today: datetime.date) -> dict | None:
    """The user's customers due within a week or overdue: the counts and the most urgent.

    Nothing for a branch head, chief or leader who maintains nobody yet (a manager always
    sees it: their area's customers are theirs)."""
    cadence = Rulebook.objects.in_force(today).cadence
    mine = visits.follow_up_of(user, cadence=cadence)
    soon = today + datetime.timedelta(days=visits.DUE_SOON_DAYS)
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(next_due__lt=today)),
        due=Count("pk", filter=Q(next_due__gte=today, next_due__lte=soon)),  # not yet overdue
        total=Count("pk"),
    )
    if not counts["total"] and user.role != MANAGER:
        return None
    urgent = list(visits.due_soon(mine, today)[:URGENT_SHOWN])
    for customer in urgent:
        customer.overdue = visits.is_overdue(customer.next_due, today)
    return {**counts, "urgent": urgent, "soon_days": visits.DUE_SOON_DAYS}


def weekly_queue(user, today: datetime.date) -> dict:
    """This week's classification of each branch the user reviews, with its undecided count."""
    this_week = Week.objects.filter(branch=OuterRef("pk"), week_start=week_start_of(today))
    undecided = (
        Classification.objects.filter(week=OuterRef("pk"), tier=Tier.UNDECIDED)
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values("n")
    )
    weeks = this_week.annotate(undecided=Subquery(undecided))
    branches = list(
        branches_reviewed_by(user)
        .annotate(
            week_id=Subquery(weeks.values("pk")[:1]),
            week_status=Subquery(weeks.values("status")[:1]),
            undecided=Subquery(weeks.values("undecided")[:1]),
        )
        .order_by("code")
    )
    return {
        "branches": branches,
        "confirmed": Week.Status.CONFIRMED,
        "week_start": week_start_of(today),
    }


def branch_revisits(user, today: datetime.date) -> dict:
    """Overdue revisits in each of the user's branches (all customers, and key ones)."""
    cadence = Rulebook.objects.in_force(today).cadence
    rows = visits.branch_revisit_rates(
        branches_visible_to(user).order_by("code"), cadence=cadence, today=today
    )
    return {"rows": rows}


register(
    Section(
        "revisits",
        10,
        frozenset({MANAGER, HEAD, CHIEF, LEADER}),
        "classification/today/revisits.html",
        revisits,
    )
)
register(
    Section(
        "weekly_queue",
        5,
        frozenset({HEAD}),
        "classification/today/weekly_queue.html",
        weekly_queue,
    )
)
register(
    Section(
        "branch_revisits",
        12,
        frozenset({HEAD, CHIEF, LEADER}),
        "classification/today/branch_revisits.html",
        branch_revisits,
    )
)
