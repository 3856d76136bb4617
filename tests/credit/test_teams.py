"""A branch's service teams and its managers' loads (DOMAIN.md §5.3), through the functions
and the page `credit:teams`."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archives.models import BranchKind, Role
from credit import rules
from credit.models import Figures, Group
from credit.teams import branch_loads, branch_teams
from tests.builders import make_corporate, make_customer, make_user, make_village
from tests.conftest import login

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 30)
PERIOD = datetime.date(2026, 5, 1)
A, B1, B2 = rules.Role.A, rules.Role.B1, rules.Role.B2
ONE_TO_ONE, CLUSTER = rules.Plan.ONE_TO_ONE, rules.Plan.CLUSTER


def figures(customer, exposure, period=PERIOD):
    return Figures.objects.create(
        customer=customer, period=period, exposure=exposure, imported_at=timezone.now()
    )


def row_of(rows, customer):
    return next(row for row in rows if row.customer.pk == customer.pk)


def flag_corporate(user, value):
    type(user).objects.filter(pk=user.pk).update(corporate_manager=value)


def page(user, branch):
    return login(user).get(reverse("credit:teams", args=[branch.pk]))


# --- the team required, at each boundary, per branch kind ------------------------------------


@pytest.mark.parametrize(
    ("kind", "exposure", "roles", "plans"),
    [
        (BranchKind.PREFECTURE, "10000000", (A, B1), (CLUSTER,)),
        (BranchKind.PREFECTURE, "10000000.01", (A, B1), (ONE_TO_ONE, CLUSTER)),
        (BranchKind.PREFECTURE, "30000000", (A, B1), (ONE_TO_ONE, CLUSTER)),
        (BranchKind.PREFECTURE, "30000000.01", (A, B1, B2), (ONE_TO_ONE,)),
        (BranchKind.WUHAN, "10000000", (A, B1), (CLUSTER,)),
        (BranchKind.WUHAN, "10000000.01", (A, B1), (ONE_TO_ONE, CLUSTER)),
        (BranchKind.WUHAN, "30000000.01", (A, B1), (ONE_TO_ONE, CLUSTER)),
        (BranchKind.WUHAN, "50000000", (A, B1), (ONE_TO_ONE, CLUSTER)),
        (BranchKind.WUHAN, "50000000.01", (A, B1, B2), (ONE_TO_ONE,)),
    ],
)
def test_the_team_required_follows_the_exposure_and_the_branch_kind(
    world, kind, exposure, roles, plans
):
    world.branch1.kind = kind
    world.branch1.save()
    figures(world.company_1, Decimal(exposure))
    row = row_of(branch_teams(world.branch1, ON), world.company_1)
    assert row.exposure == Decimal(exposure)
    assert row.team.roles == roles
    assert row.team.plans == plans
    assert row.gaps == tuple(r for r in roles if r not in (A, B1))


def test_a_group_is_sized_by_the_sum_of_its_members_latest_exposure_across_branches(world):
    group = Group.objects.create(name="红安建工集团")
    world.company_1.group = group
    world.company_1.save()
    world.company_2.group = group
    world.company_2.save()
    figures(world.company_1, Decimal("15000000"))
    figures(world.company_2, Decimal("15000000.01"))
    # An older, larger figure and a later one after the day are not the latest up to it.
    figures(world.company_2, Decimal("90000000"), period=datetime.date(2026, 1, 1))
    figures(world.company_2, Decimal("90000000"), period=datetime.date(2026, 7, 1))
    row = row_of(branch_teams(world.branch1, ON), world.company_1)
    assert row.own_exposure == Decimal("15000000")
    assert row.exposure == Decimal("30000000.01")
    assert row.group_members == 2
    assert row.team.roles == (A, B1, B2)  # above the prefecture branch's 30,000,000
    assert row.gaps == (B2,)
    # The same group, exactly at the threshold: not above it.
    Figures.objects.filter(customer=world.company_2, period=PERIOD).update(
        exposure=Decimal("15000000")
    )
    row = row_of(branch_teams(world.branch1, ON), world.company_1)
    assert row.exposure == Decimal("30000000")
    assert row.team.roles == (A, B1)
    assert not row.incomplete


def test_a_customer_without_figures_counts_as_nothing_and_needs_a_and_b1(world):
    lonely = make_corporate(world.branch1, name="无数据公司")
    row = row_of(branch_teams(world.branch1, ON), lonely)
    assert row.own_exposure is None
    assert row.exposure == 0
    assert row.gaps == (A, B1)


def test_incomplete_teams_come_first_and_are_flagged_on_the_page(world):
    figures(world.company_1, Decimal("8000000"))  # A + B1 filled: complete
    big = make_corporate(world.branch1, name="大额授信公司", team=[(world.corp_a1, "A")])
    figures(big, Decimal("40000000"))  # needs A + B1 + B2, has A
    small = make_corporate(world.branch1, name="小额授信公司", team=[(world.corp_b1, "A")])
    figures(small, Decimal("2000000"))  # needs A + B1, has A
    rows = branch_teams(world.branch1, ON)
    assert [r.customer.pk for r in rows] == [big.pk, small.pk, world.company_1.pk]
    assert [r.gaps for r in rows] == [(B1, B2), (B1,), ()]

    response = page(world.branch_head, world.branch1)
    assert response.status_code == 200
    text = response.text
    assert text.index("大额授信公司") < text.index("小额授信公司") < text.index("红安城关建材")
    assert text.count('class="team-incomplete"') == 2
    assert "B1, B2" in text
    assert big.credit_code in text
    assert "4000.00 万元" in text
    assert response.context["incomplete"] == 2


def test_a_team_role_of_another_branch_customer_is_not_shown(world):
    rows = branch_teams(world.branch1, ON)
    assert [r.customer.pk for r in rows] == [world.company_1.pk]
    assert dict(rows[0].filled) == {"A": world.corp_a1, "B1": world.corp_b1}


# --- loads --------------------------------------------------------------------------------


def give_a_roles(manager, n, exposure=None):
    customers = []
    for _ in range(n):
        customer = make_corporate(manager.branches.get(), team=[(manager, "A")])
        if exposure is not None:
            figures(customer, exposure)
        customers.append(customer)
    return customers


def give_retail(manager, n):
    village = make_village(branch=manager.branches.get(), owners=[manager])
    for k in range(n):
        make_customer(village, name=f"零售{k}")


@pytest.mark.parametrize(
    ("a_roles", "retail", "load", "over"),
    [
        (20, 0, "1", False),  # exactly 20 corporate A roles: a full load, not over
        (21, 0, "1.05", True),
        (19, 5, "1", False),  # 0.95 + 0.05
        (19, 6, "1.01", True),
        (0, 100, "1", False),
        (0, 101, "1.01", True),
    ],
)
def test_a_managers_load_is_over_the_limit_only_above_one(world, a_roles, retail, load, over):
    world.company_1.team.all().delete()
    give_a_roles(world.corp_a1, a_roles)
    give_retail(world.corp_a1, retail)
    loads = branch_loads(world.branch1, ON)
    row = next(r for r in loads.rows if r.manager == world.corp_a1)
    assert (row.a_roles, row.retail, row.load, row.over) == (a_roles, retail, Decimal(load), over)
    assert [r.manager for r in loads.over] == ([world.corp_a1] if over else [])

    text = page(world.deputy_head, world.branch1).text
    assert text.count('class="load-over"') == (1 if over else 0)
    assert ('data-manager="corp_a1" class="load-over"' in text) == over
    assert f'<span class="load">{Decimal(load):.2f}</span>' in text


def test_a_b_roles_are_counted_apart_and_do_not_load(world):
    loads = branch_loads(world.branch1, ON)
    by_manager = {r.manager.username: r for r in loads.rows}
    assert set(by_manager) == {"corp_a1", "corp_b1"}  # branch 1's corporate managers only
    assert (by_manager["corp_a1"].a_roles, by_manager["corp_a1"].b_roles) == (1, 0)
    assert (by_manager["corp_b1"].a_roles, by_manager["corp_b1"].b_roles) == (0, 1)
    assert by_manager["corp_b1"].load == 0


def test_village_customers_of_a_village_owned_by_two_count_for_each_owner(world):
    world.village_a.owners.add(world.corp_a1)
    make_customer(world.village_a, name="赵一")  # village A: 王大山 and 赵一
    flag_corporate(world.manager_a, True)
    loads = {r.manager.username: r for r in branch_loads(world.branch1, ON).rows}
    assert loads["corp_a1"].retail == 2
    assert loads["manager_a"].retail == 2
    assert "manager_a2" not in loads  # not a corporate manager


def test_the_spread_shows_lowest_highest_and_mean_of_counts_and_credit(world):
    figures(world.company_1, Decimal("10000000"))  # corp_a1's one A customer
    give_a_roles(world.corp_a1, 2, Decimal("10000000"))  # corp_a1: 3 A, 30,000,000
    give_a_roles(world.corp_b1, 1, Decimal("5000000"))  # corp_b1: 1 A, 5,000,000
    give_retail(world.corp_b1, 10)
    spread = branch_loads(world.branch1, ON).spread
    assert (spread.corporate.lowest, spread.corporate.highest, spread.corporate.mean) == (1, 3, 2)
    assert (spread.retail.lowest, spread.retail.highest, spread.retail.mean) == (0, 10, 5)
    assert (spread.credit.lowest, spread.credit.highest) == (5_000_000, 30_000_000)
    assert spread.credit.mean == Decimal("17500000.00")
    assert spread.credit.difference == 25_000_000
    # corp_a1: 3/20 = 0.15; corp_b1: 1/20 + 10/100 = 0.15
    assert (spread.load.lowest, spread.load.highest) == (Decimal("0.15"), Decimal("0.15"))

    response = page(world.corporate_finance, world.branch1)
    # A roles, retail customers, credit total, load: lowest, highest, mean, difference.
    assert [rest for _label, *rest in response.context["spread"]] == [
        ["1", "3", "2", "2"],
        ["0", "10", "5", "10"],
        ["500.00 万元", "3000.00 万元", "1750.00 万元", "2500.00 万元"],
        ["0.15", "0.15", "0.15", "0"],
    ]
    assert "作为A角的对公客户数" in response.text
    assert "1750.00 万元" in response.text


# --- scope and cost ------------------------------------------------------------------------


def test_another_branch_head_gets_404_and_head_office_departments_see_any_branch(world):
    assert page(world.branch_head_2, world.branch1).status_code == 404
    assert page(world.corp_a1, world.branch1).status_code == 404
    assert page(world.credit_management, world.branch2).status_code == 200
    assert page(world.branch_head_2, world.branch2).status_code == 200


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_one_customer_or_twenty_and_one_manager_or_five(
    world,
):
    client = login(world.branch_head)
    url = reverse("credit:teams", args=[world.branch1.pk])
    flag_corporate(world.corp_b1, False)  # one manager
    figures(world.company_1, Decimal("1"))
    few = count_queries(client, url)

    group = Group.objects.create(name="多成员集团")
    managers = [world.corp_a1, world.corp_b1]
    flag_corporate(world.corp_b1, True)
    managers += [
        make_user(Role.ACCOUNT_MANAGER, branches=[world.branch1], corporate_manager=True)
        for _ in range(3)
    ]
    for k in range(19):
        customer = make_corporate(
            world.branch1,
            group=group if k % 2 else None,
            team=[(managers[k % 5], "A"), (managers[(k + 1) % 5], "B1")],
        )
        figures(customer, Decimal(1_000_000 * k))
    make_corporate(world.branch2, group=group)  # a member elsewhere
    for manager in managers[:3]:
        give_retail(manager, 2)
    response = login(world.branch_head).get(url)
    assert len(response.context["rows"]) == 20
    assert len(response.context["loads"].rows) == 5
    assert count_queries(client, url) == few
