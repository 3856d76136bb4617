"""Head office's pages of many branches read kept figures (classification/figures.py).

The dashboard overview and the revisit rate compute a branch's figures from its
customers once, then read them back until something they count changes. Each write
below must show on the next page exactly as a computation from scratch shows it, and
leave the other branch's kept figures alone.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archives import balances
from archives.models import Branch, Customer
from archives.signals import customers_written
from classification import figures, services
from classification.models import BranchFigures, FiguresChange, Rulebook, Week
from classification.rules import Tier
from tests.builders import make_customer
from tests.classification.test_balances import extract, line
from tests.classification.test_followup import ago, confirm, ranked_customers, visit
from tests.conftest import login

pytestmark = pytest.mark.django_db

REVISIT = reverse("classification:revisit_rate")
OVERVIEW = reverse("classification:dashboard")


def revisit_table(response):
    return [
        (r["branch"].code, r["key_total"], r["key_revisited"], r["key_overdue"], r["overdue"])
        for r in response.context["table"]
    ]


def overview_table(response):
    return [
        (
            line.obj.code,
            line.registered,
            line.filed,
            line.customers,
            line.connected,
            line.key,
            line.key_revisited,
            sorted(line.tiers.items()),
        )
        for line in response.context["lines"]
    ]


def both(client):
    return revisit_table(client.get(REVISIT)), overview_table(client.get(OVERVIEW))


def from_scratch(client):
    BranchFigures.objects.all().delete()
    return both(client)


@pytest.fixture
def ranked(world):
    customers = ranked_customers(world.village_a, 4)
    confirm(world, day=ago(timezone.localdate(), 40))
    # Branch 2 has only a proposed week: its dashboard counts that week's tiers.
    services.run_week(branch=world.branch2, today=timezone.localdate(), now=timezone.now())
    return customers


def test_a_second_look_reads_the_kept_figures_and_no_customer(world, ranked):
    client = login(world.head_office)
    first = both(client)
    with CaptureQueriesContext(connection) as captured:
        second = both(client)
    assert second == first
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("archives_customer", "classification_visit", "classification_classification"):
        assert f'"{table}"' not in sql, table
    assert first[0][0] == ("B01", 4, 0, 4, 4)  # four key customers, none visited since


def _visit(world, ranked):
    visit(ranked[0], timezone.localdate(), world.manager_a)
    return world.branch1


def _file_customer(world, ranked):
    make_customer(world.village_a, name="新客户", deposit_balance=Decimal("10"))
    return world.branch1


def _delete_customer(world, ranked):
    ranked[3].delete()
    return world.branch1


def _import_balances(world, ranked):
    data = extract([line(world.customer_a, balances_as_of="2026-11-29")])
    result = balances.import_balances(
        io.BytesIO(data),
        filename="余额.xlsx",
        user=world.head_office,
        today=datetime.date(2026, 11, 30),
        now=timezone.now(),
        dry_run=False,
    )
    assert not result.problems
    return world.branch1


def _confirm_this_week(world, ranked):
    # A customer whose write noted nothing: the week's confirmation shows it.
    make_customer(world.village_a, name="大户", deposit_balance=Decimal("9999999"))
    FiguresChange.objects.all().delete()
    confirm(world)
    return world.branch1


def _override_a_proposed_week(world, ranked):
    week = Week.objects.get(branch=world.branch2)
    (row,) = week.rows.all()
    services.override_tier(
        week=week,
        customer=row.customer,
        tier=Tier.KEY_FOLLOW_UP if row.tier != Tier.KEY_FOLLOW_UP else Tier.CULTIVATION,
        reason="支行行长调整",
        user=world.branch_head_2,
        now=timezone.now(),
    )
    return world.branch2


def _rulebook(world, ranked):
    # Key for 40 days, never visited: overdue at 31 days, not at 50.
    Rulebook.objects.create(effective_from=ago(timezone.localdate(), 1), key_revisit_days=50)
    return None  # every branch's


@pytest.mark.parametrize(
    "write",
    [
        _visit,
        _file_customer,
        _delete_customer,
        _import_balances,
        _confirm_this_week,
        _override_a_proposed_week,
        _rulebook,
    ],
)
def test_every_write_the_figures_count_shows_on_the_next_page(world, ranked, write):
    client = login(world.head_office)
    before = both(client)
    kept = {f.branch_id: f.started_at for f in BranchFigures.objects.all()}
    changed = write(world, ranked)
    after = both(client)
    if changed is not None:
        for f in BranchFigures.objects.exclude(branch=changed):
            assert f.started_at == kept[f.branch_id], "an unchanged branch computed again"
    assert after != before  # the write changed something the pages count ...
    assert after == from_scratch(client)  # ... and they show exactly that


def test_a_computation_that_began_before_a_change_is_not_kept(world, ranked):
    client = login(world.head_office)
    both(client)
    kept = BranchFigures.objects.get(branch=world.branch1)
    # A change committed while the computation was reading: noted at its start or later.
    FiguresChange.objects.create(branch=world.branch1, at=kept.started_at)
    both(client)
    assert BranchFigures.objects.get(branch=world.branch1).started_at > kept.started_at
    again = BranchFigures.objects.get(branch=world.branch1).started_at
    both(client)
    assert BranchFigures.objects.get(branch=world.branch1).started_at == again


def test_the_figures_of_another_day_are_computed_again(world, ranked):
    today = timezone.localdate()
    rulebook = Rulebook.objects.in_force(today)
    visit(ranked[0], ago(today, 31), world.manager_a)  # the last day within the month
    branches = Branch.objects.overseen_by(world.head_office)
    (row, _other) = figures.revisit_rates(branches.order_by("code"), today=today, rulebook=rulebook)
    assert row["key_revisited"] == 1
    tomorrow = today + datetime.timedelta(days=1)
    (row, _other) = figures.revisit_rates(
        branches.order_by("code"), today=tomorrow, rulebook=rulebook
    )
    assert row["key_revisited"] == 0  # day 32: overdue
    assert BranchFigures.objects.get(branch=world.branch1).day == tomorrow


def test_a_bulk_archive_write_notes_its_branches_only(world, ranked):
    client = login(world.head_office)
    both(client)
    kept = {f.branch_id: f.started_at for f in BranchFigures.objects.all()}
    Customer.objects.filter(pk=world.customer_c.pk).update(deposit_balance=Decimal("99"))
    both(client)  # an update that sends nothing is not seen ...
    assert BranchFigures.objects.get(branch=world.branch2).started_at == kept[world.branch2.pk]
    customers_written.send(sender=Customer, village_ids={world.village_c.pk})
    both(client)  # ... the archive's signal is, for the branch of the village only
    after = {f.branch_id: f.started_at for f in BranchFigures.objects.all()}
    assert after[world.branch1.pk] == kept[world.branch1.pk]
    assert after[world.branch2.pk] > kept[world.branch2.pk]
