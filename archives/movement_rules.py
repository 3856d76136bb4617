"""The pure rules of large fund movements (DOMAIN.md §5.5): no ORM, no clock.

Thresholds are head office's (archives.MovementRules, versioned by effective date) and
are passed in. "超过"/above is strict, "含"/at least is inclusive:
- the corporate morning notice (每日通报): a movement strictly above `notice_above`;
- the corporate follow-up (稳存跟踪): a cross-bank outflow of at least `follow_up_from`,
  due by the end of the next working day after the movement's date;
- key village customers: a movement of at least `village_from`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .workdays import next_working_day, previous_working_day

IN, OUT = "in", "out"
# How the counterparty bank names this bank, when the extract leaves 是否跨行 blank.
OWN_BANK_NAMES = ("红安农商", "红安农村商业银行", "红安县农村商业银行")


@dataclass(frozen=True)
class Thresholds:
    notice_above: Decimal = Decimal(10_000_000)
    follow_up_from: Decimal = Decimal(10_000_000)
    village_from: Decimal = Decimal(500_000)


def on_notice(amount: Decimal, t: Thresholds) -> bool:
    """On the corporate morning notice: strictly above the threshold."""
    return amount > t.notice_above


def needs_follow_up(*, direction: str, cross_bank: bool, amount: Decimal, t: Thresholds) -> bool:
    """A cross-bank outflow of at least the threshold needs a recorded follow-up."""
    return direction == OUT and cross_bank and amount >= t.follow_up_from


def village_notice(amount: Decimal, t: Thresholds) -> bool:
    """A key village customer's movement of at least the threshold notifies its maintainers."""
    return amount >= t.village_from


def follow_up_due(moved_on: datetime.date) -> datetime.date:
    """The last day to record the follow-up: the next working day after the movement."""
    return next_working_day(moved_on)


def follow_up_state(moved_on: datetime.date, *, recorded: bool, today: datetime.date) -> str:
    """'recorded', 'overdue' (not recorded and its due day is over) or 'open'."""
    if recorded:
        return "recorded"
    return "overdue" if today > follow_up_due(moved_on) else "open"


def notice_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The movement dates today's morning notice covers: from the previous working day to
    yesterday, so Monday's notice has Friday's and the weekend's movements."""
    return previous_working_day(today), today - datetime.timedelta(days=1)


def is_cross_bank(counterparty_bank: str) -> bool:
    """Derived when the extract says nothing: a counterparty bank that is not this bank.
    No counterparty bank (cash, an internal transfer) is not cross-bank."""
    bank = (counterparty_bank or "").strip()
    return bool(bank) and not any(name in bank for name in OWN_BANK_NAMES)
