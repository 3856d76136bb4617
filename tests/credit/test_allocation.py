"""Service teams and loads (credit/allocation.py): DB-free tables at every boundary."""

import dataclasses
from decimal import Decimal

import pytest

from credit.allocation import (
    ManagerBook,
    branch_loads,
    load,
    over_limit,
    spread,
    team_exposure,
    team_for,
    team_gaps,
)
from credit.rules import BranchKind, Plan, Role, Thresholds

D = Decimal
T = Thresholds()
CENT = D("0.01")


# --- service teams -------------------------------------------------------------

SMALL = ((Role.A, Role.B1), (Plan.CLUSTER,))
MIDDLE = ((Role.A, Role.B1), (Plan.ONE_TO_ONE, Plan.CLUSTER))
LARGE = ((Role.A, Role.B1, Role.B2), (Plan.ONE_TO_ONE,))


@pytest.mark.parametrize(
    ("exposure", "kind", "expected"),
    [
        (D(0), BranchKind.PREFECTURE, SMALL),
        (D(10_000_000), BranchKind.PREFECTURE, SMALL),
        (D(10_000_000) + CENT, BranchKind.PREFECTURE, MIDDLE),
        (D(30_000_000), BranchKind.PREFECTURE, MIDDLE),
        (D(30_000_000) + CENT, BranchKind.PREFECTURE, LARGE),
        (D(0), BranchKind.WUHAN, SMALL),
        (D(10_000_000), BranchKind.WUHAN, SMALL),
        (D(10_000_000) + CENT, BranchKind.WUHAN, MIDDLE),
        (D(30_000_000) + CENT, BranchKind.WUHAN, MIDDLE),
        (D(50_000_000), BranchKind.WUHAN, MIDDLE),
        (D(50_000_000) + CENT, BranchKind.WUHAN, LARGE),
    ],
    ids=[
        "prefecture: no exposure, A+B1 cluster",
        "prefecture: exactly 10 million is not above it",
        "prefecture: a fen above 10 million, A+B1 one-to-one or cluster",
        "prefecture: exactly 30 million is not above it",
        "prefecture: a fen above 30 million, A+B1+B2 one-to-one",
        "Wuhan: no exposure, A+B1 cluster",
        "Wuhan: exactly 10 million is not above it",
        "Wuhan: a fen above 10 million, A+B1 one-to-one or cluster",
        "Wuhan: a fen above 30 million is still the middle team",
        "Wuhan: exactly 50 million is not above it",
        "Wuhan: a fen above 50 million, A+B1+B2 one-to-one",
    ],
)
def test_the_team_follows_the_exposure_strictly_above_each_threshold(exposure, kind, expected):
    team = team_for(exposure, kind, T)
    assert (team.roles, team.plans) == expected


def test_the_team_says_why_with_its_figures():
    team = team_for(D(30_000_000) + CENT, BranchKind.PREFECTURE, T)
    assert team.reason == "单一（集团）客户授信敞口 3000.000001 万元，超过 3000 万元"
    team = team_for(D(12_000_000), BranchKind.WUHAN, T)
    assert team.reason == "单一（集团）客户授信敞口 1200.00 万元，超过 1000 万元 且不超过 5000 万元"


@pytest.mark.parametrize(
    ("own", "others", "expected"),
    [
        (D(8_000_000), None, D(8_000_000)),
        (D(8_000_000), [D(2_000_000), D("0.01")], D("10000000.01")),
        (D(0), [D(40_000_000)], D(40_000_000)),
        (None, [D(5), None], D(5)),
    ],
    ids=[
        "a single customer: its own",
        "a group: the members' sum",
        "a member without exposure takes the group's",
        "unknown exposures count as nothing",
    ],
)
def test_team_exposure_is_the_customer_s_or_its_group_s_sum(own, others, expected):
    assert team_exposure(own, others) == expected


def test_a_group_member_under_the_threshold_gets_the_group_s_team():
    exposure = team_exposure(D(8_000_000), [D(2_000_000), D("0.01")])
    assert (team_for(exposure, BranchKind.PREFECTURE, T).roles) == (Role.A, Role.B1)
    assert team_for(exposure, BranchKind.PREFECTURE, T).plans == MIDDLE[1]
    assert team_for(D(8_000_000), BranchKind.PREFECTURE, T).plans == SMALL[1]


@pytest.mark.parametrize(
    ("required", "filled", "gaps"),
    [
        (LARGE[0], [Role.A, Role.B1, Role.B2], ()),
        (LARGE[0], [Role.A], (Role.B1, Role.B2)),
        (LARGE[0], ["B1", "A"], (Role.B2,)),
        (SMALL[0], [], (Role.A, Role.B1)),
        (SMALL[0], [Role.A, Role.B1, Role.B2], ()),
    ],
    ids=["full", "B roles missing", "stored role codes count", "empty", "an extra role is no gap"],
)
def test_team_gaps_are_the_roles_still_missing_in_order(required, filled, gaps):
    assert team_gaps(required, filled) == gaps


# --- loads and their spread ------------------------------------------------------


@pytest.mark.parametrize(
    ("corporate", "retail", "expected", "over"),
    [
        (20, 0, D(1), False),
        (21, 0, D("1.05"), True),
        (0, 100, D(1), False),
        (0, 101, D("1.01"), True),
        (10, 50, D(1), False),
        (10, 51, D("1.01"), True),
        (0, 0, D(0), False),
    ],
    ids=[
        "20 corporate A roles is a full load, not over",
        "21 corporate A roles is over",
        "100 retail customers is a full load, not over",
        "101 retail customers is over",
        "half and half is exactly full",
        "half and half and one more is over",
        "nothing",
    ],
)
def test_load_is_corporate_over_20_plus_retail_over_100_over_the_limit_above_1(
    corporate, retail, expected, over
):
    assert load(corporate, retail) == expected
    assert over_limit(load(corporate, retail)) is over


def test_the_load_limits_are_head_office_s():
    t = dataclasses.replace(T, corporate_per_manager=25)
    assert over_limit(load(21, 0, t)) is False


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10, 20, 15], (D(10), D(20), D("15.00"), D(10), D("2.00"))),
        ([1, 2, 2], (D(1), D(2), D("1.67"), D(1), D("2.00"))),
        (
            [D(3_000_000), D(4_500_000)],
            (D(3_000_000), D(4_500_000), D(3_750_000), D(1_500_000), D("1.50")),
        ),
        ([0, 5], (D(0), D(5), D("2.50"), D(5), None)),
        ([7], (D(7), D(7), D("7.00"), D(0), D("1.00"))),
    ],
    ids=["counts", "mean to the fen", "credit totals", "no ratio from nothing", "one manager"],
)
def test_spread_is_lowest_highest_mean_difference_and_ratio(values, expected):
    s = spread(values)
    assert (s.lowest, s.highest, s.mean, s.difference, s.ratio) == expected


def test_no_managers_no_spread():
    assert spread([]) is None


def test_a_branch_s_loads_name_who_is_over_the_limit():
    result = branch_loads(
        {
            "王": ManagerBook(
                corporate_a_roles=20, retail_maintained=0, credit_total=D(90_000_000)
            ),
            "李": ManagerBook(
                corporate_a_roles=12, retail_maintained=50, credit_total=D(30_000_000)
            ),
            "张": ManagerBook(
                corporate_a_roles=5, retail_maintained=20, credit_total=D(10_000_000)
            ),
        }
    )
    assert result.loads == {"王": D(1), "李": D("1.1"), "张": D("0.45")}
    assert result.over == ("李",)
    assert (result.corporate.lowest, result.corporate.highest) == (D(5), D(20))
    assert (result.credit.difference, result.credit.ratio) == (D(80_000_000), D("9.00"))
    assert result.load.highest == D("1.1")
