"""Layered maintenance after the weekly confirmation, "my customers", revisits due, revisit rate."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archives.models import Customer
from classification import services, visits
from classification.models import Maintainer, Rulebook
from classification.rules import Tier
from tests.builders import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2025, 1, 1)  # archive date of the customers built here


@pytest.fixture
def today():
    return timezone.localdate()


def ago(today, days):
    return today - datetime.timedelta(days=days)


def confirm(world, branch=None, day=None):
    """Run and confirm the week of `day` (today by default) as the branch head."""
    branch = branch or world.branch1
    day = day or timezone.localdate()
    week = services.run_week(branch=branch, today=day, now=timezone.now())
    head = world.branch_head if branch == world.branch1 else world.branch_head_2
    return services.confirm_week(week=week, user=head, today=day, now=timezone.now())


def ranked_customers(village, n):
    """n customers of distinct balances: customer i ranks i in the branch."""
    return [
        make_customer(
            village,
            name=f"客户{i:02d}",
            deposit_balance=Decimal(1000 * (n + 1 - i)),
            main_income="farming",
            archived_on=LONG_AGO,
        )
        for i in range(1, n + 1)
    ]


def visit(customer, day, visitor, partner=None):
    """A visit logged the way the page logs it (the service keeps the follow-up current)."""
    return visits.record_visit(
        customer=customer,
        visitor=visitor,
        partner=partner,
        visited_on=day,
        today=timezone.localdate(),
        learnt="走访",
    )


def duties_of(customer):
    return set(Maintainer.objects.filter(customer=customer).values_list("user__username", "duty"))


GOLDEN = {("leader_1", "leader"), ("branch_head_1", "branch_head"), ("manager_a", "dedicated")}
CHIEF = {("chief_1", "chief"), ("branch_head_1", "branch_head"), ("manager_a", "dedicated")}
HEAD = {("branch_head_1", "branch_head"), ("manager_a", "dedicated")}


@pytest.mark.parametrize(
    ("rank", "duties"),
    [
        (1, GOLDEN),
        (5, GOLDEN),
        (6, CHIEF),
        (20, CHIEF),
        (21, HEAD),
        (50, HEAD),
        (51, set()),  # the area's account managers, from the village: no rows
        (52, set()),
    ],
)
def test_confirming_the_week_assigns_maintenance_by_rank(world, rank, duties):
    customers = ranked_customers(world.village_a, 52)
    confirm(world)
    assert duties_of(customers[rank - 1]) == duties


def test_a_duty_that_carries_on_keeps_its_start_date(world, today):
    (first,) = ranked_customers(world.village_a, 1)
    confirm(world, day=ago(today, 14))
    confirm(world, day=ago(today, 7))
    since = set(Maintainer.objects.filter(customer=first).values_list("since", flat=True))
    assert since == {ago(today, 14)}  # not reset by the second confirmation


@pytest.fixture
def branch_of_52(world):
    customers = ranked_customers(world.village_a, 52)
    confirm(world)
    return customers


def names(customers):
    return {c.name for c in customers}


@pytest.mark.parametrize(
    ("role", "ranks", "others"),
    [
        ("leader", range(1, 6), set()),
        ("section_chief", range(6, 21), set()),
        ("branch_head", range(1, 51), set()),
        ("manager_a", range(1, 53), {"王大山"}),  # dedicated 1-50, area 51+ and the unranked
        ("manager_a2", range(51, 53), {"王大山"}),  # same village, no dedicated customers
        ("manager_b", (), {"刘小河"}),
        ("manager_c", (), {"陈七里"}),  # branch 2, never classified: all area customers
        ("branch_head_2", (), set()),
        ("head_office", (), set()),
    ],
)
def test_my_customers_per_role(world, branch_of_52, role, ranks, others):
    user = getattr(world, role)
    expected = {f"客户{i:02d}" for i in ranks} | others
    assert names(services.customers_to_maintain(user)) == expected


def test_a_customer_made_key_by_the_branch_heads_override_gets_a_dedicated_manager(world, today):
    customers = ranked_customers(world.village_a, 52)
    week = services.run_week(branch=world.branch1, today=today, now=timezone.now())
    low = customers[51]  # rank 52: maintained by the village's account managers
    assert week.rows.get(customer=low).tier != Tier.KEY_FOLLOW_UP
    services.override_tier(
        week=week,
        customer=low,
        tier=Tier.KEY_FOLLOW_UP,
        reason="大额定期存款下月到期",
        user=world.branch_head,
        now=timezone.now(),
    )
    services.confirm_week(week=week, user=world.branch_head, today=today, now=timezone.now())
    assert duties_of(low) == {("manager_a", "dedicated")}  # DOMAIN.md §7
    assert low.name in names(services.customers_to_maintain(world.manager_a))
    assert low.name not in names(services.customers_to_maintain(world.manager_a2))
    assert duties_of(customers[50]) == set()  # rank 51, not key: the area's, no rows


def test_the_duty_shown_is_the_users_own(world, branch_of_52):
    rows = visits.follow_up_of(world.manager_a, cadence=Rulebook().cadence)
    duty = {c.name: c.duty for c in rows}
    assert duty["客户01"] == duty["客户50"] == "dedicated"
    assert duty["客户51"] == duty["王大山"] == "area"
    leader_rows = visits.follow_up_of(world.leader, cadence=Rulebook().cadence)
    assert {c.duty for c in leader_rows} == {"leader"}


def test_a_ranked_customer_is_not_an_area_customer_even_without_a_branch_head(world):
    world.branch_head.is_active = False
    world.branch_head.save()
    customers = ranked_customers(world.village_a, 25)
    week = services.run_week(branch=world.branch1, today=timezone.localdate(), now=timezone.now())
    services.confirm_week(
        week=week, user=world.head_office, today=timezone.localdate(), now=timezone.now()
    )
    assert duties_of(customers[24]) == {("manager_a", "dedicated")}
    assert customers[24].name not in names(services.customers_to_maintain(world.manager_a2))


def test_the_leader_counts_only_their_own_visits_to_golden_customers(world, branch_of_52, today):
    golden = branch_of_52[0]
    visit(golden, ago(today, 3), world.manager_a)
    cadence = Rulebook().cadence
    (row,) = visits.describe(
        visits.follow_up_of(world.leader, cadence=cadence).filter(pk=golden.pk),
        cadence=cadence,
        today=today,
    )
    assert row.cadence_days == 92
    assert row.last_visit is None  # the account manager's visit is not the leader's
    visit(golden, ago(today, 2), world.manager_a, partner=world.leader)
    (row,) = visits.describe(
        visits.follow_up_of(world.leader, cadence=cadence).filter(pk=golden.pk),
        cadence=cadence,
        today=today,
    )
    assert row.last_visit == ago(today, 2)  # going along as the partner counts
    assert row.due == ago(today, 2) + datetime.timedelta(days=92)


def test_the_database_and_the_rules_agree_on_every_due_date(world, branch_of_52, today):
    """The filters and the order run in SQL; what is shown comes from rules.py."""
    kalefu = branch_of_52[51]
    kalefu.ebanking_products = ["fuka", "kalefu"]
    kalefu.save()
    for i, c in enumerate(branch_of_52[::3]):
        visit(c, ago(today, 5 * i), world.manager_a, partner=world.leader if i % 2 else None)
    cadence = Rulebook().cadence
    for user in (world.manager_a, world.leader, world.branch_head, world.section_chief):
        rows = visits.describe(
            visits.follow_up_of(user, cadence=cadence), cadence=cadence, today=today
        )
        assert rows
        for row in rows:
            assert row.next_due == row.due, (user, row.name)
    row = next(
        r
        for r in visits.describe(
            visits.follow_up_of(world.manager_a, cadence=cadence), cadence=cadence, today=today
        )
        if r.pk == kalefu.pk
    )
    assert row.uses_kalefu
    assert row.cadence_days == 31  # a Kalefu user: monthly, although periodic revisit


# The pages ------------------------------------------------------------------------------


@pytest.fixture
def village_b_customers(world, today):
    """manager_b's customers: overdue, due in five days, visited lately, no cadence."""
    periodic = {"main_income": "farming", "has_deposit_account": True, "archived_on": LONG_AGO}
    overdue = make_customer(world.village_b, name="逾期户", **periodic)
    soon = make_customer(world.village_b, name="将到期户", **periodic)
    lately = make_customer(world.village_b, name="刚走访户", **periodic)
    kalefu = make_customer(
        world.village_b, name="卡乐付户", ebanking_products=["kalefu"], **periodic
    )
    confirm(world)
    visit(overdue, ago(today, 93), world.manager_b)  # quarterly: due 92 days on
    visit(soon, ago(today, 87), world.manager_b)  # due in five days
    visit(lately, ago(today, 10), world.manager_b)
    visit(kalefu, ago(today, 40), world.manager_b)  # monthly: overdue
    return {"overdue": overdue, "soon": soon, "lately": lately, "kalefu": kalefu}


def page_rows(response):
    return {c.name: c for c in response.context["rows"]}


def test_my_customers_shows_duty_tier_last_visit_and_highlights_the_overdue(
    world, village_b_customers, today
):
    response = login(world.manager_b).get(reverse("classification:my_customers"))
    rows = page_rows(response)
    assert set(rows) == {"逾期户", "将到期户", "刚走访户", "卡乐付户", "刘小河"}
    assert rows["逾期户"].overdue
    assert rows["逾期户"].days_overdue == 1
    assert rows["卡乐付户"].overdue
    assert rows["卡乐付户"].cadence_days == 31
    assert not rows["将到期户"].overdue
    assert rows["刚走访户"].last_visit == ago(today, 10)
    assert rows["刚走访户"].follow_tier == "periodic_revisit"
    assert rows["刘小河"].due is None  # to be decided: no cadence
    assert list(rows)[:2] == ["卡乐付户", "逾期户"]  # the most overdue first (9 days, 1 day)
    assert response.text.count('data-overdue="1"') == 2


def test_my_customers_can_show_the_overdue_only(world, village_b_customers):
    response = login(world.manager_b).get(reverse("classification:my_customers") + "?overdue=1")
    assert set(page_rows(response)) == {"逾期户", "卡乐付户"}


def test_revisits_due_lists_what_is_due_within_a_week_or_overdue(world, village_b_customers):
    response = login(world.manager_b).get(reverse("classification:revisits_due"))
    assert set(page_rows(response)) == {"逾期户", "卡乐付户", "将到期户"}


def test_my_customers_is_paginated(world, branch_of_52):
    client = login(world.manager_a)
    first = client.get(reverse("classification:my_customers"))
    assert first.context["page"].paginator.count == 53  # 50 dedicated, 2 area, the unranked
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("classification:my_customers") + "?page=2")
    assert len(second.context["rows"]) == 3


@pytest.mark.parametrize(
    ("query", "count", "rows", "number", "apart"),
    [
        ("", 53, 50, 1, 0),
        ("?page=2", 53, 3, 2, 0),
        ("?page=9", 53, 3, 2, 1),  # a stale link past the end: the last page
        ("?page=x", 53, 50, 1, 0),
        ("?page=0", 53, 3, 2, 1),  # as Paginator.get_page: below 1 is the last page
        ("?overdue=1", 2, 2, 1, 0),
        ("?overdue=1&page=2", 2, 2, 1, 1),
    ],
)
def test_my_customers_counts_its_rows_in_the_page_query(
    world, branch_of_52, query, count, rows, number, apart
):
    client = login(world.manager_a)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("classification:my_customers") + query)
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.paginator.count, len(response.context["rows"]), page.number) == (
        count,
        rows,
        number,
    )
    # The customers are computed (tier, duty, due date) in one query that also counts
    # them; only a page past the end counts apart to find the last page.
    sql = [q["sql"] for q in ctx.captured_queries]
    pages = [q for q in sql if q.startswith('SELECT "archives_customer"."id"') and "OVER ()" in q]
    counted = [q for q in sql if q.startswith("SELECT COUNT(") and '"archives_customer"' in q]
    assert (len(pages), len(counted)) == (1 - (query == "?page=0"), apart), sql


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["my_customers", "revisits_due"])
def test_the_lists_cost_the_same_queries_for_5_customers_or_40(
    world, village_b_customers, url_name, today
):
    client = login(world.manager_b)
    url = reverse(f"classification:{url_name}")
    few = count_queries(client, url)
    for i in range(35):
        c = make_customer(
            world.village_b,
            name=f"新户{i}",
            main_income="farming",
            has_deposit_account=True,
            archived_on=LONG_AGO,
        )
        visit(c, ago(today, 90), world.manager_b)
    assert count_queries(client, url) == few


# The revisit rate -------------------------------------------------------------------------


def test_revisit_rate_counts_key_customers_visited_within_their_cadence(world, today):
    c1, c2, c3, _c4 = ranked_customers(world.village_a, 4)  # ranks 1-4: key follow-up
    confirm(world, day=ago(today, 40))
    visit(c1, ago(today, 10), world.manager_a)
    visit(c2, ago(today, 31), world.manager_a)  # day 31: still within the month
    visit(c3, ago(today, 32), world.manager_a)  # day 32: overdue
    # c4 never visited since it became key 40 days ago: overdue
    response = login(world.head_office).get(reverse("classification:revisit_rate"))
    table = {row["branch"].code: row for row in response.context["table"]}
    assert table["B01"]["key_total"] == 4
    assert table["B01"]["key_revisited"] == 2
    assert table["B01"]["rate"] == 50.0
    assert table["B01"]["key_overdue"] == 2
    assert table["B02"]["key_total"] == 0
    assert table["B02"]["rate"] is None


def test_revisit_rate_is_100_when_every_key_customer_was_visited(world, today):
    customers = ranked_customers(world.village_a, 3)
    confirm(world)
    for c in customers:
        visit(c, today, world.branch_head)
    response = login(world.branch_head).get(reverse("classification:revisit_rate"))
    (row,) = response.context["table"]  # a branch head sees their own branch only
    assert row["branch"] == world.branch1
    assert (row["key_total"], row["key_revisited"], row["rate"], row["key_overdue"]) == (
        3,
        3,
        100.0,
        0,
    )


def test_revisit_rate_uses_the_rulebook_in_force(world, today):
    (c1,) = ranked_customers(world.village_a, 1)
    confirm(world, day=ago(today, 30))
    visit(c1, ago(today, 20), world.manager_a)
    Rulebook.objects.create(effective_from=ago(today, 1), key_revisit_days=14)
    response = login(world.head_office).get(reverse("classification:revisit_rate"))
    row = response.context["table"][0]
    assert (row["key_revisited"], row["key_overdue"]) == (0, 1)


def test_the_revisit_rate_costs_the_same_queries_for_any_number_of_customers(world, today):
    client = login(world.head_office)
    url = reverse("classification:revisit_rate")
    ranked_customers(world.village_a, 3)
    confirm(world)
    few = count_queries(client, url)
    Customer.objects.all().delete()
    for c in ranked_customers(world.village_b, 30):
        visit(c, ago(today, 3), world.manager_b)
    confirm(world, day=today + datetime.timedelta(days=7))
    assert count_queries(client, url) == few


def _confirm_past_weeks(world, today, backs):
    """Confirm the weeks `backs` weeks before this one (this week is confirmed already)."""
    for back in backs:
        confirm(world, day=ago(today, 7 * back))


def _select_counts(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    # The weekly history is not read, only the rows of each branch's chosen week (the kept
    # figures of classification/figures.py): the page's cost cannot grow with the weeks.
    history = [q for q in sql if "classification_classification" in q]
    assert all('"classification_classification"."week_id" IN (' in q for q in history), history
    # An INSERT of kept figures is VALUES for one branch and SELECT … UNNEST for several on
    # PostgreSQL: the same one statement either way.
    return [0 if q.startswith("INSERT") else q.count("SELECT") for q in sql]


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("classification:my_customers", "branch_head"),
        ("classification:my_customers", "manager_a"),
        ("classification:revisits_due", "leader"),
        ("classification:revisit_rate", "head_office"),
    ],
)
def test_the_follow_up_pages_cost_the_same_queries_after_1_confirmed_week_or_6(
    world, branch_of_52, today, url_name, role
):
    client = login(getattr(world, role))
    url = reverse(url_name)
    after_one = _select_counts(client, url)
    _confirm_past_weeks(world, today, range(1, 6))
    # The same queries, none of them with more subqueries.
    assert _select_counts(client, url) == after_one


def test_the_follow_up_row_holds_the_latest_confirmed_week_and_the_latest_visit(world, today):
    first = ranked_customers(world.village_a, 3)[0]
    confirm(world, day=ago(today, 14))
    visit(first, ago(today, 3), world.manager_a)
    visit(first, ago(today, 10), world.manager_a)  # an older visit logged later
    week = confirm(world, day=today)
    confirm(world, day=ago(today, 7))  # an older week confirmed late changes nothing

    row = first.follow_up
    row.refresh_from_db()
    assert (row.tier, row.rank, row.week_id) == ("key_follow_up", 1, week.pk)
    assert row.last_visit == ago(today, 3)
    assert row.since == Maintainer.objects.filter(customer=first).order_by("since")[0].since
