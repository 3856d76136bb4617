"""The four follow-up tiers and layered maintenance (DOMAIN.md §3), as pure Python.

Plain values in, plain values out: the caller passes each customer's facts and the
rulebook's thresholds; nothing here reads the database, the settings or the clock.
Like Django's password validators, the rulebook is a tuple of small rule objects and
one function runs them in precedence order and records which rule decided and why.
"""

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


class Tier(enum.StrEnum):
    KEY_FOLLOW_UP = "key_follow_up"
    PERIODIC_REVISIT = "periodic_revisit"
    CULTIVATION = "cultivation"
    GENERAL_ATTENTION = "general_attention"
    UNDECIDED = "undecided"


TIER_LABELS = {
    Tier.KEY_FOLLOW_UP: _("Key follow-up"),
    Tier.PERIODIC_REVISIT: _("Periodic revisit"),
    Tier.CULTIVATION: _("Cultivation"),
    Tier.GENERAL_ATTENTION: _("General attention"),
    Tier.UNDECIDED: _("To be decided"),
}


class Band(enum.StrEnum):
    """Who maintains a ranked customer (分层维护)."""

    GOLDEN = "golden"  # ranks 1-5: assigned leader + branch head
    CHIEF = "chief"  # ranks 6-20: assigned section chief + branch head
    BRANCH_HEAD = "branch_head"  # ranks 21-50: branch head
    ACCOUNT_MANAGER = "account_manager"  # everyone else: the area's account managers


BAND_LABELS = {
    Band.GOLDEN: _("Golden customer: assigned leader and branch head"),
    Band.CHIEF: _("Assigned section chief and branch head"),
    Band.BRANCH_HEAD: _("Branch head"),
    Band.ACCOUNT_MANAGER: _("The area's account managers"),
}

# Main income sources that count as a stable income (DOMAIN.md §3).
STABLE_INCOME = frozenset({"wages_away", "farming", "business", "salary"})
SUBSIDY_ONLY = "subsidy_only"


@dataclass(frozen=True)
class Thresholds:
    """The rulebook's figures; head office edits them, versioned by effective date."""

    key_limit: int = 50
    golden_max_rank: int = 5
    chief_max_rank: int = 20


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one customer of a branch."""

    customer_id: int
    deposit: Decimal
    loan: Decimal
    archived_on: datetime.date
    has_deposit_account: bool = False
    main_income: str = ""

    @property
    def total(self) -> Decimal:
        return self.deposit + self.loan

    @property
    def has_business(self) -> bool:
        """Deposit or loan business with the bank: a balance, or an account held."""
        return self.total > ZERO or self.has_deposit_account


@dataclass(frozen=True)
class Reason:
    """One reason, kept as a code with its figures so it can be shown in any language."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return str(REASON_TEXTS[self.code]) % dict(self.params)


REASON_TEXTS = {
    "rank": _("Deposits + loans rank %(rank)d in the branch (top %(limit)d)"),
    "ranked_outside": _("Deposits + loans rank %(rank)d in the branch, outside the top %(limit)d"),
    "unranked": _("No deposit or loan balance: not ranked"),
    "business": _("Has deposit or loan business with the bank"),
    "no_business": _("No deposit or loan business with the bank"),
    "stable_income": _("Stable income: %(income)s"),
    "no_stable_income": _("No stable income recorded"),
    "subsidy_only": _("Only agricultural subsidy payments, no other main income"),
    "no_rule": _("No rule matches: the branch head decides at the weekly meeting"),
}


# The figures each reason quotes, in the order the rules give them. A stored
# classification keeps the reason codes and these figures, not a rendered text, so
# the reasons read the same in any language and the weekly run writes them in SQL.
REASON_FIGURES = {
    "rank": ("rank", "limit"),
    "ranked_outside": ("rank", "limit"),
    "stable_income": ("income",),
}


def reasons_from_codes(codes: Iterable[str], **figures: object) -> tuple[Reason, ...]:
    """The reasons again, from their codes and the figures they quote (rank, limit, income)."""
    return tuple(
        Reason(code, tuple((name, figures[name]) for name in REASON_FIGURES.get(code, ())))
        for code in codes
    )


@dataclass(frozen=True)
class Result:
    customer_id: int
    tier: Tier
    rank: int | None
    reasons: tuple[Reason, ...]

    @property
    def reason_texts(self) -> list[str]:
        return [str(r) for r in self.reasons]


@dataclass(frozen=True)
class Context:
    rank: int | None
    thresholds: Thresholds
    income_labels: dict[str, str]


class KeyFollowUp:
    tier = Tier.KEY_FOLLOW_UP

    def check(self, facts: Facts, ctx: Context):
        limit = ctx.thresholds.key_limit
        if ctx.rank is not None and ctx.rank <= limit:
            return (Reason("rank", (("rank", ctx.rank), ("limit", limit))),)
        return None


class PeriodicRevisit:
    tier = Tier.PERIODIC_REVISIT

    def check(self, facts: Facts, ctx: Context):
        if facts.has_business and facts.main_income in STABLE_INCOME:
            return (Reason("business"), _income_reason(facts, ctx))
        return None


class Cultivation:
    tier = Tier.CULTIVATION

    def check(self, facts: Facts, ctx: Context):
        if not facts.has_business and facts.main_income in STABLE_INCOME:
            return (_income_reason(facts, ctx), Reason("no_business"))
        return None


class GeneralAttention:
    tier = Tier.GENERAL_ATTENTION

    def check(self, facts: Facts, ctx: Context):
        if facts.main_income == SUBSIDY_ONLY:
            return (Reason("subsidy_only"),)
        return None


def _income_reason(facts: Facts, ctx: Context) -> Reason:
    label = ctx.income_labels.get(facts.main_income, facts.main_income)
    return Reason("stable_income", (("income", label),))


# Precedence: key follow-up > periodic revisit > cultivation > general attention.
RULES = (KeyFollowUp(), PeriodicRevisit(), Cultivation(), GeneralAttention())


def rank_branch(customers: Iterable[Facts]) -> dict[int, int]:
    """Rank one branch's customers by deposits + loans, largest first.

    Ties go to the earlier archive date, then the earlier record; a customer with
    no balance at all has no rank (DOMAIN.md §3 Decision).
    """
    ranked = sorted(
        (f for f in customers if f.total > ZERO),
        key=lambda f: (-f.total, f.archived_on, f.customer_id),
    )
    return {f.customer_id: i for i, f in enumerate(ranked, start=1)}


def classify(
    facts: Facts,
    *,
    rank: int | None,
    thresholds: Thresholds,
    income_labels: dict[str, str] | None = None,
) -> Result:
    """Run the rules in precedence order; the first that matches decides."""
    ctx = Context(rank=rank, thresholds=thresholds, income_labels=income_labels or {})
    for rule in RULES:
        reasons = rule.check(facts, ctx)
        if reasons:
            return Result(facts.customer_id, rule.tier, rank, reasons)
    return Result(facts.customer_id, Tier.UNDECIDED, rank, _why_undecided(facts, ctx))


def _why_undecided(facts: Facts, ctx: Context) -> tuple[Reason, ...]:
    reasons = []
    if ctx.rank is None:
        reasons.append(Reason("unranked"))
    else:
        reasons.append(
            Reason("ranked_outside", (("rank", ctx.rank), ("limit", ctx.thresholds.key_limit)))
        )
    reasons.append(Reason("business") if facts.has_business else Reason("no_business"))
    reasons.append(Reason("no_stable_income"))
    reasons.append(Reason("no_rule"))
    return tuple(reasons)


def classify_branch(
    customers: Iterable[Facts],
    *,
    thresholds: Thresholds,
    income_labels: dict[str, str] | None = None,
) -> dict[int, Result]:
    """Rank and classify every customer of one branch."""
    customers = list(customers)
    ranks = rank_branch(customers)
    return {
        f.customer_id: classify(
            f, rank=ranks.get(f.customer_id), thresholds=thresholds, income_labels=income_labels
        )
        for f in customers
    }


def band_for(rank: int | None, thresholds: Thresholds) -> Band:
    """Who maintains a customer of this branch rank (分层维护)."""
    if rank is None or rank > thresholds.key_limit:
        return Band.ACCOUNT_MANAGER
    if rank <= thresholds.golden_max_rank:
        return Band.GOLDEN
    if rank <= thresholds.chief_max_rank:
        return Band.CHIEF
    return Band.BRANCH_HEAD


@dataclass(frozen=True)
class Cadence:
    """Days allowed between two visits, per tier (DOMAIN.md §3, configurable)."""

    key_days: int = 31  # dedicated account manager: at least monthly
    golden_leader_days: int = 92  # leader revisits golden customers at least quarterly
    periodic_days: int = 92  # periodic revisit: at least quarterly
    kalefu_days: int = 31  # 卡乐付 users: monthly


def revisit_days(tier: Tier, *, uses_kalefu: bool, cadence: Cadence) -> int | None:
    """The longest gap allowed between visits for a customer; None when no cadence applies."""
    days = []
    if tier == Tier.KEY_FOLLOW_UP:
        days.append(cadence.key_days)
    elif tier == Tier.PERIODIC_REVISIT:
        days.append(cadence.periodic_days)
    if uses_kalefu:
        days.append(cadence.kalefu_days)
    return min(days) if days else None


def next_visit_due(
    last_visit: datetime.date | None, since: datetime.date, days: int | None
) -> datetime.date | None:
    """The date by which the next visit is due: from the last visit, or from `since`."""
    if days is None:
        return None
    return (last_visit or since) + datetime.timedelta(days=days)
