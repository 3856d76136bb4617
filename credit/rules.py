"""The four lists and the yearly review of corporate credit customers.

DOMAIN.md §5.2-§5.3 as pure Python: plain values in, plain values out. The caller
passes each customer's facts and the thresholds in force on the day
(`thresholds_on`); nothing here reads the database, the settings or the clock. Like
Django's password validators, each list is a tuple of small numbered criteria and
one function runs the lists in precedence order, keeping every criterion met with
its figures. Unknown figures are None and meet nothing.
"""

import calendar
import datetime
import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
ONE = Decimal(1)
FEN = Decimal("0.01")
WAN = Decimal(10_000)  # 万
YI = Decimal(100_000_000)  # 亿


class CreditList(enum.StrEnum):
    """The four lists (四张名单), and none of them."""

    STRATEGIC = "strategic"
    QUALITY = "quality"
    BASIC = "basic"
    POTENTIAL = "potential"
    UNLISTED = "unlisted"


LIST_LABELS = {
    CreditList.STRATEGIC: _("Strategic credit customer"),
    CreditList.QUALITY: _("Quality credit customer"),
    CreditList.BASIC: _("Basic credit customer"),
    CreditList.POTENTIAL: _("Potential credit customer"),
    CreditList.UNLISTED: _("Not on a list"),
}


class TaxGrade(enum.StrEnum):
    """China's tax credit grades (纳税信用等级), best first; M is a new taxpayer's."""

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


class PolicyKind(enum.StrEnum):
    """The kinds of potential customer the text names; the tax grade is a fact of its own."""

    TECH_SME = "tech_sme"
    AGRI_LEADER = "agri_leader"
    HIDDEN_CHAMPION = "hidden_champion"
    STABLE_GUARANTEE_SME = "stable_guarantee_sme"
    TECH_UPGRADE = "tech_upgrade"
    FIVE_HUNDREDS = "five_hundreds"
    POST_EPIDEMIC = "post_epidemic"
    OTHER = "other"  # counts only with the branch's reason


POLICY_LABELS = {
    PolicyKind.TECH_SME: _("Quality technology-based SME"),
    PolicyKind.AGRI_LEADER: _("Quality leading enterprise of agricultural industrialisation"),
    PolicyKind.HIDDEN_CHAMPION: _("Hidden champion of a market niche"),
    PolicyKind.STABLE_GUARANTEE_SME: _("Quality SME of the 'finance stabilises' programme"),
    PolicyKind.TECH_UPGRADE: _("Key enterprise of the new round of technical upgrading"),
    PolicyKind.FIVE_HUNDREDS: _("Key enterprise of the 'five hundreds' service-industry programme"),
    PolicyKind.POST_EPIDEMIC: _("Enterprise of the ten post-epidemic recovery projects"),
    PolicyKind.OTHER: _("Another kind within the credit policy"),
}


class BranchKind(enum.StrEnum):
    PREFECTURE = "prefecture"  # 地市（州）分支行
    WUHAN = "wuhan"  # 武汉城区一级支行


BRANCH_KIND_LABELS = {
    BranchKind.PREFECTURE: _("Prefecture-level branch"),
    BranchKind.WUHAN: _("Wuhan city first-level branch"),
}


class Role(enum.StrEnum):
    """A 管户责任人 and the B roles beside them (A/B角)."""

    A = "A"
    B1 = "B1"
    B2 = "B2"


class Plan(enum.StrEnum):
    ONE_TO_ONE = "one_to_one"  # 一对一专属服务方案
    CLUSTER = "cluster"  # 按客户集群一对多分类服务方案


PLAN_LABELS = {
    Plan.ONE_TO_ONE: _("One-to-one dedicated service plan"),
    Plan.CLUSTER: _("Cluster (one-to-many) service plan"),
}


@dataclass(frozen=True)
class Thresholds:
    """Head office's figures (DOMAIN.md §5.2-§5.3), all inclusive unless named upper."""

    strategic_exposure: Decimal = Decimal(200_000_000)
    strategic_deposits: Decimal = Decimal(50_000_000)
    quality_exposure: Decimal = Decimal(50_000_000)
    quality_deposits: Decimal = Decimal(20_000_000)
    quality_settlement_share: Decimal = Decimal(50)  # per cent
    quality_funds_return: Decimal = Decimal(20)  # per cent
    quality_payroll_people: int = 150
    quality_payroll_monthly: Decimal = Decimal(800_000)
    quality_pos_monthly: Decimal = Decimal(5_000_000)
    quality_credit_cards: int = 20
    quality_products: int = 3
    basic_exposure: Decimal = Decimal(1_000_000)
    basic_payroll_people: int = 20
    basic_payroll_monthly: Decimal = Decimal(50_000)
    basic_pos_monthly: Decimal = Decimal(300_000)
    basic_credit_cards: int = 10
    basic_products: int = 2
    potential_tax_grades: frozenset[TaxGrade] = frozenset({TaxGrade.A, TaxGrade.B})
    # Teams: "超过" is strictly above these.
    team_lower: Decimal = Decimal(10_000_000)
    team_upper_prefecture: Decimal = Decimal(30_000_000)
    team_upper_wuhan: Decimal = Decimal(50_000_000)
    # 人户合一: an A role for at most this many customers.
    corporate_per_manager: int = 20
    retail_per_manager: int = 100
    review_months: int = 12


DEFAULT_THRESHOLDS = Thresholds()

# Head office's versions, each in force from its date until the next one's.
type Versions = tuple[tuple[datetime.date, Thresholds], ...]
THRESHOLDS: Versions = ((datetime.date(2020, 1, 1), DEFAULT_THRESHOLDS),)


def thresholds_on(day: datetime.date, versions: Versions = THRESHOLDS) -> Thresholds:
    """The thresholds in force on `day`: the version with the latest date not after it."""
    in_force = [(start, t) for start, t in versions if start <= day]
    if not in_force:
        raise LookupError(f"no credit thresholds in force on {day.isoformat()}")
    return max(in_force, key=lambda version: version[0])[1]


@dataclass(frozen=True)
class CustomerFacts:
    """What the lists need to know about one corporate customer (DOMAIN.md §5.1)."""

    # Status flags. Strategic criterion (1) counts the first seven, as the text's ①;
    # shareholders and government-related groups set the visit cadence (§5.4).
    central_soe: bool = False  # 国务院国资委直属中央企业集团
    provincial_soe_leader: bool = False  # 省国资委控股龙头企业
    provincial_monopoly: bool = False  # 省内垄断性质大型优质企事业单位
    china_top_500: bool = False
    industry_top_100: bool = False
    large_hq_group_chain: bool = False  # 大型总部型、集团型、连锁型客户
    listed_well_performing: bool = False  # 优良上市公司
    bank_shareholder: bool = False
    government_related_group: bool = False
    strategic_agreement: bool = False
    head_to_head_agreement: bool = False  # 总对总; implies an agreement
    # The branch's reason for strategic criterion (2); blank: not judged.
    strategic_judgement: str = ""
    # Head office's reason for designating it strategic (the text's ④ 或其他经总行认定).
    head_office_designation: str = ""
    key_supported_industry: bool = False
    two_up_two_control_industry: bool = False  # 两增两控
    sound_finances: bool = False  # the branch's judgement
    profit_margin: Decimal | None = None  # per cent
    industry_average_margin: Decimal | None = None  # per cent
    exposure: Decimal | None = None  # last year's daily average credit exposure, yuan
    deposits: Decimal | None = None  # daily average deposits, yuan
    has_credit_line: bool = False
    online_banking_settlement: bool = False  # corporate online banking used to settle
    settlement_share: Decimal | None = None  # per cent settled through the bank
    funds_return_rate: Decimal | None = None  # 资金归行率, per cent
    payroll_headcount: int | None = None
    payroll_monthly: Decimal | None = None
    pos_monthly: Decimal | None = None
    credit_cards: int | None = None
    products: int | None = None
    tax_grade: TaxGrade | None = None
    policy_kinds: frozenset[PolicyKind] = frozenset()
    other_policy_reason: str = ""
    years_of_cooperation: int | None = None  # shown, never a criterion

    @property
    def has_credit(self) -> bool:
        """A credit line, or some exposure last year."""
        return self.has_credit_line or (self.exposure is not None and self.exposure > ZERO)


# --- figures as the lists quote them -----------------------------------------

MONEY_UNITS = (
    (YI, _("%(amount)s hundred million yuan")),
    (WAN, _("%(amount)s ten thousand yuan")),
    (ONE, _("%(amount)s yuan")),
)


def to_fen(value: Decimal | int) -> Decimal:
    """The one rounding of money here: to the fen, halves away from zero."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """A threshold as the text writes it: 2, 5000, 0.5 (never 2.00 or 5E+3)."""
    return format(Decimal(value).normalize(), "f")


def _figure(value: Decimal) -> str:
    """Two decimals: 2.10, 2345.68. Every digit where rounding would make a figure look
    whole (thresholds are whole): 3000.000001 万元 is above 3000 万元, 3000.00 is not."""
    two = value.quantize(FEN, rounding=ROUND_HALF_UP)
    if two != value and two == two.to_integral_value():
        return format(value.normalize(), "f")
    return format(two, "f")


def money(value: Decimal | int, *, plain: bool = False) -> str:
    """Yuan in 亿元 from 1亿, in 万元 from 1万: "2.10 亿元"; a threshold plain: "2 亿元"."""
    value = Decimal(value) if plain else to_fen(value)
    unit, text = next((u, t) for u, t in MONEY_UNITS if abs(value) >= u or u == ONE)
    amount = value / unit
    return text % {"amount": _plain(amount) if plain else _figure(amount)}


def percent(value: Decimal, *, plain: bool = False) -> str:
    return f"{_plain(value) if plain else _figure(Decimal(value))}%"


def _at_least(value: Decimal | int | None, minimum: Decimal | int) -> bool:
    return value is not None and value >= minimum


# --- the criteria ------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion met: its list, its number in the text and what met it, with figures."""

    list: CreditList
    number: int
    text: str


type Met = Mapping[CreditList, tuple[Criterion, ...]]
# A criterion yields one text per way it is met (exposure, deposits, ...), none if unmet.
type Check = Callable[[CustomerFacts, Thresholds, Met], Iterator[str]]

STRATEGIC_STATUS = (
    ("central_soe", _("Central SOE group directly under SASAC")),
    ("provincial_soe_leader", _("Leading enterprise controlled by the provincial SASAC")),
    ("provincial_monopoly", _("Large monopoly-type enterprise or institution of the province")),
    ("china_top_500", _("China top-500 enterprise")),
    ("industry_top_100", _("Industry top-100 enterprise")),
    ("large_hq_group_chain", _("Large headquarters, group or chain customer")),
    ("listed_well_performing", _("Well-performing listed company")),
)


def _exposure_at_least(facts: CustomerFacts, minimum: Decimal) -> Iterator[str]:
    if _at_least(facts.exposure, minimum):
        yield _("Last year's daily average credit exposure %(value)s ≥ %(minimum)s") % {
            "value": money(facts.exposure),
            "minimum": money(minimum, plain=True),
        }


def _deposits_at_least(facts: CustomerFacts, minimum: Decimal) -> Iterator[str]:
    if _at_least(facts.deposits, minimum):
        yield _("Daily average deposits %(value)s ≥ %(minimum)s") % {
            "value": money(facts.deposits),
            "minimum": money(minimum, plain=True),
        }


def _payroll_pos_cards(
    facts: CustomerFacts, people: int, monthly: Decimal, pos: Decimal, cards: int
) -> Iterator[str]:
    if _at_least(facts.payroll_headcount, people) and _at_least(facts.payroll_monthly, monthly):
        yield _("Payroll for %(people)s people ≥ %(people_min)s, %(amount)s a month ≥ %(min)s") % {
            "people": facts.payroll_headcount,
            "people_min": people,
            "amount": money(facts.payroll_monthly),
            "min": money(monthly, plain=True),
        }
    if _at_least(facts.pos_monthly, pos):
        yield _("POS settlement %(amount)s a month ≥ %(min)s") % {
            "amount": money(facts.pos_monthly),
            "min": money(pos, plain=True),
        }
    if _at_least(facts.credit_cards, cards):
        yield _("%(cards)s credit cards ≥ %(min)s") % {"cards": facts.credit_cards, "min": cards}


def _products_at_least(facts: CustomerFacts, minimum: int) -> Iterator[str]:
    if _at_least(facts.products, minimum):
        yield _("%(n)s of the bank's products used ≥ %(min)s") % {
            "n": facts.products,
            "min": minimum,
        }


def strategic_status(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    for name, label in STRATEGIC_STATUS:
        if getattr(facts, name):
            yield str(label)


def strategic_judgement(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.strategic_judgement.strip():
        yield _("Industry, regional, brand or resource advantage, as the branch judged: %(r)s") % {
            "r": facts.strategic_judgement.strip()
        }


def strategic_size(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    # The text's ③ is for existing credit customers only (若为存量授信客户).
    if facts.has_credit:
        yield from _exposure_at_least(facts, t.strategic_exposure)
        yield from _deposits_at_least(facts, t.strategic_deposits)


def strategic_agreement(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.head_to_head_agreement:
        yield str(_("Strategic cooperation agreement signed, head office to head office"))
    elif facts.strategic_agreement:
        yield str(_("Strategic cooperation agreement signed with the bank"))
    if facts.head_office_designation.strip():
        yield _("Designated strategic by head office: %(r)s") % {
            "r": facts.head_office_designation.strip()
        }


def quality_industry(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.key_supported_industry and not met[CreditList.STRATEGIC]:
        yield str(_("Outside the strategic list, in a key supported industry"))


def quality_finances(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if not facts.sound_finances:
        return
    margin, average = facts.profit_margin, facts.industry_average_margin
    if margin is None or average is None:
        yield str(_("Sound finances, as the branch judged"))
    elif margin >= average:
        # Figures on record bind the judgement: the text asks for a margin not below
        # the industry average.
        yield _("Sound finances: profit margin %(margin)s ≥ industry average %(average)s") % {
            "margin": percent(margin),
            "average": percent(average),
        }


def quality_size(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    yield from _exposure_at_least(facts, t.quality_exposure)
    yield from _deposits_at_least(facts, t.quality_deposits)


def quality_settlement(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if (
        facts.online_banking_settlement
        and _at_least(facts.settlement_share, t.quality_settlement_share)
        and _at_least(facts.funds_return_rate, t.quality_funds_return)
    ):
        yield _(
            "Settles through corporate online banking: settlement share %(share)s ≥ "
            "%(share_min)s, funds-return rate %(rate)s ≥ %(rate_min)s"
        ) % {
            "share": percent(facts.settlement_share),
            "share_min": percent(t.quality_settlement_share, plain=True),
            "rate": percent(facts.funds_return_rate),
            "rate_min": percent(t.quality_funds_return, plain=True),
        }


def quality_payroll_pos_cards(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    return _payroll_pos_cards(
        facts,
        t.quality_payroll_people,
        t.quality_payroll_monthly,
        t.quality_pos_monthly,
        t.quality_credit_cards,
    )


def quality_products(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    return _products_at_least(facts, t.quality_products)


def basic_industry(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.two_up_two_control_industry and _at_least(facts.exposure, t.basic_exposure):
        yield _(
            "In a 'two increases, two controls' supported industry, last year's daily "
            "average credit exposure %(value)s ≥ %(minimum)s"
        ) % {"value": money(facts.exposure), "minimum": money(t.basic_exposure, plain=True)}


def basic_online_banking(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.online_banking_settlement:
        yield str(_("Settles daily through the bank's corporate online banking"))


def basic_payroll_pos_cards(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    return _payroll_pos_cards(
        facts,
        t.basic_payroll_people,
        t.basic_payroll_monthly,
        t.basic_pos_monthly,
        t.basic_credit_cards,
    )


def basic_products(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    return _products_at_least(facts, t.basic_products)


def potential_no_credit(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    # Known to be zero: an unknown exposure is not "no credit".
    if facts.exposure == ZERO and not facts.has_credit_line:
        yield str(_("No credit with the bank yet: no exposure, no credit line"))


def potential_policy(facts: CustomerFacts, t: Thresholds, met: Met) -> Iterator[str]:
    if facts.tax_grade in t.potential_tax_grades:
        yield _("Tax credit grade %(grade)s: on the tax whitelist") % {"grade": facts.tax_grade}
    for kind in PolicyKind:
        if kind not in facts.policy_kinds:
            continue
        if kind != PolicyKind.OTHER:
            yield str(POLICY_LABELS[kind])
        elif facts.other_policy_reason.strip():
            yield _("Another kind within the credit policy: %(r)s") % {
                "r": facts.other_policy_reason.strip()
            }


@dataclass(frozen=True)
class ListRule:
    """One list: its numbered criteria and how many of them it takes."""

    list: CreditList
    criteria: tuple[Check, ...]  # criterion n is criteria[n - 1]
    all_of: frozenset[int]  # every one of these
    any_of: frozenset[int]  # and at least one of these
    needs_credit: bool = True

    def met(self, facts: CustomerFacts, t: Thresholds, earlier: Met) -> tuple[Criterion, ...]:
        return tuple(
            Criterion(self.list, number, text)
            for number, check in enumerate(self.criteria, start=1)
            for text in check(facts, t, earlier)
        )

    def holds(self, facts: CustomerFacts, met: tuple[Criterion, ...]) -> bool:
        numbers = {c.number for c in met}
        return (
            (facts.has_credit or not self.needs_credit)
            and self.all_of <= numbers
            and bool(self.any_of & numbers)
        )


# Precedence: strategic > quality > basic > potential. The first three are lists of
# credit customers (授信客户); a customer without credit can only be potential, and
# the criteria it meets of the others are still shown.
RULES = (
    ListRule(
        CreditList.STRATEGIC,
        (strategic_status, strategic_judgement, strategic_size, strategic_agreement),
        all_of=frozenset(),
        any_of=frozenset({1, 2, 3, 4}),
    ),
    ListRule(
        CreditList.QUALITY,
        (
            quality_industry,
            quality_finances,
            quality_size,
            quality_settlement,
            quality_payroll_pos_cards,
            quality_products,
        ),
        all_of=frozenset({1, 2, 3}),
        any_of=frozenset({4, 5, 6}),
    ),
    ListRule(
        CreditList.BASIC,
        (basic_industry, basic_online_banking, basic_payroll_pos_cards, basic_products),
        all_of=frozenset(),
        any_of=frozenset({1, 2, 3, 4}),
    ),
    ListRule(
        CreditList.POTENTIAL,
        (potential_no_credit, potential_policy),
        all_of=frozenset({1}),
        any_of=frozenset({2}),
        needs_credit=False,
    ),
)


@dataclass(frozen=True)
class Proposal:
    """The list the rules propose, the criteria that put it there and all the others met."""

    list: CreditList
    criteria: tuple[Criterion, ...]
    met: Met  # every list's criteria met, proposed or not
    has_credit: bool
    note: str = ""  # why it is on no list
    years_of_cooperation: int | None = None

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.criteria]


def propose(facts: CustomerFacts, thresholds: Thresholds) -> Proposal:
    """Run every list's criteria; the first list, in precedence order, that holds decides."""
    met: dict[CreditList, tuple[Criterion, ...]] = {}
    for rule in RULES:
        met[rule.list] = rule.met(facts, thresholds, met)
    for rule in RULES:
        if rule.holds(facts, met[rule.list]):
            return Proposal(
                rule.list,
                met[rule.list],
                met,
                facts.has_credit,
                years_of_cooperation=facts.years_of_cooperation,
            )
    return Proposal(
        CreditList.UNLISTED,
        (),
        met,
        facts.has_credit,
        note=_why_unlisted(facts),
        years_of_cooperation=facts.years_of_cooperation,
    )


def _why_unlisted(facts: CustomerFacts) -> str:
    if facts.has_credit:
        return str(_("Has credit but meets no list's criteria: the branch decides"))
    if facts.exposure is None:
        return str(_("Credit exposure unknown and no credit line: the branch decides"))
    return str(_("No credit yet and no policy kind of a potential customer: the branch decides"))


# --- yearly review (每年定期更新) -------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (29 Feb + 12 months: 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(
    last_confirmed: datetime.date | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> datetime.date | None:
    """The day a list's review falls due; None when it was never confirmed (due now)."""
    if last_confirmed is None:
        return None
    return add_months(last_confirmed, thresholds.review_months)


def review_due(
    last_confirmed: datetime.date | None,
    today: datetime.date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> bool:
    """Due from the anniversary of the last confirmation on; a list never confirmed is due."""
    due_on = review_due_on(last_confirmed, thresholds)
    return due_on is None or today >= due_on
