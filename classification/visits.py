"""Revisits (回访): recording a visit, and who is due for one by when.

The cadence itself is the pure rule in rules.py (revisit_days, next_visit_due). The
reads here put the same rule into SQL, so "overdue only", "due this week" and the
branch revisit rate are filtered, ordered and counted by the database in a fixed
number of queries, whatever the number of customers.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from archives.models import Customer, EBankingProduct, User

from . import followup, rules
from .models import Maintainer, Visit
from .services import customers_to_maintain

DUE_SOON_DAYS = 7  # "revisits due": due within a week, or overdue
AREA = Maintainer.Duty.AREA.value
LEADER = Maintainer.Duty.LEADER.value


# The cadence of one row, in Python ------------------------------------------------------


def days_for(tier: str | None, *, uses_kalefu: bool, duty: str | None, cadence) -> int | None:
    """Days allowed between visits for one maintainer of a customer.

    The assigned leader owes golden customers their own visit at least quarterly
    (golden_leader_days); every other duty shares the customer's cadence, which any
    colleague's visit satisfies.
    """
    if duty == LEADER:
        return cadence.golden_leader_days
    return rules.revisit_days(tier, uses_kalefu=uses_kalefu, cadence=cadence)


def is_overdue(due: datetime.date | None, today: datetime.date) -> bool:
    """Due on day N means a visit on day N is in time; from day N + 1 it is overdue."""
    return due is not None and today > due


def uses_kalefu(ebanking_products) -> bool:
    return EBankingProduct.KALEFU in (ebanking_products or ())


# The same cadence in SQL ------------------------------------------------------------------


class AddDays(Func):
    """A date plus a whole number of days, as a date, on PostgreSQL and SQLite alike."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date + integer is a date.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # date('2026-01-01', '+31 days')
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


KALEFU = Q(ebanking_products__icontains=EBankingProduct.KALEFU)
ALL_TIERS = (*rules.Tier, None)  # None: never classified in a confirmed week


def _days_case(cadence, *, with_duty: bool) -> Case:
    """rules.revisit_days as one SQL CASE, built by asking the rule about every tier with
    and without Kalefu, so the SQL cannot drift from the rule. Tiers that share a figure
    share a WHEN, and a figure that holds for every tier does not look at the tier at all:
    the tier is a subquery, and each mention of it is evaluated again."""
    whens = [When(Q(duty=LEADER), then=Value(cadence.golden_leader_days))] if with_duty else []
    for kalefu in (True, False):
        tiers_by_days = defaultdict(list)
        for tier in ALL_TIERS:
            days = days_for(tier, uses_kalefu=kalefu, duty=None, cadence=cadence)
            if days is not None:
                tiers_by_days[days].append(tier)
        for days, tiers in tiers_by_days.items():
            condition = KALEFU if kalefu else ~KALEFU
            if len(tiers) < len(ALL_TIERS):
                condition &= _tier_in(tiers)
            whens.append(When(condition, then=Value(days)))
    return Case(*whens, default=None, output_field=IntegerField())


def _tier_in(tiers) -> Q:
    named = [t.value for t in tiers if t is not None]
    condition = Q(follow_tier__in=named) if named else Q(pk__in=[])
    return condition | Q(follow_tier__isnull=True) if None in tiers else condition


def _last_visit(visits):
    return Subquery(
        visits.order_by().values("customer").annotate(last=Max("visited_on")).values("last"),
        output_field=DateField(),
    )


def with_follow_up(customers, *, cadence, user=None):
    """Annotate each customer with its follow-up: tier and rank of the latest confirmed week,
    Kalefu use, last visit, cadence in days and the date the next visit is due.

    The tier, rank, first maintainer's start and last visit are columns of the customer's
    FollowUp row (classification/followup.py keeps them current), so the cost does not
    grow with the weeks of history. With `user`, the figures are that user's: their duty
    for the customer (area when they maintain it as the village's account manager) and,
    for a leader, their own visits.
    """
    maintainers = Maintainer.objects.filter(customer=OuterRef("pk")).order_by("since", "pk")
    customers = customers.annotate(
        follow_tier=F("follow_up__tier"),
        follow_rank=F("follow_up__rank"),
        uses_kalefu=Case(
            When(KALEFU, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        customer_last_visit=F("follow_up__last_visit"),
    )
    if user is None:
        customers = customers.annotate(
            last_visit=F("customer_last_visit"),
            since=Coalesce(F("follow_up__since"), F("archived_on")),
            revisit_days=_days_case(cadence, with_duty=False),
        )
    else:
        mine = maintainers.filter(user=user)
        own_visits = Visit.objects.filter(customer=OuterRef("pk")).filter(
            Q(visitor=user) | Q(partner=user)
        )
        customers = customers.annotate(
            duty=Coalesce(Subquery(mine.values("duty")[:1]), Value(AREA)),
            since=Coalesce(
                Subquery(mine.values("since")[:1]),
                F("follow_up__since"),
                F("archived_on"),
            ),
        ).annotate(
            last_visit=Case(
                When(duty=LEADER, then=_last_visit(own_visits)),
                default=F("customer_last_visit"),
                output_field=DateField(),
            ),
            revisit_days=_days_case(cadence, with_duty=True),
        )
    return customers.annotate(
        next_due=AddDays(Coalesce(F("last_visit"), F("since")), F("revisit_days")),
        # The last visit still counts on this date: "revisited within the cadence".
        revisited_until=AddDays(F("last_visit"), F("revisit_days")),
    )


def follow_up_of(user, *, cadence):
    """'My customers to maintain', annotated, the most urgent first."""
    return (
        with_follow_up(customers_to_maintain(user), cadence=cadence, user=user)
        .select_related("village")
        .order_by(F("next_due").asc(nulls_last=True), "name", "pk")
    )


def overdue(customers, today: datetime.date):
    return customers.filter(next_due__lt=today)


def due_soon(customers, today: datetime.date):
    """Overdue, or due within DUE_SOON_DAYS."""
    return customers.filter(next_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))


def describe(customers, *, cadence, today: datetime.date) -> list:
    """Work out each row's cadence and due date with the pure rules, for showing."""
    rows = list(customers)
    duties = dict(Maintainer.Duty.choices)
    for c in rows:
        c.duty_label = duties.get(c.duty, "")
        c.tier_label = rules.TIER_LABELS.get(c.follow_tier, "") if c.follow_tier else ""
        c.cadence_days = days_for(
            c.follow_tier,
            uses_kalefu=uses_kalefu(c.ebanking_products),
            duty=c.duty,
            cadence=cadence,
        )
        c.due = rules.next_visit_due(c.last_visit, c.since, c.cadence_days)
        c.overdue = is_overdue(c.due, today)
        c.days_overdue = (today - c.due).days if c.overdue else 0
    return rows


def branch_revisit_rates(branches, *, cadence, today: datetime.date) -> list[dict]:
    """Per branch: key customers (tier key follow-up in the latest confirmed week) revisited
    within their cadence out of all of them, and how many customers are overdue. One query."""
    branches = list(branches)
    key = Q(follow_tier=rules.Tier.KEY_FOLLOW_UP)
    counts = {
        row["branch"]: row
        for row in with_follow_up(
            Customer.objects.filter(village__township__branch__in=branches), cadence=cadence
        )
        .values(branch=F("village__township__branch"))
        .annotate(
            key_total=Count("pk", filter=key),
            key_revisited=Count("pk", filter=key & Q(revisited_until__gte=today)),
            key_overdue=Count("pk", filter=key & Q(next_due__lt=today)),
            overdue=Count("pk", filter=Q(next_due__lt=today)),
        )
        .order_by()
    }
    table = []
    for branch in branches:
        row = counts.get(branch.pk, {})
        total = row.get("key_total", 0)
        revisited = row.get("key_revisited", 0)
        table.append(
            {
                "branch": branch,
                "key_total": total,
                "key_revisited": revisited,
                "rate": round(100 * revisited / total, 1) if total else None,
                "key_overdue": row.get("key_overdue", 0),
                "overdue": row.get("overdue", 0),
            }
        )
    return table


# Recording a visit ---------------------------------------------------------------------


def check_visit_date(visited_on: datetime.date, *, archived_on: datetime.date, today) -> None:
    """A visit has happened (not in the future) and the customer was on file by then."""
    if visited_on > today:
        raise ValidationError(_("The visit date cannot be later than today."), code="future")
    if visited_on < archived_on:
        raise ValidationError(
            _("The visit date cannot be earlier than the archive date (%(date)s).")
            % {"date": date_format(archived_on, "Y-m-d")},
            code="before_archive",
        )


def partners_for(customer, visitor):
    """Who can have gone along (两人一组): active staff of the customer's branch, not the visitor."""
    branch = customer.village.township.branch_id
    staff = User.objects.filter(is_active=True).filter(
        Q(branches=branch) | Q(villages__township__branch=branch)
    )
    return (
        User.objects.filter(pk__in=staff.values("pk"))
        .exclude(pk=visitor.pk)
        .order_by("display_name", "username")
    )


@transaction.atomic
def record_visit(
    *,
    customer,
    visitor,
    visited_on: datetime.date,
    today: datetime.date,
    partner=None,
    learnt: str = "",
    needs: str = "",
    next_step: str = "",
) -> Visit:
    """Log one revisit of a customer; the date rules hold whoever calls."""
    check_visit_date(visited_on, archived_on=customer.archived_on, today=today)
    if partner is not None and partner.pk == visitor.pk:
        raise ValidationError(_("The partner must be someone else."), code="partner_is_visitor")
    visit = Visit.objects.create(
        customer=customer,
        visitor=visitor,
        partner=partner,
        visited_on=visited_on,
        learnt=learnt,
        needs=needs,
        next_step=next_step,
    )
    followup.note_visit(customer_id=customer.pk, visited_on=visited_on)
    return visit
