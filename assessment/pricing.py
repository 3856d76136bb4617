"""Monthly statement arithmetic (DOMAIN.md §4), as pure Python.

The caller passes one person's month (role, confirmed field days, ledger items,
findings, branch figures) and the rate table in force; `price_month` returns every
statement line with the rule that qualified it. No ORM, no settings, no clock.
Money is Decimal and is rounded to the fen in one place, `to_fen`.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
ZERO = Decimal("0")
TEN_THOUSAND = Decimal("10000")


def plain(value: Decimal) -> str:
    """A figure as people write it: 30, 0.001, 10000 (never 3E+1)."""
    return format(Decimal(value).normalize(), "f")


def to_fen(value) -> Decimal:
    """The one rounding of the statement: to the fen, halves away from zero."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class Role(enum.StrEnum):
    ACCOUNT_MANAGER = "account_manager"
    BRANCH_HEAD = "branch_head"
    SECTION_CHIEF = "section_chief"
    LEADER = "leader"
    HEAD_OFFICE = "head_office"


class Kind(enum.StrEnum):
    """What a ledger item counts; money kinds carry an amount, counted kinds a count."""

    FIXED_DEPOSIT = "fixed_deposit"
    DEMAND_DEPOSIT = "demand_deposit"  # the month's accumulated daily balance (积数)
    LOAN_PRINCIPAL = "loan_principal_recovered"
    LOAN_INTEREST = "loan_interest_recovered"
    NPL_RECOVERED = "npl_recovered"
    FUKA = "fuka_cards"
    VIP_CARD = "vip_cards"
    PERSONAL_EBANKING = "personal_ebanking"
    CORPORATE_EBANKING = "corporate_ebanking"
    SMS_THIRDPARTY = "sms_thirdparty"
    POS = "pos"
    KALEFU = "kalefu"
    SPECIAL_MERCHANT = "special_merchant"


class Section(enum.StrEnum):
    SUBSIDY = "subsidy"
    PIECE_RATE = "piece_rate"
    FUND = "fund"
    DEDUCTION = "deduction"
    REWARD = "reward"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True)
class RateTable:
    """Every rate and threshold of the assessment; head office versions it by month."""

    subsidy_per_field_day: Decimal = Decimal("50")
    fixed_deposit_per_10k: Decimal = Decimal("50")
    demand_days_divisor: Decimal = Decimal("360")
    demand_deposit_per_10k: Decimal = Decimal("50")
    loan_principal_rate: Decimal = Decimal("0.001")  # 1.0‰ (DOMAIN.md Decision)
    loan_interest_rate: Decimal = Decimal("0.028")
    npl_rate: Decimal = Decimal("0.10")
    fuka_each: Decimal = Decimal("2")
    vip_card_each: Decimal = Decimal("20")
    personal_ebanking_each: Decimal = Decimal("10")
    corporate_ebanking_each: Decimal = Decimal("50")
    corporate_ebanking_min_tx: Decimal = Decimal("3")
    sms_thirdparty_each: Decimal = Decimal("5")
    sms_thirdparty_min_tx: Decimal = Decimal("1")
    pos_each: Decimal = Decimal("100")
    kalefu_each: Decimal = Decimal("200")
    kalefu_min_tx: Decimal = Decimal("5")
    kalefu_min_amount: Decimal = Decimal("10000")
    special_merchant_each: Decimal = Decimal("500")
    special_merchant_min_tx: Decimal = Decimal("10")
    special_merchant_min_amount: Decimal = Decimal("20000")
    assessment_fund: Decimal = Decimal("2000")
    falsification_penalty: Decimal = Decimal("200")
    branch_falsifications_for_head: int = 2
    branch_head_falsification_penalty: Decimal = Decimal("200")
    penalty_min_field_days: int = 16
    missing_day_penalty: Decimal = Decimal("100")
    branch_average_min_days: Decimal = Decimal("16")
    inactive_kalefu_penalty: Decimal = Decimal("100")
    slow_branch_chief_share: Decimal = Decimal("0.5")
    min_days_manager_census: int = 20
    min_days_manager: int = 16
    min_days_branch_head_census: int = 15
    min_days_branch_head: int = 10
    # Going down themselves (以身作则坚持下乡): each month, leaders ≥ 2 trips and ≥ 100
    # households, head-office middle managers (section chiefs) ≥ 4 trips and ≥ 500.
    min_trips_leader: int = 2
    min_households_leader: int = 100
    min_trips_section_chief: int = 4
    min_households_section_chief: int = 500


@dataclass(frozen=True)
class LedgerItem:
    kind: Kind
    amount: Decimal = ZERO
    count: int = 0
    avg_transactions: Decimal = ZERO
    avg_amount: Decimal = ZERO
    ref: str = ""
    source_id: int | None = None


@dataclass(frozen=True)
class Reward:
    amount: Decimal
    reason: str
    source_id: int | None = None


@dataclass(frozen=True)
class PersonMonth:
    """What one person's statement is computed from."""

    role: Role
    confirmed_field_days: int
    census_phase: bool = False
    ledger: tuple[LedgerItem, ...] = ()
    falsifications: int = 0  # confirmed findings against this person this month
    branch_falsifications: int = 0  # confirmed in the person's branch (branch heads)
    branch_average_days: Decimal | None = None  # of the branch's account managers
    branch_judged_slow: bool = False
    rewards: tuple[Reward, ...] = ()
    adjustments: tuple[Reward, ...] = ()  # corrections carried from a closed month


@dataclass(frozen=True)
class Line:
    section: Section
    code: str
    label: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    rule: str
    refs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Statement:
    lines: tuple[Line, ...]
    subsidy: Decimal
    piece_rate: Decimal
    fund: Decimal
    deductions: Decimal
    fund_payout: Decimal
    excess_deductions: Decimal  # deductions beyond the fund, shown but not charged
    rewards: Decimal
    adjustments: Decimal
    payout: Decimal
    minimum_field_days: int | None = None
    field_days_short: int = 0


FUND_ROLES = {Role.ACCOUNT_MANAGER, Role.BRANCH_HEAD, Role.SECTION_CHIEF}


def _line(section, code, label, quantity, rate, amount, rule, refs=()):
    return Line(
        section=section,
        code=code,
        label=str(label),
        quantity=Decimal(quantity),
        rate=Decimal(rate),
        amount=to_fen(amount),
        rule=str(rule),
        refs=tuple(r for r in refs if r is not None),
    )


# ---- Piece rates: one small rule object per ledger kind ---------------------------


class PerTenThousand:
    """Amount organised, paid per 10,000 yuan (fixed deposits)."""

    def __init__(self, kind, label, rate_attr):
        self.kind, self.label, self.rate_attr = kind, label, rate_attr

    def lines(self, items, rates):
        total = sum((i.amount for i in items), ZERO)
        if not total:
            return []
        rate = getattr(rates, self.rate_attr)
        units = total / TEN_THOUSAND
        return [
            _line(
                Section.PIECE_RATE,
                self.kind,
                self.label,
                units,
                rate,
                units * rate,
                _("%(amount)s yuan = %(units)s × 10,000 yuan × %(rate)s yuan")
                % {"amount": total, "units": plain(units), "rate": rate},
                [i.source_id for i in items],
            )
        ]


class DemandDeposit:
    """Demand deposits converted by accumulated daily balance ÷ 360, per 10,000 yuan."""

    kind = Kind.DEMAND_DEPOSIT

    def lines(self, items, rates):
        total = sum((i.amount for i in items), ZERO)
        if not total:
            return []
        equivalent = total / rates.demand_days_divisor
        units = equivalent / TEN_THOUSAND
        rate = rates.demand_deposit_per_10k
        return [
            _line(
                Section.PIECE_RATE,
                self.kind,
                _("Demand deposits"),
                units,
                rate,
                units * rate,
                _(
                    "accumulated daily balance %(total)s ÷ %(divisor)s = %(equivalent)s yuan; "
                    "× %(rate)s yuan per 10,000 yuan"
                )
                % {
                    "total": total,
                    "divisor": rates.demand_days_divisor,
                    "equivalent": to_fen(equivalent),
                    "rate": rate,
                },
                [i.source_id for i in items],
            )
        ]


class Percentage:
    """A share of an amount recovered (loan principal ‰, interest %, NPL 10%)."""

    def __init__(self, kind, label, rate_attr):
        self.kind, self.label, self.rate_attr = kind, label, rate_attr

    def lines(self, items, rates):
        total = sum((i.amount for i in items), ZERO)
        if not total:
            return []
        rate = getattr(rates, self.rate_attr)
        return [
            _line(
                Section.PIECE_RATE,
                self.kind,
                self.label,
                total,
                rate,
                total * rate,
                _("%(amount)s yuan × %(rate)s") % {"amount": total, "rate": plain(rate)},
                [i.source_id for i in items],
            )
        ]


class PerItem:
    """A fixed price per card, household or terminal, when its activity qualifies."""

    def __init__(self, kind, label, rate_attr, min_tx_attr=None, min_amount_attr=None):
        self.kind, self.label, self.rate_attr = kind, label, rate_attr
        self.min_tx_attr, self.min_amount_attr = min_tx_attr, min_amount_attr

    def qualifies(self, item, rates):
        if self.min_tx_attr and item.avg_transactions < getattr(rates, self.min_tx_attr):
            return False
        return not (self.min_amount_attr and item.avg_amount < getattr(rates, self.min_amount_attr))

    def condition(self, rates):
        parts = []
        if self.min_tx_attr:
            parts.append(
                str(_("monthly average ≥ %(n)s transactions"))
                % {"n": plain(getattr(rates, self.min_tx_attr))}
            )
        if self.min_amount_attr:
            parts.append(
                str(_("≥ %(n)s yuan")) % {"n": plain(getattr(rates, self.min_amount_attr))}
            )
        return "、".join(parts)

    def lines(self, items, rates):
        qualifying = [i for i in items if self.qualifies(i, rates)]
        quantity = sum((max(i.count, 1) if self.min_tx_attr else i.count for i in qualifying), 0)
        if not items:
            return []
        rate = getattr(rates, self.rate_attr)
        condition = self.condition(rates)
        if condition:
            rule = _("%(q)s of %(n)s qualify (%(condition)s), × %(rate)s yuan") % {
                "q": quantity,
                "n": sum((max(i.count, 1) for i in items), 0),
                "condition": condition,
                "rate": rate,
            }
        else:
            rule = _("%(q)s × %(rate)s yuan") % {"q": quantity, "rate": rate}
        return [
            _line(
                Section.PIECE_RATE,
                self.kind,
                self.label,
                quantity,
                rate,
                quantity * rate,
                rule,
                [i.source_id for i in items],
            )
        ]


PIECE_RATES = (
    PerTenThousand(Kind.FIXED_DEPOSIT, _("Fixed deposits organised"), "fixed_deposit_per_10k"),
    DemandDeposit(),
    Percentage(Kind.LOAN_PRINCIPAL, _("Loan principal recovered"), "loan_principal_rate"),
    Percentage(Kind.LOAN_INTEREST, _("Loan interest recovered"), "loan_interest_rate"),
    Percentage(Kind.NPL_RECOVERED, _("Non-performing loans recovered"), "npl_rate"),
    PerItem(Kind.FUKA, _("Fuka debit cards"), "fuka_each"),
    PerItem(Kind.VIP_CARD, _("VIP cards"), "vip_card_each"),
    PerItem(
        Kind.PERSONAL_EBANKING, _("Personal online and mobile banking"), "personal_ebanking_each"
    ),
    PerItem(
        Kind.CORPORATE_EBANKING,
        _("Corporate online banking"),
        "corporate_ebanking_each",
        "corporate_ebanking_min_tx",
    ),
    PerItem(
        Kind.SMS_THIRDPARTY,
        _("SMS banking and third-party payment"),
        "sms_thirdparty_each",
        "sms_thirdparty_min_tx",
    ),
    PerItem(Kind.POS, _("POS"), "pos_each"),
    PerItem(
        Kind.KALEFU, _("Kalefu terminals"), "kalefu_each", "kalefu_min_tx", "kalefu_min_amount"
    ),
    PerItem(
        Kind.SPECIAL_MERCHANT,
        _("Special merchants"),
        "special_merchant_each",
        "special_merchant_min_tx",
        "special_merchant_min_amount",
    ),
)


def piece_rate_lines(ledger: Iterable[LedgerItem], rates: RateTable) -> list[Line]:
    by_kind: dict[Kind, list[LedgerItem]] = {}
    for item in ledger:
        by_kind.setdefault(Kind(item.kind), []).append(item)
    lines = []
    for rule in PIECE_RATES:
        lines += rule.lines(by_kind.get(rule.kind, []), rates)
    return lines


# ---- Fund deductions ---------------------------------------------------------------


def minimum_field_days(role: Role, census_phase: bool, rates: RateTable) -> int | None:
    if role == Role.ACCOUNT_MANAGER:
        return rates.min_days_manager_census if census_phase else rates.min_days_manager
    if role == Role.BRANCH_HEAD:
        return rates.min_days_branch_head_census if census_phase else rates.min_days_branch_head
    return None


def deduction_lines(person: PersonMonth, rates: RateTable) -> list[Line]:
    lines = []
    if person.role == Role.ACCOUNT_MANAGER:
        if person.falsifications:
            lines.append(
                _line(
                    Section.DEDUCTION,
                    "falsification",
                    _("Falsification found"),
                    person.falsifications,
                    -rates.falsification_penalty,
                    -rates.falsification_penalty * person.falsifications,
                    _("%(n)s confirmed × %(rate)s yuan")
                    % {"n": person.falsifications, "rate": rates.falsification_penalty},
                )
            )
        short = rates.penalty_min_field_days - person.confirmed_field_days
        if short > 0:
            lines.append(
                _line(
                    Section.DEDUCTION,
                    "missing_field_days",
                    _("Field days below the minimum"),
                    short,
                    -rates.missing_day_penalty,
                    -rates.missing_day_penalty * short,
                    _("%(days)s confirmed field days, %(short)s short of %(min)s × %(rate)s yuan")
                    % {
                        "days": person.confirmed_field_days,
                        "short": short,
                        "min": rates.penalty_min_field_days,
                        "rate": rates.missing_day_penalty,
                    },
                )
            )
    if person.role == Role.BRANCH_HEAD and (
        person.branch_falsifications >= rates.branch_falsifications_for_head
    ):
        lines.append(
            _line(
                Section.DEDUCTION,
                "branch_falsification",
                _("Falsifications in the branch"),
                1,
                -rates.branch_head_falsification_penalty,
                -rates.branch_head_falsification_penalty,
                _("%(n)s confirmed in the branch (penalised from %(min)s)")
                % {"n": person.branch_falsifications, "min": rates.branch_falsifications_for_head},
            )
        )
    if (
        person.role in (Role.BRANCH_HEAD, Role.SECTION_CHIEF)
        and person.branch_average_days is not None
    ):
        short = rates.branch_average_min_days - person.branch_average_days
        if short > 0:
            lines.append(
                _line(
                    Section.DEDUCTION,
                    "branch_average_days",
                    _("Branch average field days below the minimum"),
                    short,
                    -rates.missing_day_penalty,
                    -rates.missing_day_penalty * short,
                    _("branch average %(avg)s days, %(short)s short of %(min)s × %(rate)s yuan")
                    % {
                        "avg": person.branch_average_days,
                        "short": short,
                        "min": rates.branch_average_min_days,
                        "rate": rates.missing_day_penalty,
                    },
                )
            )
    # A terminal below the transaction minimum (or idle) costs its owner; one with
    # enough transactions but too small an amount just earns nothing.
    inactive = [
        i
        for i in person.ledger
        if i.kind == Kind.KALEFU and i.avg_transactions < rates.kalefu_min_tx
    ]
    if inactive:
        lines.append(
            _line(
                Section.DEDUCTION,
                "inactive_kalefu",
                _("Kalefu terminals inactive or below the minimum"),
                len(inactive),
                -rates.inactive_kalefu_penalty,
                -rates.inactive_kalefu_penalty * len(inactive),
                _("%(n)s terminals below %(min)s transactions a month × %(rate)s yuan")
                % {
                    "n": len(inactive),
                    "min": plain(rates.kalefu_min_tx),
                    "rate": rates.inactive_kalefu_penalty,
                },
                [i.source_id for i in inactive],
            )
        )
    if person.branch_judged_slow and person.role in (Role.BRANCH_HEAD, Role.SECTION_CHIEF):
        share = Decimal("1") if person.role == Role.BRANCH_HEAD else rates.slow_branch_chief_share
        lines.append(
            _line(
                Section.DEDUCTION,
                "slow_branch",
                _("Branch judged slow or poorly organised"),
                share,
                -rates.assessment_fund,
                -rates.assessment_fund * share,
                _("%(share)s%% of the assessment fund") % {"share": plain(share * 100)},
            )
        )
    return lines


def price_month(person: PersonMonth, rates: RateTable) -> Statement:
    """Every line of one person's monthly statement, and the totals."""
    lines: list[Line] = []
    days = person.confirmed_field_days
    lines.append(
        _line(
            Section.SUBSIDY,
            "subsidy",
            _("Field-day subsidy"),
            days,
            rates.subsidy_per_field_day,
            rates.subsidy_per_field_day * days,
            _("%(days)s confirmed field days × %(rate)s yuan")
            % {"days": days, "rate": rates.subsidy_per_field_day},
        )
    )
    lines += piece_rate_lines(person.ledger, rates)
    fund = rates.assessment_fund if person.role in FUND_ROLES else ZERO
    deductions = deduction_lines(person, rates) if fund else []
    if fund:
        lines.append(
            _line(
                Section.FUND,
                "fund",
                _("Assessment fund withheld"),
                1,
                fund,
                fund,
                _("%(fund)s yuan a month, paid out after deductions") % {"fund": fund},
            )
        )
    lines += deductions
    for reward in person.rewards:
        lines.append(
            _line(
                Section.REWARD,
                "reward",
                _("Reward"),
                1,
                reward.amount,
                reward.amount,
                reward.reason,
                [reward.source_id],
            )
        )
    for adjustment in person.adjustments:
        lines.append(
            _line(
                Section.ADJUSTMENT,
                "adjustment",
                _("Adjustment"),
                1,
                adjustment.amount,
                adjustment.amount,
                adjustment.reason,
                [adjustment.source_id],
            )
        )

    def total(section):
        return sum((line.amount for line in lines if line.section == section), ZERO)

    subsidy, piece = total(Section.SUBSIDY), total(Section.PIECE_RATE)
    deducted = -total(Section.DEDUCTION)
    fund_payout = max(ZERO, fund - deducted)
    excess = max(ZERO, deducted - fund)
    rewards, adjustments = total(Section.REWARD), total(Section.ADJUSTMENT)
    minimum = minimum_field_days(person.role, person.census_phase, rates)
    return Statement(
        lines=tuple(lines),
        subsidy=subsidy,
        piece_rate=piece,
        fund=to_fen(fund),
        deductions=to_fen(deducted),
        fund_payout=to_fen(fund_payout),
        excess_deductions=to_fen(excess),
        rewards=rewards,
        adjustments=adjustments,
        payout=to_fen(subsidy + piece + fund_payout + rewards + adjustments),
        minimum_field_days=minimum,
        field_days_short=max(0, (minimum or 0) - days),
    )
