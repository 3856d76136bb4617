"""Pure rules of the project library and new credit customers (DOMAIN.md §5.4).

No ORM, no clock: callers pass `today`. The stages move forward only; won and lost are
final; lost may come from any open stage. A manager names ≥ 4 targets a month and wins
≥ 1 new SME credit customer a quarter ("≥": the target itself is met).
"""

import datetime
import enum
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

MONTHLY_TARGETS = 4
QUARTERLY_CREDIT_STARTS = 1


class Stage(enum.StrEnum):
    CONTACTED = "contacted"
    PROPOSAL = "proposal"
    APPROVAL = "approval"
    WON = "won"
    LOST = "lost"


STAGE_LABELS = {
    Stage.CONTACTED: _("Contacted"),
    Stage.PROPOSAL: _("Proposal"),
    Stage.APPROVAL: _("Approval"),
    Stage.WON: _("Won"),
    Stage.LOST: _("Lost"),
}
OPEN_STAGES = (Stage.CONTACTED, Stage.PROPOSAL, Stage.APPROVAL)
FINAL_STAGES = (Stage.WON, Stage.LOST)
# The order an open entry moves in; won follows approval only through this order.
_ORDER = (Stage.CONTACTED, Stage.PROPOSAL, Stage.APPROVAL, Stage.WON)


def is_open(stage: Stage | str) -> bool:
    return Stage(stage) in OPEN_STAGES


def may_move(from_stage: Stage | str, to_stage: Stage | str) -> bool:
    """Forward only; won and lost are final; lost from any open stage."""
    src, dst = Stage(from_stage), Stage(to_stage)
    if src in FINAL_STAGES or src == dst:
        return False
    if dst == Stage.LOST:
        return True
    return _ORDER.index(dst) > _ORDER.index(src)


def next_stages(stage: Stage | str) -> tuple[Stage, ...]:
    """The stages an entry at `stage` may move to, in order."""
    return tuple(s for s in Stage if may_move(stage, s))


def is_late(stage: Stage | str, due: datetime.date | None, today: datetime.date) -> bool:
    """An open entry whose next step's deadline has passed (due today is not late)."""
    return due is not None and is_open(stage) and due < today


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_flagged(named: int, target: int = MONTHLY_TARGETS) -> bool:
    """A manager's month is flagged when they named fewer than the target (≥ 4 is met)."""
    return named < target


def quarter_of(day: datetime.date) -> datetime.date:
    """The first day of the quarter holding `day`."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: datetime.date) -> datetime.date:
    start = quarter_of(day)
    month = start.month + 3
    following = datetime.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def credit_starts_per_quarter(
    starts: Iterable[tuple[object, datetime.date]], quarter: datetime.date
) -> dict[object, int]:
    """Manager -> credit starts dated in the quarter of `quarter`."""
    start = quarter_of(quarter)
    counts: dict[object, int] = {}
    for manager, day in starts:
        if quarter_of(day) == start:
            counts[manager] = counts.get(manager, 0) + 1
    return counts


def quarter_flagged(starts: int, target: int = QUARTERLY_CREDIT_STARTS) -> bool:
    """Fewer new SME credit customers in the quarter than the target (≥ 1 is met)."""
    return starts < target


def iso_week_bounds(year: int, week: int) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ISO week `week` of `year`."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    return monday, monday + datetime.timedelta(days=6)


def iso_week_of(day: datetime.date) -> tuple[int, int]:
    year, week, _weekday = day.isocalendar()
    return year, week
