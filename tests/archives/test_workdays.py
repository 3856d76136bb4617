"""archives.workdays: the bank's working days at the edges of the published schedule."""

import datetime

import pytest

from archives import workdays

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 12, 4), True),  # a Friday
        (D(2026, 12, 5), False),  # a Saturday
        (D(2026, 1, 1), False),  # New Year's Day, a Thursday
        (D(2026, 1, 4), True),  # a Sunday worked after the New Year break
        (D(2026, 2, 14), True),  # a Saturday worked before the Spring Festival break
        (D(2026, 2, 16), False),  # a Monday inside the Spring Festival break
        (D(2026, 10, 8), True),  # the first day after the National Day break
        (D(2026, 10, 10), True),  # a Saturday worked after it
        # 2027 is not published: Monday to Friday less the festival days themselves.
        (D(2027, 1, 1), False),  # a Friday, New Year's Day
        (D(2027, 1, 4), True),  # a Monday
        (D(2027, 2, 5), True),  # the Friday before 正月初一
        (D(2027, 2, 8), True),  # a Monday: the break is not known yet
        (D(2027, 9, 15), False),  # Mid-Autumn (a Wednesday), from the lunar calendar
        (D(2027, 6, 9), False),  # Dragon Boat (a Wednesday)
        (D(2027, 10, 1), False),  # National Day, a Friday
        (D(2027, 10, 2), False),  # a Saturday
    ],
)
def test_working_day(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "after", "before"),
    [
        (D(2026, 12, 4), D(2026, 12, 7), D(2026, 12, 3)),  # Friday -> Monday
        (D(2026, 12, 5), D(2026, 12, 7), D(2026, 12, 4)),  # Saturday
        (D(2026, 9, 30), D(2026, 10, 8), D(2026, 9, 29)),  # into the National Day break
        (D(2026, 12, 31), D(2027, 1, 4), D(2026, 12, 30)),  # across the published year's end
    ],
)
def test_next_and_previous_working_day(day, after, before):
    assert workdays.next_working_day(day) == after
    assert workdays.previous_working_day(day) == before


def test_working_days_between_include_both_ends():
    assert workdays.working_days(D(2026, 11, 30), D(2026, 12, 4)) == [
        D(2026, 11, 30) + datetime.timedelta(days=n) for n in range(5)
    ]
    assert workdays.working_days(D(2026, 12, 5), D(2026, 12, 6)) == []
    assert workdays.working_days(D(2026, 12, 4), D(2026, 12, 3)) == []
