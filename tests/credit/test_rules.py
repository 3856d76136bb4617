"""The four lists and the yearly review: DB-free tables at every boundary."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from credit.rules import (
    THRESHOLDS,
    CreditList,
    CustomerFacts,
    PolicyKind,
    TaxGrade,
    Thresholds,
    add_months,
    money,
    propose,
    review_due,
    review_due_on,
    thresholds_on,
)

D = Decimal
T = Thresholds()
CENT = D("0.01")
S, Q, B, P, U = (
    CreditList.STRATEGIC,
    CreditList.QUALITY,
    CreditList.BASIC,
    CreditList.POTENTIAL,
    CreditList.UNLISTED,
)


def credit(**kw):
    """A credit customer (a line, no exposure) meeting nothing unless told."""
    return CustomerFacts(**{"has_credit_line": True, "exposure": D(0), **kw})


def no_credit(**kw):
    """A customer known to have no credit with the bank."""
    return CustomerFacts(**{"exposure": D(0), **kw})


def quality(**kw):
    """Quality's three required criteria met with the fewest figures; add one of (4)-(6)."""
    return credit(
        **{
            "key_supported_industry": True,
            "sound_finances": True,
            "exposure": D(50_000_000),
            **kw,
        }
    )


def case(id, expected, facts):
    return pytest.param(facts, expected, id=id)


def numbers(criteria):
    return [c.number for c in criteria]


# --- the lists at their boundaries ---------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # strategic (3): existing credit customers only, inclusive
        case(
            "exposure one fen under 200 million is not strategic",
            U,
            credit(exposure=D(200_000_000) - CENT),
        ),
        case("exposure of exactly 200 million is strategic", S, credit(exposure=D(200_000_000))),
        case(
            "deposits one fen under 50 million is not strategic",
            U,
            credit(deposits=D(50_000_000) - CENT),
        ),
        case("deposits of exactly 50 million is strategic", S, credit(deposits=D(50_000_000))),
        case(
            "large deposits without credit is not strategic", U, no_credit(deposits=D(60_000_000))
        ),
        # strategic (2) and (4)
        case(
            "the branch's judgement with a reason is strategic",
            S,
            credit(strategic_judgement="区域垄断供水企业"),
        ),
        case("a judgement without a reason is nothing", U, credit(strategic_judgement="   ")),
        case("a signed strategic agreement is strategic", S, credit(strategic_agreement=True)),
        case(
            "a head-office-to-head-office agreement is strategic",
            S,
            credit(head_to_head_agreement=True),
        ),
        case(
            "head office's designation is strategic", S, credit(head_office_designation="总行认定")
        ),
        case("a shareholder alone is not strategic", U, credit(bank_shareholder=True)),
        case(
            "a government-related group alone is not strategic",
            U,
            credit(government_related_group=True),
        ),
        case("a central SOE without credit is on no list", U, no_credit(central_soe=True)),
        # quality: (1), (2), (3) all, plus one of (4)-(6)
        case("three required and three products is quality", Q, quality(products=3)),
        case("two products is basic, not quality", B, quality(products=2)),
        case("the three required alone are not enough", U, quality()),
        case(
            "outside a key industry is basic", B, quality(products=3, key_supported_industry=False)
        ),
        case("finances not judged sound is basic", B, quality(products=3, sound_finances=False)),
        case(
            "exposure one fen under 50 million is basic",
            B,
            quality(products=3, exposure=D(50_000_000) - CENT),
        ),
        case(
            "deposits of exactly 20 million is quality",
            Q,
            quality(products=3, exposure=D(0), deposits=D(20_000_000)),
        ),
        case(
            "deposits one fen under 20 million is basic",
            B,
            quality(products=3, exposure=D(0), deposits=D(20_000_000) - CENT),
        ),
        case(
            "unknown exposure with a credit line meets no size",
            B,
            quality(products=3, exposure=None),
        ),
        case(
            "margin equal to the average is sound",
            Q,
            quality(products=3, profit_margin=D("7.00"), industry_average_margin=D("7.00")),
        ),
        case(
            "margin 0.01 point under the average is not sound",
            B,
            quality(products=3, profit_margin=D("6.99"), industry_average_margin=D("7.00")),
        ),
        case(
            "margin without an average leaves the judgement",
            Q,
            quality(products=3, profit_margin=D("6.99")),
        ),
        # quality (4): online banking and settlement share and funds-return, all inclusive
        case(
            "settlement 50% and funds-return 20% is quality",
            Q,
            quality(
                online_banking_settlement=True, settlement_share=D(50), funds_return_rate=D(20)
            ),
        ),
        case(
            "settlement share 49.99% is basic",
            B,
            quality(
                online_banking_settlement=True, settlement_share=D("49.99"), funds_return_rate=D(20)
            ),
        ),
        case(
            "funds-return 19.99% is basic",
            B,
            quality(
                online_banking_settlement=True, settlement_share=D(50), funds_return_rate=D("19.99")
            ),
        ),
        case(
            "shares without online banking are nothing",
            U,
            quality(settlement_share=D(100), funds_return_rate=D(100)),
        ),
        case(
            "an unknown funds-return is not met",
            B,
            quality(online_banking_settlement=True, settlement_share=D(50)),
        ),
        # quality (5): payroll people and amount, or POS, or cards
        case(
            "payroll 150 people and 800,000 a month is quality",
            Q,
            quality(payroll_headcount=150, payroll_monthly=D(800_000)),
        ),
        case(
            "payroll 149 people is basic",
            B,
            quality(payroll_headcount=149, payroll_monthly=D(800_000)),
        ),
        case(
            "payroll one fen under 800,000 is basic",
            B,
            quality(payroll_headcount=150, payroll_monthly=D(800_000) - CENT),
        ),
        case("payroll people without an amount is nothing", U, quality(payroll_headcount=150)),
        case("POS of exactly 5 million a month is quality", Q, quality(pos_monthly=D(5_000_000))),
        case("POS one fen under 5 million is basic", B, quality(pos_monthly=D(5_000_000) - CENT)),
        case("20 credit cards is quality", Q, quality(credit_cards=20)),
        case("19 credit cards is basic", B, quality(credit_cards=19)),
        # basic: any one
        case(
            "two-up-two-control industry and exposure of exactly 1 million is basic",
            B,
            credit(two_up_two_control_industry=True, exposure=D(1_000_000)),
        ),
        case(
            "two-up-two-control industry one fen under 1 million is unlisted",
            U,
            credit(two_up_two_control_industry=True, exposure=D(1_000_000) - CENT),
        ),
        case(
            "1 million outside a two-up-two-control industry is unlisted",
            U,
            credit(exposure=D(1_000_000)),
        ),
        case(
            "daily settlement through online banking is basic",
            B,
            credit(online_banking_settlement=True),
        ),
        case(
            "payroll 20 people and 50,000 a month is basic",
            B,
            credit(payroll_headcount=20, payroll_monthly=D(50_000)),
        ),
        case(
            "payroll 19 people is unlisted",
            U,
            credit(payroll_headcount=19, payroll_monthly=D(50_000)),
        ),
        case(
            "payroll one fen under 50,000 is unlisted",
            U,
            credit(payroll_headcount=20, payroll_monthly=D(50_000) - CENT),
        ),
        case("POS of exactly 300,000 a month is basic", B, credit(pos_monthly=D(300_000))),
        case("POS one fen under 300,000 is unlisted", U, credit(pos_monthly=D(300_000) - CENT)),
        case("10 credit cards is basic", B, credit(credit_cards=10)),
        case("9 credit cards is unlisted", U, credit(credit_cards=9)),
        case("two products is basic", B, credit(products=2)),
        case("one product is unlisted", U, credit(products=1)),
        case("a credit customer meeting nothing is unlisted", U, credit()),
        case(
            "any exposure is credit, without a line",
            B,
            CustomerFacts(exposure=D("0.01"), products=2),
        ),
        # potential: no credit (known) and a policy kind
        case(
            "a tech SME without credit is potential",
            P,
            no_credit(policy_kinds=frozenset({PolicyKind.TECH_SME})),
        ),
        case(
            "a tech SME with a credit line is not potential",
            U,
            credit(policy_kinds=frozenset({PolicyKind.TECH_SME})),
        ),
        case(
            "a tech SME with a fen of exposure is not potential",
            U,
            no_credit(exposure=CENT, policy_kinds=frozenset({PolicyKind.TECH_SME})),
        ),
        case(
            "a tech SME of unknown exposure is not potential",
            U,
            no_credit(exposure=None, policy_kinds=frozenset({PolicyKind.TECH_SME})),
        ),
        case(
            "another kind with a reason is potential",
            P,
            no_credit(policy_kinds=frozenset({PolicyKind.OTHER}), other_policy_reason="专精特新"),
        ),
        case(
            "another kind without a reason is nothing",
            U,
            no_credit(policy_kinds=frozenset({PolicyKind.OTHER})),
        ),
        case(
            "without credit, basic's figures do not make it basic",
            P,
            no_credit(
                online_banking_settlement=True,
                products=5,
                policy_kinds=frozenset({PolicyKind.AGRI_LEADER}),
            ),
        ),
        case(
            "without credit or policy kind it is unlisted",
            U,
            no_credit(online_banking_settlement=True, products=5),
        ),
        # precedence
        case("strategic wins over quality", S, quality(products=3, china_top_500=True)),
        case("strategic wins over basic", S, credit(listed_well_performing=True, products=5)),
        case("quality wins over basic", Q, quality(products=3, online_banking_settlement=True)),
    ],
)
def test_each_customer_gets_the_first_list_that_holds(facts, expected):
    assert propose(facts, T).list == expected


@pytest.mark.parametrize(
    "flag",
    [
        "central_soe",
        "provincial_soe_leader",
        "provincial_monopoly",
        "china_top_500",
        "industry_top_100",
        "large_hq_group_chain",
        "listed_well_performing",
    ],
)
def test_each_status_flag_of_the_first_group_makes_a_credit_customer_strategic(flag):
    proposal = propose(credit(**{flag: True}), T)
    assert proposal.list == S
    assert numbers(proposal.criteria) == [1]


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        (TaxGrade.A, P),
        (TaxGrade.B, P),
        (TaxGrade.M, U),
        (TaxGrade.C, U),
        (TaxGrade.D, U),
        (None, U),
    ],
    ids=["grade A", "grade B", "grade M is below B", "grade C", "grade D", "grade unknown"],
)
def test_tax_grade_b_or_better_is_a_potential_kind(grade, expected):
    assert propose(no_credit(tax_grade=grade), T).list == expected


@pytest.mark.parametrize("kind", [k for k in PolicyKind if k != PolicyKind.OTHER])
def test_every_named_policy_kind_makes_a_customer_without_credit_potential(kind):
    proposal = propose(no_credit(policy_kinds=frozenset({kind})), T)
    assert proposal.list == P
    assert numbers(proposal.criteria) == [1, 2]


# --- the criteria and their figures ------------------------------------------------


def test_the_strategic_size_criterion_quotes_its_figures():
    proposal = propose(credit(exposure=D(210_000_000)), T)
    assert [(c.list, c.number, c.text) for c in proposal.criteria] == [
        (S, 3, "上年度日均授信敞口 2.10 亿元 ≥ 2 亿元")
    ]


def test_a_quality_proposal_carries_each_criterion_met_in_the_text_s_order():
    proposal = propose(
        quality(
            exposure=D(0),
            deposits=D(23_000_000),
            profit_margin=D("8.5"),
            industry_average_margin=D(7),
            payroll_headcount=150,
            payroll_monthly=D(800_000),
            products=3,
        ),
        T,
    )
    assert proposal.list == Q
    assert numbers(proposal.criteria) == [1, 2, 3, 5, 6]
    assert proposal.texts == [
        "战略客户范围以外，属于重点支持类行业",
        "财务结构合理，利润率 8.50% ≥ 同业平均 7.00%",
        "日均存款 2300.00 万元 ≥ 2000 万元",
        "代发工资 150 人 ≥ 150 人，月代发额 80.00 万元 ≥ 80 万元",
        "使用我行产品 3 个 ≥ 3 个",
    ]


def test_a_criterion_met_two_ways_is_listed_for_each():
    proposal = propose(credit(exposure=D(200_000_000), deposits=D(50_000_000)), T)
    assert proposal.texts == [
        "上年度日均授信敞口 2.00 亿元 ≥ 2 亿元",
        "日均存款 5000.00 万元 ≥ 5000 万元",
    ]
    assert numbers(proposal.criteria) == [3, 3]


def test_the_lists_not_proposed_still_show_what_they_met():
    proposal = propose(quality(products=3, china_top_500=True), T)
    assert proposal.texts == ["国内500强企业"]
    assert numbers(proposal.met[Q]) == [2, 3, 6]  # (1) is "outside the strategic list"
    assert numbers(proposal.met[B]) == [4]
    assert proposal.met[P] == ()


def test_potential_texts_name_the_kind():
    proposal = propose(
        no_credit(
            tax_grade=TaxGrade.B,
            policy_kinds=frozenset({PolicyKind.OTHER}),
            other_policy_reason="专精特新“小巨人”",
        ),
        T,
    )
    assert proposal.texts == [
        "尚未获得我行授信（无授信敞口、无授信额度）",
        "纳税信用等级 B 级，属纳税白名单",
        "其他符合我行授信政策的客户：专精特新“小巨人”",
    ]


@pytest.mark.parametrize(
    ("facts", "note"),
    [
        (credit(products=1), "有授信，但未达到任何名单的条件，由支行确定"),
        (no_credit(), "尚未获得授信，也不属于潜力授信客户的政策范围，由支行确定"),
        (CustomerFacts(tax_grade=TaxGrade.A), "上年度日均授信敞口未知且无授信额度，由支行确定"),
    ],
    ids=["with credit", "without credit", "exposure unknown"],
)
def test_an_unlisted_customer_says_why(facts, note):
    proposal = propose(facts, T)
    assert (proposal.list, proposal.criteria, proposal.note) == (U, (), note)


def test_years_of_cooperation_are_shown_not_counted():
    proposal = propose(credit(years_of_cooperation=12), T)
    assert (proposal.list, proposal.years_of_cooperation) == (U, 12)


@pytest.mark.parametrize(
    ("value", "plain", "text"),
    [
        (D(210_000_000), False, "2.10 亿元"),
        (D(100_000_000), False, "1.00 亿元"),
        (D(100_000_000) - CENT, False, "9999.999999 万元"),
        (D(50_000_000), False, "5000.00 万元"),
        (D("23456789.126"), False, "2345.68 万元"),
        (D("12000000.004"), False, "1200.00 万元"),
        (D("30000000.01"), False, "3000.000001 万元"),
        (D(9_999), False, "9999.00 元"),
        (D(0), False, "0.00 元"),
        (D(200_000_000), True, "2 亿元"),
        (D(50_000_000), True, "5000 万元"),
        (D(800_000), True, "80 万元"),
    ],
    ids=[
        "hundred millions with two decimals",
        "exactly 100 million",
        "a fen under 100 million in ten thousands with every digit it needs",
        "ten thousands with two decimals",
        "an odd figure rounded to two decimals",
        "rounded to the fen first: a whole 12 million",
        "a fen above a whole 30 million shows the fen",
        "under 10,000 in yuan",
        "zero",
        "threshold 200 million",
        "threshold 50 million",
        "threshold 800,000",
    ],
)
def test_money_reads_as_people_write_it(value, plain, text):
    assert money(value, plain=plain) == text


# --- thresholds versioned by effective date -------------------------------------

RAISED = dataclasses.replace(T, strategic_exposure=D(300_000_000))
VERSIONS = (
    (datetime.date(2026, 7, 1), RAISED),  # order in the table does not matter
    (datetime.date(2020, 1, 1), T),
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 1, 1), T),
        (datetime.date(2026, 6, 30), T),
        (datetime.date(2026, 7, 1), RAISED),
        (datetime.date(2030, 1, 1), RAISED),
    ],
    ids=["first day of the first", "day before the second", "first day of the second", "later"],
)
def test_the_thresholds_in_force_are_the_latest_version_not_after_the_day(day, expected):
    assert thresholds_on(day, VERSIONS) is expected


def test_a_raised_threshold_changes_the_list_from_its_effective_date():
    facts = credit(exposure=D(250_000_000))
    before = propose(facts, thresholds_on(datetime.date(2026, 6, 30), VERSIONS))
    after = propose(facts, thresholds_on(datetime.date(2026, 7, 1), VERSIONS))
    assert (before.list, after.list) == (S, U)


def test_no_thresholds_before_the_first_version():
    with pytest.raises(LookupError):
        thresholds_on(datetime.date(2019, 12, 31), VERSIONS)


def test_head_office_s_first_version_holds_the_text_s_figures():
    t = thresholds_on(datetime.date(2021, 1, 1))
    assert t is THRESHOLDS[0][1]
    assert (t.strategic_exposure, t.strategic_deposits) == (D(200_000_000), D(50_000_000))
    assert (t.quality_exposure, t.quality_deposits) == (D(50_000_000), D(20_000_000))
    assert (t.basic_exposure, t.team_lower) == (D(1_000_000), D(10_000_000))
    assert (t.team_upper_prefecture, t.team_upper_wuhan) == (D(30_000_000), D(50_000_000))


# --- yearly review ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "today", "due"),
    [
        (datetime.date(2025, 3, 15), datetime.date(2026, 3, 14), False),
        (datetime.date(2025, 3, 15), datetime.date(2026, 3, 15), True),
        (datetime.date(2025, 3, 15), datetime.date(2026, 3, 16), True),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 27), False),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), True),
        (datetime.date(2024, 2, 29), datetime.date(2025, 3, 1), True),
        (datetime.date(2025, 12, 31), datetime.date(2026, 12, 30), False),
        (datetime.date(2025, 12, 31), datetime.date(2026, 12, 31), True),
        (None, datetime.date(2026, 1, 1), True),
    ],
    ids=[
        "day before the anniversary",
        "on the anniversary",
        "day after",
        "29 Feb: day before 28 Feb",
        "29 Feb: due on 28 Feb of the next year",
        "29 Feb: after",
        "year end: day before",
        "year end: on",
        "never confirmed is due",
    ],
)
def test_a_list_is_due_for_review_twelve_months_after_it_was_confirmed(confirmed, today, due):
    assert review_due(confirmed, today) is due


def test_the_review_date_and_its_months_are_head_office_s():
    assert review_due_on(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
    assert review_due_on(None) is None
    half = dataclasses.replace(T, review_months=6)
    assert review_due_on(datetime.date(2025, 8, 31), half) == datetime.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2028, 2, 29), 48, datetime.date(2032, 2, 29)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
    ],
    ids=["leap to leap keeps 29 Feb", "31 Jan + 1 month", "across the year end"],
)
def test_add_months_keeps_the_day_or_the_month_s_last(day, months, expected):
    assert add_months(day, months) == expected
