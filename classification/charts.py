"""Charts over time for a branch (or the whole bank): tiers, business connection and
revisit rate by week, archive coverage by month, each with its target (DOMAIN.md §2, §3).

Each chart is one grouped query over at most WEEKS weeks or MONTHS months: the page
costs the same whatever the history.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from archives.charts import Chart, Series, percent
from archives.models import HOUSEHOLD_TYPES, Customer, Village

from .models import Classification, Visit, Week
from .rules import TIER_LABELS, Tier

WEEKS = 12
MONTHS = 12
REVISIT_DAYS = 30  # key customers revisited at least monthly (每月至少回访一次)
COVERAGE_TARGET, CONNECTION_TARGET, REVISIT_TARGET = 100, 70, 100
CONNECTED = Q(deposit_balance__gt=0) | Q(loan_balance__gt=0) | Q(has_deposit_account=True)


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(MONTHS):
        out.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return out[::-1]


def charts(branches, today: datetime.date) -> list[Chart]:
    """`branches`: a queryset of the branches counted together (one, or the whole bank)."""
    weeks = list(
        Week.objects.filter(branch__in=branches, week_start__lte=today)
        .values_list("week_start", flat=True)
        .distinct()
        .order_by("-week_start")[:WEEKS]
    )[::-1]
    rows = Classification.objects.filter(week__branch__in=branches, week__week_start__in=weeks)
    labels = [f"{w:%m-%d}" for w in weeks]
    by_week = {w: {} for w in weeks}
    for start, tier, n in (
        rows.values_list("week__week_start", "tier").annotate(n=Count("pk")).order_by()
    ):
        by_week[start][tier] = n
    tiers = Chart(
        _("Customers by tier, by week"),
        labels,
        [
            Series(str(label), [by_week[w].get(tier.value, 0) for w in weeks])
            for tier, label in TIER_LABELS.items()
            if tier != Tier.UNDECIDED or any(by_week[w].get(tier.value) for w in weeks)
        ],
        unit="",
    )
    # Balances have no history (the core-banking import overwrites them): business
    # connection is drawn as it stands, one bar per branch (per village for one branch).
    single = branches.count() == 1
    path = "village" if single else "village__township__branch"
    names = dict(
        (
            Village.objects.filter(township__branch__in=branches)
            if single
            else branches.model.objects.filter(pk__in=branches)
        ).values_list("pk", "name")
    )
    shares = (
        Customer.objects.filter(village__township__branch__in=branches)
        .values_list(path)
        .annotate(n=Count("pk"), c=Count("pk", filter=CONNECTED))
        .order_by(path)
    )
    shares = sorted(
        ((names.get(key, "—"), percent(c, n)) for key, n, c in shares), key=lambda r: r[1]
    )
    connection = Chart(
        _("Business connection now, by village")
        if single
        else _("Business connection now, by branch"),
        [name for name, _v in shares],
        [Series(_("customers with business with us"), [v for _n, v in shares])],
        target=CONNECTION_TARGET,
        target_label=_("target 70%"),
        unit="%",
        y_max=100,
    )
    connection.bars = True
    visited = Visit.objects.filter(
        customer=OuterRef("customer"),
        visited_on__lte=OuterRef("week__week_start") + datetime.timedelta(days=6),
        visited_on__gt=OuterRef("week__week_start") + datetime.timedelta(days=6 - REVISIT_DAYS),
    )
    revisits = {
        start: percent(done, total)
        for start, total, done in rows.filter(tier=Tier.KEY_FOLLOW_UP)
        .annotate(visited=Exists(visited))
        .values_list("week__week_start")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
        .order_by()
    }
    revisit = Chart(
        _("Key customers revisited within 30 days, by week"),
        labels,
        [Series(_("revisit rate"), [revisits.get(w) for w in weeks])],
        target=REVISIT_TARGET,
        target_label=_("target 100%"),
        unit="%",
        y_max=100,
    )
    months = _months(today)
    households = Customer.objects.filter(
        village__township__branch__in=branches, customer_type__in=HOUSEHOLD_TYPES
    )
    before = households.filter(archived_on__lt=months[0]).count()
    added = dict(
        households.filter(archived_on__gte=months[0])
        .annotate(m=TruncMonth("archived_on"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    registered = (
        Village.objects.filter(township__branch__in=branches).aggregate(
            n=Sum("registered_households")
        )["n"]
        or 0
    )
    filed, coverage_values = before, []
    for month in months:
        filed += added.get(month, 0)
        coverage_values.append(percent(filed, registered) if month <= today else None)
    coverage = Chart(
        _("Archive coverage, by month"),
        [f"{m:%y-%m}" for m in months],
        [Series(_("households filed / registered"), coverage_values)],
        target=COVERAGE_TARGET,
        target_label=_("target 100%"),
        unit="%",
        y_max=max(100, max((v for v in coverage_values if v is not None), default=0)),
    )
    return [coverage, connection, tiers, revisit]
