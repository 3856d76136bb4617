"""Dashboards and the week's tier summary: figures on a hand-built world, fixed query count, XLSX."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives.models import Branch, CustomerType, Role
from classification import dashboard, summary
from classification.models import Classification, Rulebook, Visit, Week
from classification.rules import Band, Tier
from tests.builders import make_branch, make_customer, make_user, make_village
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
CONFIRMED_WEEK = datetime.date(2026, 11, 9)
PROPOSED_WEEK = datetime.date(2026, 11, 16)


def a_week(branch, start, status=Week.Status.CONFIRMED):
    return Week.objects.create(
        branch=branch, week_start=start, status=status, run_at=timezone.now()
    )


def classify(week, customer, tier, rank=None):
    return Classification.objects.create(
        week=week,
        customer=customer,
        rank=rank,
        rule_tier=tier,
        tier=tier,
        band=Band.ACCOUNT_MANAGER,
    )


def visit(customer, days_ago, *, by, today=TODAY):
    return Visit.objects.create(
        customer=customer, visitor=by, visited_on=today - datetime.timedelta(days=days_ago)
    )


@pytest.mark.parametrize(
    ("part", "whole", "target", "percent", "met"),
    [
        (7, 10, 70, Decimal("70.0"), True),  # exactly on target counts
        (699, 1000, 70, Decimal("69.9"), False),
        (6999, 10000, 70, Decimal("70.0"), False),  # shown rounded, judged exactly
        (2, 3, 70, Decimal("66.7"), False),
        (3, 3, 100, Decimal("100.0"), True),
        (0, 0, 70, None, None),  # nothing to measure
    ],
)
def test_a_rate_is_judged_exactly_against_its_target(part, whole, target, percent, met):
    rate = dashboard.Rate(part, whole, target)
    assert (rate.percent, rate.met) == (percent, met)


@pytest.fixture
def county(world):
    """Branch 1: village A (4 registered, 3 households filed + a co-op, 2 with business) and
    village B (10 registered, 10 filed, exactly 7 with business); key customers visited at
    10, 31 (still in time), 32 days ago and never. Branch 2 has only a proposed week."""
    w = world
    w.village_a.registered_households = 4
    w.village_a.save()
    w.village_b.registered_households = 10
    w.village_b.save()
    jia = make_customer(w.village_a, name="甲", deposit_balance=Decimal("100"))
    yi = make_customer(w.village_a, name="乙", has_deposit_account=True)
    co_op = make_customer(w.village_a, customer_type=CustomerType.COOPERATIVE, name="丙社")
    b_customers = [w.customer_b] + [make_customer(w.village_b, name=f"B{i}") for i in range(9)]
    business = [
        {"deposit_balance": Decimal("5")},
        {"deposit_balance": Decimal("5")},
        {"deposit_balance": Decimal("5")},
        {"deposit_balance": Decimal("5")},
        {"deposit_balance": Decimal("5")},
        {"loan_balance": Decimal("20000")},
        {"has_deposit_account": True},
    ]
    for customer, fields in zip(b_customers, business, strict=False):
        type(customer).objects.filter(pk=customer.pk).update(**fields)

    confirmed = a_week(w.branch1, CONFIRMED_WEEK)
    classify(confirmed, w.customer_a, Tier.KEY_FOLLOW_UP, rank=3)
    classify(confirmed, jia, Tier.KEY_FOLLOW_UP, rank=4)
    classify(confirmed, yi, Tier.PERIODIC_REVISIT)
    classify(confirmed, co_op, Tier.CULTIVATION)
    classify(confirmed, b_customers[0], Tier.KEY_FOLLOW_UP, rank=1)
    classify(confirmed, b_customers[1], Tier.KEY_FOLLOW_UP, rank=2)
    for customer in b_customers[2:]:
        classify(confirmed, customer, Tier.GENERAL_ATTENTION)
    newer = a_week(w.branch1, PROPOSED_WEEK, Week.Status.PROPOSED)  # not used: one is confirmed
    for customer in [w.customer_a, jia, yi, co_op, *b_customers]:
        classify(newer, customer, Tier.UNDECIDED)
    only_proposed = a_week(w.branch2, PROPOSED_WEEK, Week.Status.PROPOSED)
    classify(only_proposed, w.customer_c, Tier.KEY_FOLLOW_UP, rank=1)

    visit(w.customer_a, 10, by=w.manager_a)
    visit(w.customer_a, 60, by=w.manager_a)  # an older visit does not matter
    visit(jia, 31, by=w.manager_a)  # exactly the cadence: still in time
    visit(b_customers[0], 32, by=w.manager_b)  # one day late
    # b_customers[1]: never visited
    w.confirmed, w.newer, w.only_proposed = confirmed, newer, only_proposed
    w.jia, w.co_op, w.b_customers = jia, co_op, b_customers
    return w


def test_village_figures_coverage_connection_and_key_revisits(county):
    rulebook = Rulebook.objects.in_force(TODAY)
    a, b = dashboard.village_lines(county.branch1, county.confirmed, today=TODAY, rulebook=rulebook)
    assert a.obj == county.village_a
    assert (a.filed, a.registered, a.coverage.percent, a.coverage.met) == (
        3,
        4,
        Decimal("75.0"),
        False,
    )
    assert (a.connected, a.customers, a.connection.percent, a.connection.met) == (
        2,
        4,
        Decimal("50.0"),
        False,
    )
    assert (a.key, a.key_revisited, a.overdue, a.revisit.percent) == (2, 2, 0, Decimal("100.0"))
    assert (b.coverage.percent, b.coverage.met) == (Decimal("100.0"), True)
    assert (b.connected, b.customers, b.connection.percent, b.connection.met) == (
        7,
        10,
        Decimal("70.0"),
        True,
    )
    assert (b.key, b.key_revisited, b.overdue, b.revisit.percent) == (2, 0, 2, Decimal("0.0"))
    assert dict(a.tiers) == {Tier.KEY_FOLLOW_UP: 2, Tier.PERIODIC_REVISIT: 1, Tier.CULTIVATION: 1}


def test_branch_figures_use_the_confirmed_week_else_the_proposed_one(county):
    rulebook = Rulebook.objects.in_force(TODAY)
    one, two = dashboard.branch_lines(
        Branch.objects.overseen_by(county.head_office), today=TODAY, rulebook=rulebook
    )
    assert (one.obj, one.week) == (county.branch1, county.confirmed)
    assert (one.filed, one.registered, one.coverage.percent) == (13, 14, Decimal("92.9"))
    assert (one.connected, one.customers, one.connection.percent, one.connection.met) == (
        9,
        14,
        Decimal("64.3"),
        False,
    )
    assert (one.key, one.key_revisited, one.overdue) == (4, 2, 2)
    assert Tier.UNDECIDED not in one.tiers  # the newer proposed week is not counted
    assert (two.obj, two.week) == (county.branch2, county.only_proposed)
    assert (two.key, two.overdue) == (1, 1)


def test_a_longer_cadence_in_the_rulebook_moves_the_cutoff(county):
    rulebook = Rulebook.objects.create(
        effective_from=datetime.date(2026, 1, 1), key_revisit_days=40
    )
    _a, b = dashboard.village_lines(
        county.branch1, county.confirmed, today=TODAY, rulebook=rulebook
    )
    assert (b.key_revisited, b.overdue) == (1, 1)  # 32 days ago is now in time


def test_overdue_key_customers_never_visited_first(county):
    rows = dashboard.overdue_key_customers(
        county.confirmed, today=TODAY, rulebook=Rulebook.objects.in_force(TODAY)
    )
    assert [(r.customer, r.last_visit) for r in rows] == [
        (county.b_customers[1], None),
        (county.b_customers[0], TODAY - datetime.timedelta(days=32)),
    ]


def test_tier_by_type_counts_the_week(county):
    table = {tier: (cells, n) for tier, cells, n in dashboard.tier_by_type(county.confirmed)}
    household = CustomerType.values.index(CustomerType.HOUSEHOLD)
    cooperative = CustomerType.values.index(CustomerType.COOPERATIVE)
    assert table[Tier.KEY_FOLLOW_UP][1] == 4
    assert table[Tier.KEY_FOLLOW_UP][0][household] == 4
    assert table[Tier.CULTIVATION][0][cooperative] == 1
    assert table[Tier.GENERAL_ATTENTION][1] == 8
    assert table[Tier.UNDECIDED][1] == 0


def test_the_pages_show_the_figures_and_which_week(county):
    client = login(county.branch_head)
    page = client.get(reverse("classification:dashboard")).text
    row = page.split('data-branch="B01"')[1].split("</tr>")[0]
    assert "92.9%" in row
    assert "64.3%" in row
    assert "2026-11-09" in row
    assert reverse("classification:dashboard_branch", args=[county.branch1.pk]) in row
    assert 'data-branch="B02"' not in page  # another branch's head is not shown it

    page = client.get(reverse("classification:dashboard_branch", args=[county.branch1.pk])).text
    village_b = page.split(f'data-village="{county.village_b.code}"')[1].split("</tr>")[0]
    assert "70.0% ✓" in village_b
    assert "7/10" in village_b
    assert reverse("classification:week_summary", args=[county.confirmed.pk]) in page
    assert county.b_customers[1].name in page.split('id="overdue-revisits"')[1]

    page = login(county.head_office).get(reverse("classification:dashboard")).text
    assert "2026-11-16" in page.split('data-branch="B02"')[1].split("</tr>")[0]


def test_the_menu_shows_the_dashboard_to_those_who_have_one(world):
    url = reverse("classification:dashboard")
    for persona in ("branch_head", "section_chief", "leader", "head_office"):
        assert url in login(getattr(world, persona)).get("/").text, persona
    assert url not in login(world.manager_a).get("/").text


# --- query count ---------------------------------------------------------------------------


def grow(branch, week, manager, villages):
    """Villages with a household with business, one without, and a key customer visited."""
    for i in range(villages):
        village = make_village(branch=branch, owners=[manager], groups=())
        rich = make_customer(village, name=f"富{i}", deposit_balance=Decimal("1000"))
        make_customer(village, name=f"贫{i}")
        classify(week, rich, Tier.KEY_FOLLOW_UP, rank=i + 1)
        visit(rich, 3, by=manager, today=timezone.localdate())


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboards_cost_the_same_queries_for_2_and_20_villages(db):
    branch = make_branch(name="测试支行", code="T01")
    head = make_user(Role.BRANCH_HEAD, branches=[branch])
    manager = make_user(Role.ACCOUNT_MANAGER, branches=[branch])
    week = a_week(branch, CONFIRMED_WEEK)
    grow(branch, week, manager, 2)
    client = login(head)
    overview = reverse("classification:dashboard")
    detail = reverse("classification:dashboard_branch", args=[branch.pk])
    export = reverse("classification:week_summary", args=[week.pk])
    before = [queries(client, overview), queries(client, detail), queries(client, export)]
    grow(branch, week, manager, 18)
    after = [queries(client, overview), queries(client, detail), queries(client, export)]
    assert before == after
    # session, user, scope and weeks, rulebook, one per figure; the overview computes the
    # branch (the kept figures: read, the grouped queries, the revisit query, the upsert).
    assert max(before) <= 14, before


# --- the tier summary export ---------------------------------------------------------------


def test_the_summary_xlsx_reads_back_as_the_counts(county):
    county.village_b.name = "=HYPERLINK(1)"  # a name that would be a formula
    county.village_b.save()
    response = login(county.section_chief).get(
        reverse("classification:week_summary", args=[county.confirmed.pk])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [summary.SUMMARY_SHEET, summary.VILLAGE_SHEET]

    detail = list(workbook[summary.VILLAGE_SHEET].iter_rows(values_only=True))
    assert list(detail[0]) == ["行政村编码", "行政村", "层级", *summary.type_headers(), "合计"]
    expected = {}
    for row in Classification.objects.filter(week=county.confirmed).select_related("customer"):
        key = (row.customer.village.code, row.tier, row.customer.customer_type)
        expected[key] = expected.get(key, 0) + 1
    labels = {summary.tier_label(t): t for t in summary.TIERS}
    read = {}
    for code, _name, tier_label, *cells in detail[1:]:
        *by_type, row_total = cells
        assert row_total == sum(by_type)
        for customer_type, n in zip(CustomerType.values, by_type, strict=True):
            if n:
                read[code, labels[tier_label], customer_type] = n
    assert read == expected
    names = {code: name for code, name, *_rest in detail[1:]}
    assert names[county.village_b.code] == "'=HYPERLINK(1)"  # text, never a formula
    assert len(detail) == 1 + 2 * len(summary.TIERS)  # both villages, every tier

    rows = list(workbook[summary.SUMMARY_SHEET].iter_rows(values_only=True))
    assert rows[0][:2] == ("支行", county.branch1.name)
    table = {r[0]: r[1:] for r in rows[5:]}
    household = CustomerType.values.index(CustomerType.HOUSEHOLD)
    key_row = table[summary.tier_label(Tier.KEY_FOLLOW_UP)]
    assert key_row[household] == 4
    assert key_row[-1] == 4
    assert table["合计"][-1] == Classification.objects.filter(week=county.confirmed).count()
