"""The weekly run's one INSERT ... SELECT decides exactly what the pure rules decide."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from archives.models import Customer, CustomerType, MainIncome
from classification import rules, services
from classification.models import Override, Rulebook, Week

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
WEEK = datetime.timedelta(days=7)
INCOMES = [*MainIncome.values, ""]
# Deposit and loan pairs: zero, the smallest balance, equal totals made of different
# parts (0.10 + 0.20 and 0.30 tie exactly, whatever the database's number type), a
# loan alone, and large figures.
BALANCES = [
    ("0", "0"),
    ("0.01", "0"),
    ("0.10", "0.20"),
    ("0.30", "0"),
    ("100", "0"),
    ("50", "50"),
    ("0", "100"),
    ("0", "0"),
    ("2500.75", "12000"),
    ("99999999.99", "0"),
    ("7", "0"),
]
ARCHIVED = [datetime.date(2025, 6, 1), datetime.date(2024, 1, 15), datetime.date(2025, 6, 1)]


def add_customers(village, count, *, offset=0):
    """Customers with every income, balance and archive date mixed, so that ranks tie."""
    Customer.objects.bulk_create(
        Customer(
            village=village,
            customer_type=CustomerType.HOUSEHOLD,
            name=f"户{offset + i}",
            id_number=f"S{offset + i:017d}",
            deposit_balance=Decimal(BALANCES[i % len(BALANCES)][0]),
            loan_balance=Decimal(BALANCES[i % len(BALANCES)][1]),
            main_income=INCOMES[i % len(INCOMES)],
            has_deposit_account=i % 3 == 0,
            archived_on=ARCHIVED[i % len(ARCHIVED)],
        )
        for i in range(count)
    )


def expected_rows(branch, *, thresholds, overrides, previous):
    """What the pure rules give for the branch today, as the week's rows should hold it."""
    results = rules.classify_branch(
        services.branch_facts(branch),
        thresholds=thresholds,
        income_labels=dict(MainIncome.choices),
    )
    return {
        cid: {
            "rank": r.rank,
            "rule_tier": r.tier.value,
            "reasons": [(x.code, dict(x.params)) for x in r.reasons],
            "texts": r.reason_texts,
            "band": rules.band_for(r.rank, thresholds).value,
            "tier": overrides.get(cid, r.tier.value),
            "source": "override" if cid in overrides else "rules",
            "previous_tier": previous.get(cid, ""),
        }
        for cid, r in results.items()
    }


def stored_rows(week):
    return {
        row.customer_id: {
            "rank": row.rank,
            "rule_tier": row.rule_tier,
            "reasons": [(x.code, dict(x.params)) for x in row.reasons],
            "texts": [str(x) for x in row.reasons],
            "band": row.band,
            "tier": row.tier,
            "source": row.source,
            "previous_tier": row.previous_tier,
        }
        for row in week.rows.all()
    }


def run(branch, day):
    return services.run_week(branch=branch, today=day, now=timezone.now())


def set_override(customer, tier, user, *, lifted=False):
    now = timezone.now()
    return Override.objects.create(
        customer=customer,
        tier=tier,
        reason="支行例会认定",
        set_by=user,
        set_at=now,
        lifted_by=user if lifted else None,
        lifted_at=now if lifted else None,
    )


@pytest.mark.parametrize(
    "thresholds",
    [rules.Thresholds(), rules.Thresholds(key_limit=7, golden_max_rank=2, chief_max_rank=4)],
    ids=["the default top fifty", "a rulebook's top seven"],
)
def test_the_weekly_statement_gives_every_customer_what_the_rules_give(world, thresholds):
    if thresholds != rules.Thresholds():
        Rulebook.objects.create(
            effective_from=MONDAY - 10 * WEEK,
            key_limit=thresholds.key_limit,
            golden_max_rank=thresholds.golden_max_rank,
            chief_max_rank=thresholds.chief_max_rank,
        )
    add_customers(world.village_a, 50)
    add_customers(world.village_b, 40, offset=50)
    add_customers(world.village_c, 30, offset=90)  # another branch: ranked on its own
    branch = world.branch1
    customers = list(Customer.objects.filter(village__township__branch=branch).order_by("pk"))

    first = run(branch, MONDAY)
    assert stored_rows(first) == expected_rows(
        branch, thresholds=thresholds, overrides={}, previous={}
    )
    Week.objects.filter(pk=first.pk).update(status=Week.Status.CONFIRMED)
    confirmed = dict(first.rows.values_list("customer_id", "tier"))
    run(branch, MONDAY + WEEK)  # proposed, never confirmed: not "last week" for later runs
    Week.objects.create(  # another branch's confirmed week is not this branch's last week
        branch=world.branch2,
        week_start=MONDAY + WEEK,
        run_at=timezone.now(),
        status=Week.Status.CONFIRMED,
    )

    # The week after: balances move, a customer arrives, the branch head has decided some.
    for customer in customers[::4]:
        customer.deposit_balance += Decimal("150.5")
        customer.save(update_fields=["deposit_balance"])
    newcomer = Customer.objects.create(
        village=world.village_b,
        customer_type=CustomerType.HOUSEHOLD,
        name="新户",
        id_number="S99999999999999999",
        deposit_balance=Decimal("300"),
        main_income="farming",
        archived_on=datetime.date(2026, 11, 1),
    )
    set_override(customers[0], "cultivation", world.branch_head)
    set_override(customers[5], "undecided", world.branch_head)
    set_override(customers[9], "key_follow_up", world.branch_head, lifted=True)
    set_override(world.customer_c, "key_follow_up", world.branch_head_2)  # other branch
    overrides = {customers[0].pk: "cultivation", customers[5].pk: "undecided"}

    third = run(branch, MONDAY + 2 * WEEK)
    expected = expected_rows(branch, thresholds=thresholds, overrides=overrides, previous=confirmed)
    assert stored_rows(third) == expected
    assert expected[newcomer.pk]["previous_tier"] == ""

    # The data set reaches every tier, reason and band, and both sides of the key limit.
    rows = expected.values()
    assert {r["rule_tier"] for r in rows} == set(rules.Tier)
    assert {code for r in rows for code, _params in r["reasons"]} == set(rules.REASON_TEXTS)
    assert {r["band"] for r in rows} == set(rules.Band)
    ranks = {r["rank"] for r in rows}
    assert {None, thresholds.key_limit, thresholds.key_limit + 1} <= ranks


def test_equal_totals_rank_by_archive_date_then_record(world):
    day = datetime.date(2025, 1, 1)
    made = [
        Customer(
            village=world.village_a,
            customer_type=CustomerType.HOUSEHOLD,
            name=f"同额{i}",
            id_number=f"T{i:017d}",
            deposit_balance=Decimal(deposit),
            loan_balance=Decimal(loan),
            archived_on=day + datetime.timedelta(days=days),
        )
        for i, (deposit, loan, days) in enumerate(
            [("0.30", "0", 1), ("0.10", "0.20", 0), ("0.20", "0.10", 0), ("0.3", "0", 0)]
        )
    ]
    Customer.objects.bulk_create(made)
    ids = {c.name: c.pk for c in Customer.objects.filter(name__startswith="同额")}
    week = run(world.branch1, MONDAY)
    ranks = dict(week.rows.filter(rank__isnull=False).values_list("customer_id", "rank"))
    assert ranks == {ids["同额1"]: 1, ids["同额2"]: 2, ids["同额3"]: 3, ids["同额0"]: 4}


def test_ranks_are_consecutive_per_branch(world):
    add_customers(world.village_a, 22)
    add_customers(world.village_c, 22, offset=22)
    for branch in (world.branch1, world.branch2):
        week = run(branch, MONDAY)
        ranks = sorted(week.rows.filter(rank__isnull=False).values_list("rank", flat=True))
        assert ranks == list(range(1, len(ranks) + 1))
