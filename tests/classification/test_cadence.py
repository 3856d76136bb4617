"""The revisit cadence as tables, without a database: how often, due when, overdue from when."""

import datetime

import pytest

from classification.rules import Cadence, Tier, next_visit_due, revisit_days
from classification.visits import days_for, is_overdue

DEFAULT = Cadence()
JAN_1 = datetime.date(2026, 1, 1)


def day(n):
    """The date n days after 1 January 2026."""
    return JAN_1 + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("tier", "kalefu", "days"),
    [
        (Tier.KEY_FOLLOW_UP, False, 31),  # dedicated account manager: at least monthly
        (Tier.KEY_FOLLOW_UP, True, 31),
        (Tier.PERIODIC_REVISIT, False, 92),  # at least quarterly
        (Tier.PERIODIC_REVISIT, True, 31),  # a Kalefu user: monthly beats quarterly
        (Tier.CULTIVATION, False, None),  # no cadence: cultivated by campaign, not by revisit
        (Tier.CULTIVATION, True, 31),
        (Tier.GENERAL_ATTENTION, False, None),
        (Tier.UNDECIDED, False, None),
        (None, False, None),  # never classified
        (None, True, 31),
    ],
)
def test_visit_every_so_many_days_by_tier_and_kalefu_use(tier, kalefu, days):
    assert revisit_days(tier, uses_kalefu=kalefu, cadence=DEFAULT) == days


@pytest.mark.parametrize(
    ("duty", "tier", "kalefu", "days"),
    [
        ("leader", Tier.KEY_FOLLOW_UP, False, 92),  # golden customers: the leader quarterly
        ("leader", Tier.KEY_FOLLOW_UP, True, 92),  # the monthly Kalefu visit is not the leader's
        ("chief", Tier.KEY_FOLLOW_UP, False, 31),
        ("branch_head", Tier.KEY_FOLLOW_UP, False, 31),
        ("dedicated", Tier.KEY_FOLLOW_UP, False, 31),
        ("area", Tier.PERIODIC_REVISIT, False, 92),
        ("area", Tier.PERIODIC_REVISIT, True, 31),
        ("area", Tier.CULTIVATION, False, None),
    ],
)
def test_the_leader_owes_golden_customers_a_quarterly_visit_the_others_the_customers_cadence(
    duty, tier, kalefu, days
):
    assert days_for(tier, uses_kalefu=kalefu, duty=duty, cadence=DEFAULT) == days


@pytest.mark.parametrize(
    ("last_visit", "today", "overdue"),
    [
        (day(0), day(30), False),
        (day(0), day(31), False),  # day 31 is the due date: a visit today is in time
        (day(0), day(32), True),  # day 32: overdue
        (None, day(31), False),  # never visited: counted from when maintenance started
        (None, day(32), True),
    ],
)
def test_a_key_customer_is_due_on_day_31_and_overdue_from_day_32(last_visit, today, overdue):
    due = next_visit_due(
        last_visit, day(0), revisit_days(Tier.KEY_FOLLOW_UP, uses_kalefu=False, cadence=DEFAULT)
    )
    assert due == day(31)
    assert is_overdue(due, today) is overdue


@pytest.mark.parametrize(
    ("tier", "kalefu", "last_visit", "due"),
    [
        (Tier.PERIODIC_REVISIT, False, day(0), day(92)),
        (Tier.PERIODIC_REVISIT, True, day(0), day(31)),
        (Tier.PERIODIC_REVISIT, False, None, day(10 + 92)),  # from `since`, day 10
        (Tier.CULTIVATION, False, day(0), None),
        (Tier.GENERAL_ATTENTION, False, None, None),
    ],
)
def test_the_next_visit_is_due_a_cadence_after_the_last_one(tier, kalefu, last_visit, due):
    days = revisit_days(tier, uses_kalefu=kalefu, cadence=DEFAULT)
    assert next_visit_due(last_visit, day(10), days) == due


def test_nothing_is_ever_overdue_without_a_cadence():
    assert is_overdue(None, day(10_000)) is False


def test_head_office_sets_the_cadence():
    cadence = Cadence(key_days=14, golden_leader_days=60, periodic_days=45, kalefu_days=20)
    assert revisit_days(Tier.KEY_FOLLOW_UP, uses_kalefu=False, cadence=cadence) == 14
    assert revisit_days(Tier.PERIODIC_REVISIT, uses_kalefu=True, cadence=cadence) == 20
    assert days_for(Tier.KEY_FOLLOW_UP, uses_kalefu=False, duty="leader", cadence=cadence) == 60
