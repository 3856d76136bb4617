"""Greeting dates of a year: the public holidays and a customer's birthday, as pure Python.

The caller passes the year or the dates; nothing here reads the clock, the settings or
the database.

Public holidays come from the State Council's schedule as published in
`chinese_calendar`, which only knows the years already announced (up to 2026 in
release 1.11.0) and raises NotImplementedError for later ones (DOMAIN.md §6). For those
years the festival days are computed instead: the lunar festivals from the lunar
calendar (`lunardate`), 清明 from the solar term (chinese_calendar's formula, which works
for any year; 5 April if even that fails), the others on their fixed dates.

Decision: a holiday greeting goes out on the first day of the official break when the
schedule is published (so it reaches people before they travel), and on the festival
day itself when it is not (the break is not known yet). Either way it falls inside the
holiday.
"""

import datetime
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from archives.workdays import festival_day, is_published

# The public holidays of the People's Republic, by chinese_calendar's Holiday names.
FESTIVAL_LABELS = {
    "new_years_day": _("New Year's Day"),
    "spring_festival": _("Spring Festival"),
    "tomb_sweeping_day": _("Qingming Festival"),
    "labour_day": _("Labour Day"),
    "dragon_boat_festival": _("Dragon Boat Festival"),
    "mid_autumn_festival": _("Mid-Autumn Festival"),
    "national_day": _("National Day"),
}

# How far an official break may start from its festival day (the Spring Festival break
# can begin a few days before 正月初一; New Year's Day's on 30 December).
BREAK_WINDOW = datetime.timedelta(days=10)


@dataclass(frozen=True)
class Holiday:
    """One public holiday of a year and the day its greeting goes out."""

    key: str  # "spring_festival"
    year: int  # the festival's year: New Year's Day 2027's break may start in December 2026
    day: datetime.date
    official: bool  # True: from the published schedule; False: computed

    @property
    def label(self) -> str:
        return str(FESTIVAL_LABELS[self.key])


@cache
def _official_days() -> dict[str, tuple[datetime.date, ...]]:
    """Every official holiday day chinese_calendar knows, by holiday name, sorted."""
    by_label: dict[str, list[datetime.date]] = {}
    for day, label in chinese_calendar.holidays.items():
        by_label.setdefault(label, []).append(day)
    return {label: tuple(sorted(days)) for label, days in by_label.items()}


def _break_start(key: str, festival: datetime.date) -> datetime.date | None:
    """The first day of the official break around a festival, if the schedule has one."""
    label = chinese_calendar.Holiday[key].value
    days = [d for d in _official_days().get(label, ()) if abs(d - festival) <= BREAK_WINDOW]
    return min(days) if days else None


def public_holidays(year: int) -> tuple[Holiday, ...]:
    """The year's public holidays with their greeting days, in date order. Never raises."""
    published = is_published(year)
    holidays = []
    for key in FESTIVAL_LABELS:
        festival = festival_day(key, year)
        if festival is None:
            continue
        # A festival inside another break (Mid-Autumn on 1 October 2020) has no break of its
        # own in the schedule: it is greeted on the day.
        start = _break_start(key, festival) if published else None
        holidays.append(
            Holiday(key=key, year=year, day=start or festival, official=start is not None)
        )
    return tuple(sorted(holidays, key=lambda h: (h.day, h.key)))


def public_holidays_between(start: datetime.date, end: datetime.date) -> list[Holiday]:
    """Holidays whose greeting day falls between two dates, both included."""
    # Next year's New Year's Day break can start in this December.
    years = range(start.year, end.year + 2)
    return [h for year in years for h in public_holidays(year) if start <= h.day <= end]


def birthday_in(birth_date: datetime.date, year: int) -> datetime.date:
    """The birthday in a given year; 29 February is kept on 28 February in other years."""
    if birth_date.month == 2 and birth_date.day == 29:
        try:
            return datetime.date(year, 2, 29)
        except ValueError:
            return datetime.date(year, 2, 28)
    return birth_date.replace(year=year)
