"""Keeping each customer's FollowUp row current: after a week's confirmation, after a visit.

The rows are a copy of what the weekly history and the visits say; `refresh` recomputes
them from that history for any set of customers (set-based: one read, one upsert), and
`note_visit` moves one customer's last visit forward.
"""

import datetime

from django.db.models import DateField, Max, Min, OuterRef, Subquery

from .models import Classification, FollowUp, Maintainer, Visit, Week

BATCH = 2000


def refresh(customers) -> int:
    """Recompute the FollowUp rows of `customers` (a Customer queryset); returns how many."""
    latest = Classification.objects.filter(
        customer=OuterRef("pk"), week__status=Week.Status.CONFIRMED
    ).order_by("-week__week_start")
    first_since = (
        Maintainer.objects.filter(customer=OuterRef("pk")).order_by("since", "pk").values("since")
    )
    last_visit = Subquery(
        Visit.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(last=Max("visited_on"))
        .values("last"),
        output_field=DateField(),
    )
    rows = (
        customers.order_by()
        .annotate(
            f_tier=Subquery(latest.values("tier")[:1]),
            f_rank=Subquery(latest.values("rank")[:1]),
            f_week=Subquery(latest.values("week_id")[:1]),
            f_since=Subquery(first_since[:1]),
            f_last=last_visit,
        )
        .values_list("pk", "f_tier", "f_rank", "f_week", "f_since", "f_last")
    )
    objs = [
        FollowUp(customer_id=pk, tier=tier, rank=rank, week_id=week, since=since, last_visit=last)
        for pk, tier, rank, week, since, last in rows.iterator(chunk_size=BATCH)
    ]
    FollowUp.objects.bulk_create(
        objs,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["tier", "rank", "week", "since", "last_visit"],
    )
    return len(objs)


def refresh_confirmed(week, customers) -> int:
    """After `week` is confirmed: the FollowUp rows of `customers` (its branch's).

    When the week is the branch's latest confirmed one (the usual case), its own rows
    give every tier and rank, so the refresh reads this week, the maintainers just
    assigned and the rows already kept: its cost does not grow with the weeks of
    history. A customer without a row in the week, or an older week confirmed late,
    falls back to `refresh`, which searches the history.
    """
    if Week.objects.filter(
        branch_id=week.branch_id, status=Week.Status.CONFIRMED, week_start__gt=week.week_start
    ).exists():
        return refresh(customers)
    ranked = {
        pk: (tier, rank)
        for pk, tier, rank in Classification.objects.filter(
            week=week, customer__in=customers
        ).values_list("customer_id", "tier", "rank")
    }
    since = dict(
        Maintainer.objects.filter(customer_id__in=ranked)
        .values_list("customer_id")
        .annotate(first=Min("since"))
        .order_by()
    )
    kept = dict(
        FollowUp.objects.filter(customer_id__in=ranked).values_list("customer_id", "last_visit")
    )
    unseen = [pk for pk in ranked if pk not in kept]
    for start in range(0, len(unseen), BATCH):
        kept |= dict(
            Visit.objects.filter(customer_id__in=unseen[start : start + BATCH])
            .values_list("customer_id")
            .annotate(last=Max("visited_on"))
            .order_by()
        )
    objs = [
        FollowUp(
            customer_id=pk,
            tier=tier,
            rank=rank,
            week_id=week.pk,
            since=since.get(pk),
            last_visit=kept.get(pk),
        )
        for pk, (tier, rank) in ranked.items()
    ]
    FollowUp.objects.bulk_create(
        objs,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["tier", "rank", "week", "since", "last_visit"],
    )
    return len(objs) + refresh(customers.exclude(classifications__week=week))


def note_visit(*, customer_id: int, visited_on: datetime.date) -> None:
    """A visit on `visited_on`: the customer's last visit is that day if it is the latest."""
    row, created = FollowUp.objects.select_for_update().get_or_create(
        customer_id=customer_id, defaults={"last_visit": visited_on}
    )
    if not created and (row.last_visit is None or row.last_visit < visited_on):
        row.last_visit = visited_on
        row.save(update_fields=["last_visit"])
