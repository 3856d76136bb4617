"""Dashboard figures per branch and per village: coverage, business connection, tiers, key revisits.

Set-based: a page costs the same few queries whatever the number of branches or
villages (one grouped query per figure, merged here by branch or village id).
The caller passes `today`; nothing here reads the clock.

Which week's tiers count: each branch's latest confirmed week, else its latest
proposed week (the page says which), else none.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from archives.models import HOUSEHOLD_TYPES, Customer, CustomerType, Village

from .models import Classification, Visit, Week
from .rules import TIER_LABELS, Tier

# The campaign's targets (DOMAIN.md §2): archives for every registered household,
# business with at least 70% of customers, every key customer revisited on time.
COVERAGE_TARGET = 100
CONNECTION_TARGET = 70
REVISIT_TARGET = 100
OVERDUE_LIMIT = 200  # overdue key customers listed on a branch page

TIERS = tuple(TIER_LABELS)  # display order: key follow-up first, "to be decided" last


@dataclass(frozen=True)
class Rate:
    """part of whole, against a target in percent; exactly on target counts as met."""

    part: int
    whole: int
    target: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(100 * self.part) / self.whole).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        if not self.whole:
            return None
        return 100 * self.part >= self.target * self.whole  # integers: no rounding at 70%


@dataclass
class Line:
    """One row of a dashboard: a branch, a village, or the total of the rows."""

    obj: object = None
    week: Week | None = None
    registered: int = 0
    filed: int = 0
    customers: int = 0
    connected: int = 0
    key: int = 0
    key_revisited: int = 0
    tiers: dict = field(default_factory=dict)

    @property
    def coverage(self) -> Rate:
        return Rate(self.filed, self.registered, COVERAGE_TARGET)

    @property
    def connection(self) -> Rate:
        return Rate(self.connected, self.customers, CONNECTION_TARGET)

    @property
    def revisit(self) -> Rate:
        return Rate(self.key_revisited, self.key, REVISIT_TARGET)

    @property
    def overdue(self) -> int:
        return self.key - self.key_revisited

    @property
    def tier_cells(self) -> list[tuple[str, int]]:
        """(tier label, customers) in display order, zeros included."""
        return [(TIER_LABELS[t], self.tiers.get(t, 0)) for t in TIERS]


def total(lines) -> Line:
    out = Line()
    for line in lines:
        for name in ("registered", "filed", "customers", "connected", "key", "key_revisited"):
            setattr(out, name, getattr(out, name) + getattr(line, name))
        for tier, n in line.tiers.items():
            out.tiers[tier] = out.tiers.get(tier, 0) + n
    return out


def with_weeks(branches):
    """Annotate each branch with the week its tiers come from: latest confirmed, else proposed."""
    weeks = Week.objects.filter(branch=OuterRef("pk")).order_by("-week_start")
    return branches.annotate(
        confirmed_week=Subquery(weeks.filter(status=Week.Status.CONFIRMED).values("pk")[:1]),
        proposed_week=Subquery(weeks.filter(status=Week.Status.PROPOSED).values("pk")[:1]),
    )


def chosen_weeks(branches) -> dict[int, Week]:
    """Branch id -> the week its tiers come from, for branches annotated by with_weeks()."""
    ids = {b.pk: b.confirmed_week or b.proposed_week for b in branches}
    weeks = Week.objects.in_bulk([w for w in ids.values() if w])
    return {branch: weeks[w] for branch, w in ids.items() if w}


def key_revisit_cutoff(today: datetime.date, key_revisit_days: int) -> datetime.date:
    """A key customer last visited before this date is overdue (older than the cadence)."""
    return today - datetime.timedelta(days=key_revisit_days)


# How each grouping reaches its id from a customer, a village and a classification row.
BY_BRANCH = ("village__township__branch", "township__branch", "customer__village__township__branch")
BY_VILLAGE = ("village", "pk", "customer__village")


def _figures(group_ids, week_ids, *, by, cutoff) -> dict[int, Line]:
    """Every figure of a dashboard for the given branch or village ids: four grouped queries."""
    customer_path, village_path, row_path = by
    lines = defaultdict(Line)
    registered = (
        Village.objects.filter(**{f"{village_path}__in": group_ids})
        .values_list(village_path)
        .annotate(n=Sum("registered_households"))
        .order_by()
    )
    for gid, n in registered:
        lines[gid].registered = n or 0
    counts = (
        Customer.objects.filter(**{f"{customer_path}__in": group_ids})
        .values_list(customer_path)
        .annotate(
            filed=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES)),
            customers=Count("pk"),
            connected=Count(
                "pk",
                filter=Q(deposit_balance__gt=0)
                | Q(loan_balance__gt=0)
                | Q(has_deposit_account=True),
            ),
        )
        .order_by()
    )
    for gid, filed, customers, connected in counts:
        line = lines[gid]
        line.filed, line.customers, line.connected = filed, customers, connected
    rows = Classification.objects.filter(week_id__in=week_ids, **{f"{row_path}__in": group_ids})
    recent = Visit.objects.filter(customer=OuterRef("customer"), visited_on__gte=cutoff)
    key = (
        rows.filter(tier=Tier.KEY_FOLLOW_UP)
        .values_list(row_path)
        .annotate(key=Count("pk"), revisited=Count("pk", filter=Q(Exists(recent))))
        .order_by()
    )
    for gid, n, revisited in key:
        lines[gid].key, lines[gid].key_revisited = n, revisited
    for gid, tier, n in rows.values_list(row_path, "tier").annotate(n=Count("pk")).order_by():
        lines[gid].tiers[tier] = n
    return lines


def branch_lines(branches, *, today: datetime.date, rulebook) -> list[Line]:
    """One line per branch, in code order."""
    branches = list(with_weeks(branches).order_by("code"))
    weeks = chosen_weeks(branches)
    figures = _figures(
        [b.pk for b in branches],
        [w.pk for w in weeks.values()],
        by=BY_BRANCH,
        cutoff=key_revisit_cutoff(today, rulebook.key_revisit_days),
    )
    out = []
    for branch in branches:
        line = figures[branch.pk]
        line.obj, line.week = branch, weeks.get(branch.pk)
        out.append(line)
    return out


def village_lines(branch, week, *, today: datetime.date, rulebook) -> list[Line]:
    """One line per village of a branch, with the tiers of `week` (None: no tiers yet)."""
    villages = list(
        Village.objects.filter(township__branch=branch).select_related("township").order_by("code")
    )
    figures = _figures(
        [v.pk for v in villages],
        [week.pk] if week else [],
        by=BY_VILLAGE,
        cutoff=key_revisit_cutoff(today, rulebook.key_revisit_days),
    )
    out = []
    for village in villages:
        line = figures[village.pk]
        line.obj, line.week = village, week
        out.append(line)
    return out


def tier_by_type(week) -> list[tuple[Tier, list[int], int]]:
    """(tier, counts per customer type in CustomerType order, row total) for one week."""
    counts = defaultdict(int)
    if week is not None:
        rows = (
            Classification.objects.filter(week=week)
            .values_list("tier", "customer__customer_type")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for tier, customer_type, n in rows:
            counts[tier, customer_type] = n
    table = []
    for tier in TIERS:
        cells = [counts[tier, t] for t in CustomerType.values]
        table.append((tier, cells, sum(cells)))
    return table


def overdue_key_customers(week, *, today: datetime.date, rulebook, limit=OVERDUE_LIMIT):
    """The week's key customers not visited within the cadence, never-visited and oldest first.

    Each row carries `last_visit` (None: never visited), rank and customer with village.
    """
    if week is None:
        return Classification.objects.none()
    last_visit = (
        Visit.objects.filter(customer=OuterRef("customer"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    cutoff = key_revisit_cutoff(today, rulebook.key_revisit_days)
    return (
        Classification.objects.filter(week=week, tier=Tier.KEY_FOLLOW_UP)
        .annotate(last_visit=Subquery(last_visit))
        .filter(Q(last_visit__lt=cutoff) | Q(last_visit__isnull=True))
        .select_related("customer__village")
        .order_by(F("last_visit").asc(nulls_first=True), "rank", "customer_id")[:limit]
    )
