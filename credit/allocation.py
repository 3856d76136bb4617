"""Service teams and loads of corporate credit customers (A/B角, 人户合一, 合理分户).

DOMAIN.md §5.3 as pure Python, beside the lists of credit/rules.py and on its terms
(thresholds, branch kinds, roles, plans): plain values in, plain values out; nothing
here reads the database, the settings or the clock.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .rules import DEFAULT_THRESHOLDS, ONE, ZERO, BranchKind, Plan, Role, Thresholds, money, to_fen

# --- service teams (A/B角) ----------------------------------------------------


@dataclass(frozen=True)
class Team:
    roles: tuple[Role, ...]
    plans: tuple[Plan, ...]  # the first is the text's default
    reason: str


def team_exposure(
    own: Decimal | None, other_members: Iterable[Decimal | None] | None = None
) -> Decimal:
    """The exposure a team is sized by: the customer's own, or its group's sum.

    `other_members` holds the exposures of the group's other members (None: not in a
    group); an unknown exposure counts as nothing.
    """
    return (own or ZERO) + sum((e or ZERO for e in other_members or ()), ZERO)


def team_upper(branch_kind: BranchKind, thresholds: Thresholds) -> Decimal:
    if branch_kind == BranchKind.WUHAN:
        return thresholds.team_upper_wuhan
    return thresholds.team_upper_prefecture


def team_for(exposure: Decimal, branch_kind: BranchKind, thresholds: Thresholds) -> Team:
    """The team and service plan a single (group) exposure needs; "超过" is strictly above."""
    upper, lower = team_upper(branch_kind, thresholds), thresholds.team_lower
    figures = {
        "value": money(exposure),
        "lower": money(lower, plain=True),
        "upper": money(upper, plain=True),
    }
    if exposure > upper:
        reason = _("Single (group) credit exposure %(value)s above %(upper)s") % figures
        return Team((Role.A, Role.B1, Role.B2), (Plan.ONE_TO_ONE,), reason)
    if exposure > lower:
        reason = (
            _("Single (group) credit exposure %(value)s above %(lower)s, not above %(upper)s")
            % figures
        )
        return Team((Role.A, Role.B1), (Plan.ONE_TO_ONE, Plan.CLUSTER), reason)
    reason = _("Single (group) credit exposure %(value)s not above %(lower)s") % figures
    return Team((Role.A, Role.B1), (Plan.CLUSTER,), reason)


def team_gaps(required: Iterable[Role], filled: Iterable[Role | str]) -> tuple[Role, ...]:
    """The roles a team still lacks, in the order required."""
    have = set(filled)
    return tuple(role for role in required if role not in have)


# --- loads and their spread (人户合一, 合理分户) ---------------------------------


def load(
    corporate_a_roles: int,
    retail_maintained: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Decimal:
    """A manager's load: corporate A roles / 20 + retail customers maintained / 100."""
    corporate = Decimal(corporate_a_roles) / thresholds.corporate_per_manager
    return corporate + Decimal(retail_maintained) / thresholds.retail_per_manager


def over_limit(value: Decimal) -> bool:
    """Over the limit is above 1: exactly 20 corporate A roles is a full load, not over."""
    return value > ONE


@dataclass(frozen=True)
class Spread:
    """How far apart managers of one level are, for a count or a credit total."""

    lowest: Decimal
    highest: Decimal
    mean: Decimal  # to the fen
    difference: Decimal  # highest - lowest
    ratio: Decimal | None  # highest / lowest to 0.01; None when the lowest is 0


def spread(values: Iterable[Decimal | int]) -> Spread | None:
    """Lowest, highest, mean, difference and ratio; None for no values at all."""
    figures = [Decimal(v) for v in values]
    if not figures:
        return None
    lowest, highest = min(figures), max(figures)
    return Spread(
        lowest=lowest,
        highest=highest,
        mean=to_fen(sum(figures, ZERO) / len(figures)),
        difference=highest - lowest,
        ratio=to_fen(highest / lowest) if lowest else None,
    )


@dataclass(frozen=True)
class ManagerBook:
    """What one account manager carries."""

    corporate_a_roles: int
    retail_maintained: int
    credit_total: Decimal


@dataclass(frozen=True)
class BranchLoads[K]:
    loads: dict[K, Decimal]
    over: tuple[K, ...]  # above the limit, in the order given
    corporate: Spread | None
    retail: Spread | None
    credit: Spread | None
    load: Spread | None


def branch_loads[K](
    books: Mapping[K, ManagerBook], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> BranchLoads[K]:
    """Each manager's load, who is over the limit, and the spread of counts and credit."""
    loads = {
        key: load(b.corporate_a_roles, b.retail_maintained, thresholds) for key, b in books.items()
    }
    return BranchLoads(
        loads=loads,
        over=tuple(key for key, value in loads.items() if over_limit(value)),
        corporate=spread(b.corporate_a_roles for b in books.values()),
        retail=spread(b.retail_maintained for b in books.values()),
        credit=spread(b.credit_total for b in books.values()),
        load=spread(loads.values()),
    )
