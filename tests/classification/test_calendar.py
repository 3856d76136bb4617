"""Greeting dates: the published holiday schedule, the lunar fallback after it, birthdays."""

import datetime

import pytest

from classification import calendar

D = datetime.date


def days_of(year):
    return {h.key: h.day for h in calendar.public_holidays(year)}


# 2026 is published: greetings go out on the first day of each official break.
@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("new_years_day", D(2026, 1, 1)),
        ("spring_festival", D(2026, 2, 15)),  # break 15-23 February; 正月初一 is the 17th
        ("tomb_sweeping_day", D(2026, 4, 4)),
        ("labour_day", D(2026, 5, 1)),
        ("dragon_boat_festival", D(2026, 6, 19)),
        ("mid_autumn_festival", D(2026, 9, 25)),
        ("national_day", D(2026, 10, 1)),
    ],
)
def test_a_published_year_greets_on_the_first_day_of_the_official_break(key, day):
    assert days_of(2026)[key] == day
    assert all(h.official for h in calendar.public_holidays(2026))


# 2027 is not published: chinese_calendar raises, the festival days are computed.
@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("new_years_day", D(2027, 1, 1)),
        ("spring_festival", D(2027, 2, 6)),  # lunar 1/1
        ("tomb_sweeping_day", D(2027, 4, 5)),  # the solar term 清明
        ("labour_day", D(2027, 5, 1)),
        ("dragon_boat_festival", D(2027, 6, 9)),  # lunar 5/5
        ("mid_autumn_festival", D(2027, 9, 15)),  # lunar 8/15
        ("national_day", D(2027, 10, 1)),
    ],
)
def test_an_unpublished_year_falls_back_to_the_festival_days(key, day):
    assert days_of(2027)[key] == day
    assert not any(h.official for h in calendar.public_holidays(2027))


def test_chinese_calendar_really_does_not_know_2027():
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_holiday(D(2027, 1, 1))
    assert not calendar.is_published(2027)
    assert calendar.is_published(2026)


@pytest.mark.parametrize("year", [2027, 2030, 2099, 2100, 2150])
def test_no_later_year_crashes(year):
    holidays = calendar.public_holidays(year)
    assert {"new_years_day", "labour_day", "national_day"} <= {h.key for h in holidays}


def test_first_of_january_2027_is_new_years_day():
    (holiday,) = calendar.public_holidays_between(D(2027, 1, 1), D(2027, 1, 1))
    assert (holiday.key, holiday.year, holiday.official) == ("new_years_day", 2027, False)


def test_a_new_year_break_starting_in_december_belongs_to_the_next_year():
    # The 2024 break ran from 30 December 2023 to 1 January 2024.
    december = calendar.public_holidays_between(D(2023, 12, 1), D(2023, 12, 31))
    assert [(h.key, h.year, h.day) for h in december] == [("new_years_day", 2024, D(2023, 12, 30))]


def test_a_festival_inside_another_break_is_greeted_on_its_day():
    # 2020: Mid-Autumn fell on 1 October, inside the National Day break.
    assert days_of(2020)["mid_autumn_festival"] == D(2020, 10, 1)


def test_the_months_holidays_are_those_in_the_month():
    october = calendar.public_holidays_between(D(2026, 10, 1), D(2026, 10, 31))
    assert [h.key for h in october] == ["national_day"]
    assert calendar.public_holidays_between(D(2026, 3, 1), D(2026, 3, 31)) == []


@pytest.mark.parametrize(
    ("birth", "year", "birthday"),
    [
        (D(1988, 2, 29), 2027, D(2027, 2, 28)),  # no 29 February: the 28th
        (D(1988, 2, 29), 2028, D(2028, 2, 29)),
        (D(1988, 3, 1), 2027, D(2027, 3, 1)),
        (D(1990, 12, 31), 2026, D(2026, 12, 31)),
    ],
)
def test_birthday_in_a_year(birth, year, birthday):
    assert calendar.birthday_in(birth, year) == birthday
