"""The pure rules of large fund movements (archives/movement_rules.py, DOMAIN.md §5.5):
no database, every boundary: above is strict, at least is inclusive, one cent either side;
follow-up due dates across weekends and holiday breaks."""

import datetime
from decimal import Decimal

import pytest

from archives import movement_rules as r

T = r.Thresholds()
D = datetime.date


@pytest.mark.parametrize(
    ("amount", "on"),
    [
        ("9999999.99", False),
        ("10000000.00", False),  # 超过: exactly the threshold is not on the notice
        ("10000000.01", True),
        ("50000000", True),
    ],
)
def test_the_notice_takes_movements_strictly_above_the_threshold(amount, on):
    assert r.on_notice(Decimal(amount), T) is on


@pytest.mark.parametrize(
    ("direction", "cross_bank", "amount", "needed"),
    [
        ("out", True, "9999999.99", False),
        ("out", True, "10000000.00", True),  # 含: exactly the threshold needs one
        ("out", True, "10000000.01", True),
        ("out", False, "20000000", False),  # within the bank
        ("in", True, "20000000", False),  # an inflow
    ],
)
def test_a_follow_up_is_needed_for_cross_bank_outflows_of_at_least_the_threshold(
    direction, cross_bank, amount, needed
):
    assert (
        r.needs_follow_up(direction=direction, cross_bank=cross_bank, amount=Decimal(amount), t=T)
        is needed
    )


@pytest.mark.parametrize(
    ("amount", "notified"), [("499999.99", False), ("500000.00", True), ("500000.01", True)]
)
def test_key_village_customers_are_notified_from_the_threshold_inclusive(amount, notified):
    assert r.village_notice(Decimal(amount), T) is notified


def test_thresholds_are_arguments():
    higher = r.Thresholds(notice_above=Decimal(20_000_000), village_from=Decimal(1_000_000))
    assert not r.on_notice(Decimal("15000000"), higher)
    assert not r.village_notice(Decimal("600000"), higher)


@pytest.mark.parametrize(
    ("moved_on", "due"),
    [
        (D(2026, 12, 3), D(2026, 12, 4)),  # Thursday: Friday
        (D(2026, 12, 4), D(2026, 12, 7)),  # Friday: Monday
        (D(2026, 12, 5), D(2026, 12, 7)),  # Saturday: Monday
        (D(2026, 9, 30), D(2026, 10, 8)),  # before National Day: after the break
        (D(2026, 12, 31), D(2027, 1, 4)),  # New Year's Eve: after New Year
        (D(2026, 2, 13), D(2026, 2, 14)),  # a Saturday worked before Spring Festival
    ],
)
def test_a_follow_up_is_due_by_the_next_working_day(moved_on, due):
    assert r.follow_up_due(moved_on) == due


@pytest.mark.parametrize(
    ("today", "recorded", "state"),
    [
        (D(2026, 12, 4), False, "open"),
        (D(2026, 12, 7), False, "open"),  # due Monday: open all Monday
        (D(2026, 12, 8), False, "overdue"),
        (D(2026, 12, 8), True, "recorded"),
    ],
)
def test_a_follow_up_is_overdue_after_its_due_day(today, recorded, state):
    assert r.follow_up_state(D(2026, 12, 4), recorded=recorded, today=today) == state


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (D(2026, 12, 4), (D(2026, 12, 3), D(2026, 12, 3))),  # Friday: Thursday's
        (D(2026, 12, 7), (D(2026, 12, 4), D(2026, 12, 6))),  # Monday: Friday to Sunday
        (D(2026, 10, 8), (D(2026, 9, 30), D(2026, 10, 7))),  # after the National Day break
    ],
)
def test_the_morning_notice_covers_the_previous_working_day_to_yesterday(today, window):
    assert r.notice_window(today) == window


@pytest.mark.parametrize(
    ("bank", "cross"),
    [
        ("中国工商银行武汉分行", True),
        ("湖北红安农村商业银行城关支行", False),
        ("红安农商银行", False),
        ("", False),
    ],
)
def test_cross_bank_is_derived_from_the_counterparty_bank(bank, cross):
    assert r.is_cross_bank(bank) is cross
