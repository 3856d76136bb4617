"""Working days of the bank's calendar, as pure Python (no clock, settings or database).

A day is a working day when the State Council's schedule says so (`chinese_calendar`,
which knows the adjusted weekends: a Sunday worked before the Spring Festival break is
a working day). For a year not yet published (DOMAIN.md §6: `chinese_calendar` raises)
the rule falls back to Monday to Friday, less the festival days themselves, computed
from the lunar calendar: the breaks and swapped weekends are not known before the State
Council announces them.

The cadences of the corporate text (a work diary every working day, a follow-up overdue
after one working day) and the greeting calendar of the village text share these dates.
"""

import datetime
from functools import cache

import chinese_calendar
from lunardate import LunarDate

FIXED = {"new_years_day": (1, 1), "labour_day": (5, 1), "national_day": (10, 1)}
LUNAR = {"spring_festival": (1, 1), "dragon_boat_festival": (5, 5), "mid_autumn_festival": (8, 15)}
FESTIVALS = (
    "new_years_day",
    "spring_festival",
    "tomb_sweeping_day",
    "labour_day",
    "dragon_boat_festival",
    "mid_autumn_festival",
    "national_day",
)
QINGMING_FALLBACK = (4, 5)  # 清明 falls on 4 or 5 April (rarely the 6th) in this era
ONE_DAY = datetime.timedelta(days=1)


def festival_day(key: str, year: int) -> datetime.date | None:
    """The festival itself: 正月初一 for the Spring Festival, 1 October for National Day.

    None when the lunar calendar does not reach the year (lunardate covers 1900-2099).
    """
    if key in FIXED:
        return datetime.date(year, *FIXED[key])
    if key in LUNAR:
        try:
            return LunarDate(year, *LUNAR[key]).to_solar_date()
        except ValueError:
            return None
    if key == "tomb_sweeping_day":
        return _qingming(year)
    raise KeyError(key)


def _qingming(year: int) -> datetime.date:
    start = datetime.date(year, 4, 1)
    try:
        terms = chinese_calendar.get_solar_terms(start, datetime.date(year, 4, 30))
    except Exception:  # the formula has its own limits; never let a calendar crash
        terms = []
    for day, name in terms:
        if name == "清明":
            return day
    return datetime.date(year, *QINGMING_FALLBACK)


@cache
def is_published(year: int) -> bool:
    """Whether chinese_calendar carries the State Council's schedule for the year."""
    try:
        chinese_calendar.get_holiday_detail(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _festival_days(year: int) -> frozenset[datetime.date]:
    days = (festival_day(key, year) for key in FESTIVALS)
    return frozenset(day for day in days if day is not None)


def is_working_day(day: datetime.date) -> bool:
    """Whether the bank works on a day (the published schedule, else Monday to Friday)."""
    if is_published(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in _festival_days(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after a day."""
    day += ONE_DAY
    while not is_working_day(day):
        day += ONE_DAY
    return day


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day strictly before a day."""
    day -= ONE_DAY
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The working days from start to end, both included (empty when end < start)."""
    days = []
    day = start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += ONE_DAY
    return days
