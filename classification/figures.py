"""Figures per branch kept for pages of many branches (head office's dashboard and revisit rate).

Grouping every customer of the bank on each request cost head office 0.6-0.9 s at county
scale (docs/performance.md). Instead each branch's figures are computed from that
branch's customers once, stored in its BranchFigures row, and read back (one query for
25 branches) until they may have changed:

- the day turns: the revisit figures depend on the date;
- the week whose tiers they count is no longer the branch's latest (a run, a confirmation);
- a FiguresChange of the branch is as recent as the moment the computation began.

A write the figures count notes a FiguresChange for its branch: the receivers below for
single saves and deletes (customers, villages, visits, tiers, weeks, overrides, the
rulebook), and archives' `customers_written` for the imports' bulk writes. A change is
noted at once (so the same transaction's next read sees it) and again when the
transaction commits: a computation that began before the commit but read the old rows
then finds a change younger than itself, and the next page computes again. Only the
branches that changed are computed again; the rows of an unchanged branch are read.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from archives.models import Customer, Township, Village
from archives.signals import customers_written

from . import dashboard, visits
from .models import (
    BranchFigures,
    Classification,
    FiguresChange,
    Override,
    Rulebook,
    Visit,
    Week,
)

LINE_FIELDS = ("registered", "filed", "customers", "connected", "key", "key_revisited")
REVISIT_FIELDS = ("key_total", "key_revisited", "key_overdue", "overdue")
KEEP_CHANGES = datetime.timedelta(days=2)


def branch_lines(branches, *, today: datetime.date, rulebook) -> list[dashboard.Line]:
    """dashboard.branch_lines from the kept figures: one line per branch, in code order."""
    branches = list(dashboard.with_weeks(branches).order_by("code"))
    weeks = dashboard.chosen_weeks(branches)
    kept = _current(branches, weeks, today=today, rulebook=rulebook)
    out = []
    for branch in branches:
        row = kept[branch.pk].dashboard
        out.append(
            dashboard.Line(
                obj=branch,
                week=weeks.get(branch.pk),
                tiers=dict(row.get("tiers", {})),
                **{name: row[name] for name in LINE_FIELDS},
            )
        )
    return out


def revisit_rates(branches, *, today: datetime.date, rulebook) -> list[dict]:
    """visits.branch_revisit_rates from the kept figures, in the order of `branches`."""
    branches = list(dashboard.with_weeks(branches))
    weeks = dashboard.chosen_weeks(branches)
    kept = _current(branches, weeks, today=today, rulebook=rulebook)
    table = []
    for branch in branches:
        row = {"branch": branch, **kept[branch.pk].revisit}
        total = row["key_total"]
        row["rate"] = round(100 * row["key_revisited"] / total, 1) if total else None
        table.append(row)
    return table


def refresh(branches, *, today: datetime.date, rulebook) -> int:
    """Compute the figures of the branches whose kept ones are missing or out of date, so
    that the first page of the day reads them (the scheduled run after midnight,
    classification/tasks.py); returns how many branches were computed."""
    branches = list(dashboard.with_weeks(branches))
    weeks = dashboard.chosen_weeks(branches)
    _kept, stale = _kept_and_stale(branches, weeks, today=today)
    if stale:
        _compute(stale, weeks, today=today, rulebook=rulebook)
    return len(stale)


def _current(branches, weeks, *, today, rulebook) -> dict[int, BranchFigures]:
    """Branch id -> its figures for `today`, computing only those missing or out of date:
    one read, and when a branch is out of date the grouped queries of dashboard._figures
    and visits.branch_revisit_rates over those branches only, and one upsert."""
    kept, stale = _kept_and_stale(branches, weeks, today=today)
    if stale:
        kept.update(_compute(stale, weeks, today=today, rulebook=rulebook))
    return kept


def _kept_and_stale(branches, weeks, *, today):
    """The figures kept for `today` that still hold, and the branches without such."""
    newer = FiguresChange.objects.filter(branch=OuterRef("branch"), at__gte=OuterRef("started_at"))
    kept = {
        row.branch_id: row
        for row in BranchFigures.objects.filter(
            branch__in=[b.pk for b in branches], day=today
        ).filter(~Exists(newer))
    }
    stale = [
        b for b in branches if b.pk not in kept or kept[b.pk].week_id != _week_id(weeks.get(b.pk))
    ]
    return kept, stale


def _week_id(week):
    return week.pk if week else None


def _compute(branches, weeks, *, today, rulebook) -> dict[int, BranchFigures]:
    started_at = timezone.now()
    ids = [b.pk for b in branches]
    lines = dashboard._figures(
        ids,
        [weeks[b].pk for b in ids if b in weeks],
        by=dashboard.BY_BRANCH,
        cutoff=dashboard.key_revisit_cutoff(today, rulebook.key_revisit_days),
    )
    rates = {
        row["branch"].pk: row
        for row in visits.branch_revisit_rates(branches, cadence=rulebook.cadence, today=today)
    }
    rows = [
        BranchFigures(
            branch_id=pk,
            day=today,
            started_at=started_at,
            week_id=_week_id(weeks.get(pk)),
            dashboard={
                **{name: getattr(lines[pk], name) for name in LINE_FIELDS},
                "tiers": lines[pk].tiers,
            },
            revisit={name: rates[pk][name] for name in REVISIT_FIELDS},
        )
        for pk in ids
    ]
    BranchFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["branch"],
        update_fields=["day", "started_at", "week_id", "dashboard", "revisit"],
    )
    FiguresChange.objects.filter(at__lt=started_at - KEEP_CHANGES).delete()
    return {row.branch_id: row for row in rows}


# Noting changes ------------------------------------------------------------------------


def note_change(branch_query) -> None:
    """Note a change of the branches `branch_query` selects (a query of one column, the
    branch id), now and again when the transaction commits: one INSERT … SELECT each."""

    def note():
        sub, params = branch_query.order_by().distinct().query.sql_with_params()
        table = connection.ops.quote_name(FiguresChange._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (branch_id, at) SELECT q.*, %s FROM ({sub}) q",
                [now, *params],
            )

    note()
    transaction.on_commit(note)


def _branches_of_villages(village_ids):
    return Township.objects.filter(villages__in=village_ids).values("branch").distinct()


def note_all() -> None:
    from archives.models import Branch

    note_change(Branch.objects.values("pk"))


@receiver(customers_written)
def _customers_written(sender, village_ids, **kwargs):
    note_change(_branches_of_villages(list(village_ids)))


@receiver(post_save, sender=Customer)
@receiver(post_delete, sender=Customer)
def _customer_changed(sender, instance, **kwargs):
    note_change(_branches_of_villages([instance.village_id]))


@receiver(post_save, sender=Village)
@receiver(post_delete, sender=Village)
def _village_changed(sender, instance, **kwargs):
    # A village moved to another township changes two branches: note every branch.
    note_all()


@receiver(post_save, sender=Visit)
@receiver(post_delete, sender=Visit)
@receiver(post_save, sender=Classification)
@receiver(post_delete, sender=Classification)
@receiver(post_save, sender=Override)
def _customer_row_changed(sender, instance, **kwargs):
    village = Customer.objects.filter(pk=instance.customer_id).values("village")
    note_change(Township.objects.filter(villages__in=Subquery(village)).values("branch"))


@receiver(post_save, sender=Week)
@receiver(post_delete, sender=Week)
def _week_changed(sender, instance, **kwargs):
    from archives.models import Branch

    note_change(Branch.objects.filter(pk=instance.branch_id).values("pk"))


@receiver(post_save, sender=Rulebook)
@receiver(post_delete, sender=Rulebook)
def _rulebook_changed(sender, instance, **kwargs):
    note_all()
