"""The cadences of DOMAIN.md §5.4 as pure Python: periods, and who owes what to whom.

A cadence says who (a role) does what (an activity kind), for which customers (a
target set, or none: a meeting of the branch) and how many times a period (ISO week
Monday to Sunday, calendar month, quarter, half year, year). Given the cadences in
force, each person's customers by target set, the activities and `today`, `obligations`
gives one Obligation per (person, customer, cadence): the current period and what was
done in it, and the last complete period (the one before) and whether it was met.

- met: the current period has at least `count` activities;
- due: the current period is not over and not met yet;
- overdue: the last complete period (the one just before the current) ended unmet.

Nothing here reads the database, the settings or the clock.
"""

import datetime
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(enum.StrEnum):
    """Kinds of contact and visit (§5.4)."""

    CONTACT = "contact"
    VISIT = "visit"
    JOINT_VISIT = "joint_visit"
    ANALYSIS_MEETING = "analysis_meeting"
    SALON = "salon"
    PROGRESS_MEETING = "progress_meeting"


KIND_LABELS = {
    Kind.CONTACT: pgettext_lazy("activity kind", "Contact"),
    Kind.VISIT: _("Visit"),
    Kind.JOINT_VISIT: _("Joint visit of head-office and branch leaders"),
    Kind.ANALYSIS_MEETING: _("Customer analysis meeting"),
    Kind.SALON: _("SME matchmaking event or customer salon"),
    Kind.PROGRESS_MEETING: _("Corporate project progress meeting"),
}
# Kinds logged without customers (a branch meeting); every other kind names at least one.
KINDS_WITHOUT_CUSTOMERS = frozenset({Kind.PROGRESS_MEETING})


class Who(enum.StrEnum):
    """Who a cadence binds (values as archives.Role where they are one)."""

    BRANCH_HEAD = "branch_head"
    DEPUTY_HEAD = "deputy_head"
    MANAGER = "manager"  # a corporate account manager


WHO_LABELS = {
    Who.BRANCH_HEAD: _("Branch head"),
    Who.DEPUTY_HEAD: _("Deputy head in charge"),
    Who.MANAGER: _("Corporate account manager"),
}


class Targets(enum.StrEnum):
    """Which customers a cadence is owed to; NONE: once per person, not per customer."""

    NONE = "none"
    STRATEGIC = "strategic"  # other than STRATEGIC_SPECIAL's, which owe more often
    STRATEGIC_SPECIAL = "strategic_special"  # shareholder, government group, head-to-head
    IMPORTANT = "important"  # strategic or quality
    PROJECT_TARGETS = "project_targets"
    MANAGED = "managed"


TARGETS_LABELS = {
    Targets.NONE: _("No customer (once per person)"),
    Targets.STRATEGIC: _("Each other strategic customer"),
    Targets.STRATEGIC_SPECIAL: _(
        "Each strategic customer that is a shareholder, a government-related group or has a "
        "head-office-to-head-office agreement"
    ),
    Targets.IMPORTANT: _("Each important customer (strategic or quality)"),
    Targets.PROJECT_TARGETS: _("Each target customer of the project library"),
    Targets.MANAGED: _("Each managed customer"),
}


class Period(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


PERIOD_LABELS = {
    Period.WEEK: _("a week"),
    Period.MONTH: _("a month"),
    Period.QUARTER: _("a quarter"),
    Period.HALF_YEAR: _("a half year"),
    Period.YEAR: _("a year"),
}
MONTHS_IN = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF_YEAR: 6, Period.YEAR: 12}


def period_of(period: Period, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the period that holds `day` (both included)."""
    if period == Period.WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    months = MONTHS_IN[period]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    after = _add_months(start, months)
    return start, after - datetime.timedelta(days=1)


def previous_period(period: Period, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period just before the one that holds `day`: the last complete one."""
    start, _end = period_of(period, day)
    return period_of(period, start - datetime.timedelta(days=1))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Cadence:
    """One row of the table: `who` does `count` × `kind` a `period`, for each of `targets`."""

    key: int | str
    who: Who
    kind: Kind
    targets: Targets
    count: int
    period: Period

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]} ≥ {self.count} / {PERIOD_LABELS[self.period]}"


@dataclass(frozen=True)
class Person:
    """Someone bound by cadences: who they are and their customers in each target set."""

    user_id: int
    who: Who
    customers: Mapping[Targets, frozenset[int]]


@dataclass(frozen=True)
class Act:
    """An activity as the rules see it."""

    day: datetime.date
    kind: Kind
    participants: frozenset[int]
    customers: frozenset[int]


@dataclass(frozen=True)
class Obligation:
    user_id: int
    customer_id: int | None  # None: a cadence owed once per person
    cadence: Cadence
    start: datetime.date
    end: datetime.date
    done: int
    last_start: datetime.date
    last_end: datetime.date
    last_done: int

    @property
    def required(self) -> int:
        return self.cadence.count

    @property
    def met(self) -> bool:
        return self.done >= self.cadence.count

    @property
    def due(self) -> bool:
        return not self.met

    @property
    def last_met(self) -> bool:
        return self.last_done >= self.cadence.count

    @property
    def overdue(self) -> bool:
        return not self.last_met


def obligations(
    cadences: Iterable[Cadence],
    people: Iterable[Person],
    acts: Iterable[Act],
    today: datetime.date,
) -> list[Obligation]:
    """Every (person, customer, cadence) the people owe on `today`, with what was done.

    An activity counts for a person when they took part, it is of the cadence's kind and
    (for a per-customer cadence) it concerns the customer.
    """
    cadences = list(cadences)
    by_person_kind: dict[tuple[int, Kind], list[Act]] = {}
    for act in acts:
        for user_id in act.participants:
            by_person_kind.setdefault((user_id, act.kind), []).append(act)
    out = []
    for person in people:
        for cadence in cadences:
            if cadence.who != person.who:
                continue
            start, end = period_of(cadence.period, today)
            last_start, last_end = previous_period(cadence.period, today)
            mine = by_person_kind.get((person.user_id, cadence.kind), ())
            if cadence.targets == Targets.NONE:
                customers: Iterable[int | None] = (None,)
            else:
                customers = sorted(person.customers.get(cadence.targets, ()))
            for customer_id in customers:
                concerned = [a for a in mine if customer_id is None or customer_id in a.customers]
                out.append(
                    Obligation(
                        user_id=person.user_id,
                        customer_id=customer_id,
                        cadence=cadence,
                        start=start,
                        end=end,
                        done=sum(start <= a.day <= end for a in concerned),
                        last_start=last_start,
                        last_end=last_end,
                        last_done=sum(last_start <= a.day <= last_end for a in concerned),
                    )
                )
    return out


@dataclass(frozen=True)
class Compliance:
    """Share of obligations met: in the last complete period and in the current one."""

    obligations: int
    last_met: int
    current_met: int

    @property
    def last_share(self) -> float | None:
        return self.last_met / self.obligations if self.obligations else None

    @property
    def current_share(self) -> float | None:
        return self.current_met / self.obligations if self.obligations else None

    @property
    def last_text(self) -> str:
        return share_text(self.last_share)

    @property
    def current_text(self) -> str:
        return share_text(self.current_share)


def compliance(items: Iterable[Obligation]) -> Compliance:
    items = list(items)
    return Compliance(
        obligations=len(items),
        last_met=sum(o.last_met for o in items),
        current_met=sum(o.met for o in items),
    )


# The table of §5.4 (activity rows; naming project-library targets and winning SME
# customers are counted from the project library, not here). Seeded as data.
TABLE = (
    (Who.BRANCH_HEAD, Kind.JOINT_VISIT, Targets.STRATEGIC, 1, Period.YEAR),
    (Who.BRANCH_HEAD, Kind.JOINT_VISIT, Targets.STRATEGIC_SPECIAL, 1, Period.HALF_YEAR),
    (Who.BRANCH_HEAD, Kind.CONTACT, Targets.IMPORTANT, 1, Period.WEEK),
    (Who.DEPUTY_HEAD, Kind.CONTACT, Targets.IMPORTANT, 1, Period.WEEK),
    (Who.BRANCH_HEAD, Kind.VISIT, Targets.IMPORTANT, 1, Period.MONTH),
    (Who.DEPUTY_HEAD, Kind.VISIT, Targets.IMPORTANT, 1, Period.MONTH),
    (Who.BRANCH_HEAD, Kind.PROGRESS_MEETING, Targets.NONE, 1, Period.WEEK),
    (Who.BRANCH_HEAD, Kind.ANALYSIS_MEETING, Targets.NONE, 1, Period.MONTH),
    (Who.BRANCH_HEAD, Kind.ANALYSIS_MEETING, Targets.MANAGED, 1, Period.YEAR),
    (Who.DEPUTY_HEAD, Kind.SALON, Targets.NONE, 1, Period.QUARTER),
    (Who.MANAGER, Kind.VISIT, Targets.PROJECT_TARGETS, 2, Period.MONTH),
)


def earliest_start(cadences: Iterable[Cadence], today: datetime.date) -> datetime.date:
    """The first day any cadence looks back to on `today` (the start of its last period)."""
    starts = [previous_period(c.period, today)[0] for c in cadences]
    return min(starts, default=today)


def share_text(share: float | None) -> str:
    """A share as a whole percentage; "—" when nothing was owed."""
    return "—" if share is None else f"{round(share * 100)}%"
