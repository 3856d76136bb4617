"""The project library's pure rules (credit/project_rules.py), DB-free, table-driven."""

import datetime

import pytest

from credit import project_rules as pr

S = pr.Stage
D = datetime.date


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "allowed"),
    [
        (S.CONTACTED, S.PROPOSAL, True),
        (S.CONTACTED, S.APPROVAL, True),
        (S.CONTACTED, S.WON, True),
        (S.PROPOSAL, S.APPROVAL, True),
        (S.APPROVAL, S.WON, True),
        (S.CONTACTED, S.LOST, True),
        (S.PROPOSAL, S.LOST, True),
        (S.APPROVAL, S.LOST, True),
        (S.PROPOSAL, S.CONTACTED, False),
        (S.APPROVAL, S.PROPOSAL, False),
        (S.CONTACTED, S.CONTACTED, False),
        (S.WON, S.LOST, False),
        (S.WON, S.APPROVAL, False),
        (S.LOST, S.CONTACTED, False),
        (S.LOST, S.WON, False),
    ],
)
def test_a_stage_moves_forward_only_won_and_lost_are_final(from_stage, to_stage, allowed):
    assert pr.may_move(from_stage, to_stage) is allowed


def test_the_moves_offered_from_each_stage():
    assert pr.next_stages(S.CONTACTED) == (S.PROPOSAL, S.APPROVAL, S.WON, S.LOST)
    assert pr.next_stages(S.APPROVAL) == (S.WON, S.LOST)
    assert pr.next_stages(S.WON) == ()
    assert pr.next_stages(S.LOST) == ()


@pytest.mark.parametrize(
    ("stage", "due", "today", "late"),
    [
        (S.PROPOSAL, D(2026, 3, 9), D(2026, 3, 10), True),
        (S.PROPOSAL, D(2026, 3, 10), D(2026, 3, 10), False),
        (S.PROPOSAL, D(2026, 3, 11), D(2026, 3, 10), False),
        (S.WON, D(2026, 3, 1), D(2026, 3, 10), False),
        (S.LOST, D(2026, 3, 1), D(2026, 3, 10), False),
        (S.CONTACTED, None, D(2026, 3, 10), False),
    ],
)
def test_a_past_deadline_on_an_open_entry_is_late(stage, due, today, late):
    assert pr.is_late(stage, due, today) is late


@pytest.mark.parametrize(("named", "flagged"), [(0, True), (3, True), (4, False), (5, False)])
def test_a_month_with_fewer_than_four_targets_is_flagged(named, flagged):
    assert pr.month_flagged(named) is flagged


@pytest.mark.parametrize(("starts", "flagged"), [(0, True), (1, False), (2, False)])
def test_a_quarter_without_a_new_sme_credit_customer_is_flagged(starts, flagged):
    assert pr.quarter_flagged(starts) is flagged


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 9, 30), D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_quarter_bounds(day, start, end):
    assert pr.quarter_of(day) == start
    assert pr.quarter_end(day) == end


def test_credit_starts_count_in_their_own_quarter_31_march_against_1_april():
    starts = [("a", D(2026, 3, 31)), ("a", D(2026, 4, 1)), ("b", D(2026, 4, 1))]
    assert pr.credit_starts_per_quarter(starts, D(2026, 3, 31)) == {"a": 1}
    assert pr.credit_starts_per_quarter(starts, D(2026, 4, 1)) == {"a": 1, "b": 1}
    assert pr.credit_starts_per_quarter(starts, D(2026, 7, 1)) == {}


@pytest.mark.parametrize(
    ("day", "year", "week", "monday", "sunday"),
    [
        (D(2026, 1, 1), 2026, 1, D(2025, 12, 29), D(2026, 1, 4)),
        (D(2026, 12, 4), 2026, 49, D(2026, 11, 30), D(2026, 12, 6)),
        (D(2027, 1, 3), 2026, 53, D(2026, 12, 28), D(2027, 1, 3)),
    ],
)
def test_iso_weeks(day, year, week, monday, sunday):
    assert pr.iso_week_of(day) == (year, week)
    assert pr.iso_week_bounds(year, week) == (monday, sunday)
