"""Statement arithmetic from DOMAIN.md §4: hand-computed scenarios and rate tables, no DB."""

from decimal import Decimal

import pytest

from assessment.pricing import (
    Kind,
    LedgerItem,
    PersonMonth,
    RateTable,
    Reward,
    Role,
    Section,
    price_month,
    to_fen,
)

D = Decimal
R = RateTable()


def amounts(statement):
    return {line.code: line.amount for line in statement.lines}


def manager(**kw):
    return PersonMonth(role=Role.ACCOUNT_MANAGER, **{"confirmed_field_days": 20, **kw})


def test_the_issue_scenario_line_by_line():
    """Outside the census phase: 14 field days, one falsification, 300,000 fixed deposits,
    two 卡乐付 terminals (6 and 3 transactions), 3 福卡, corporate banking with 2 transactions."""
    person = manager(
        confirmed_field_days=14,
        falsifications=1,
        ledger=(
            LedgerItem(Kind.FIXED_DEPOSIT, amount=D("300000")),
            LedgerItem(
                Kind.KALEFU, count=1, avg_transactions=D("6"), avg_amount=D("15000"), ref="T1"
            ),
            LedgerItem(
                Kind.KALEFU, count=1, avg_transactions=D("3"), avg_amount=D("2000"), ref="T2"
            ),
            LedgerItem(Kind.FUKA, count=3),
            LedgerItem(Kind.CORPORATE_EBANKING, count=1, avg_transactions=D("2")),
        ),
    )
    s = price_month(person, R)
    assert amounts(s) == {
        "subsidy": D("700.00"),  # 14 × 50
        "fixed_deposit": D("1500.00"),  # 30 × 50
        "fuka_cards": D("6.00"),  # 3 × 2
        "corporate_ebanking": D("0.00"),  # 2 transactions < 3
        "kalefu": D("200.00"),  # one of two qualifies
        "fund": D("2000.00"),
        "falsification": D("-200.00"),
        "missing_field_days": D("-200.00"),  # 16 − 14 = 2 days × 100
        "inactive_kalefu": D("-100.00"),  # the terminal with 3 transactions
    }
    assert s.subsidy == D("700.00")
    assert s.piece_rate == D("1706.00")
    assert s.deductions == D("500.00")
    assert s.fund_payout == D("1500.00")
    assert s.payout == D("3906.00")
    assert s.minimum_field_days == 16
    assert s.field_days_short == 2


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (LedgerItem(Kind.FIXED_DEPOSIT, amount=D("10000")), D("50.00")),
        (LedgerItem(Kind.FIXED_DEPOSIT, amount=D("12345")), D("61.73")),  # 61.725 rounds up
        (LedgerItem(Kind.DEMAND_DEPOSIT, amount=D("3600000")), D("50.00")),  # ÷360 = 10,000
        (LedgerItem(Kind.DEMAND_DEPOSIT, amount=D("36000000")), D("500.00")),
        (LedgerItem(Kind.LOAN_PRINCIPAL, amount=D("1000000")), D("1000.00")),  # 1.0‰
        (LedgerItem(Kind.LOAN_INTEREST, amount=D("10000")), D("280.00")),  # 2.8%
        (LedgerItem(Kind.NPL_RECOVERED, amount=D("50000")), D("5000.00")),  # 10%
        (LedgerItem(Kind.FUKA, count=10), D("20.00")),
        (LedgerItem(Kind.VIP_CARD, count=2), D("40.00")),
        (LedgerItem(Kind.PERSONAL_EBANKING, count=3), D("30.00")),
        (LedgerItem(Kind.CORPORATE_EBANKING, count=1, avg_transactions=D("3")), D("50.00")),
        (LedgerItem(Kind.CORPORATE_EBANKING, count=1, avg_transactions=D("2.9")), D("0.00")),
        (LedgerItem(Kind.SMS_THIRDPARTY, count=1, avg_transactions=D("1")), D("5.00")),
        (LedgerItem(Kind.SMS_THIRDPARTY, count=1, avg_transactions=D("0.9")), D("0.00")),
        (LedgerItem(Kind.POS, count=2), D("200.00")),
        (
            LedgerItem(Kind.KALEFU, count=1, avg_transactions=D("5"), avg_amount=D("10000")),
            D("200.00"),
        ),
        (
            LedgerItem(Kind.KALEFU, count=1, avg_transactions=D("5"), avg_amount=D("9999.99")),
            D("0.00"),
        ),
        (
            LedgerItem(Kind.KALEFU, count=1, avg_transactions=D("4"), avg_amount=D("50000")),
            D("0.00"),
        ),
        (
            LedgerItem(
                Kind.SPECIAL_MERCHANT, count=1, avg_transactions=D("10"), avg_amount=D("20000")
            ),
            D("500.00"),
        ),
        (
            LedgerItem(
                Kind.SPECIAL_MERCHANT, count=1, avg_transactions=D("9"), avg_amount=D("20000")
            ),
            D("0.00"),
        ),
        (
            LedgerItem(
                Kind.SPECIAL_MERCHANT, count=1, avg_transactions=D("10"), avg_amount=D("19999")
            ),
            D("0.00"),
        ),
    ],
    ids=lambda v: str(v) if isinstance(v, Decimal) else f"{v.kind}",
)
def test_each_piece_rate_and_its_qualifying_threshold(item, expected):
    s = price_month(manager(ledger=(item,)), R)
    assert amounts(s)[str(item.kind)] == expected


@pytest.mark.parametrize(
    ("days", "deduction"),
    [(16, None), (17, None), (15, D("-100.00")), (0, D("-1600.00"))],
)
def test_missing_field_days_cost_100_each_below_16(days, deduction):
    assert (
        amounts(price_month(manager(confirmed_field_days=days), R)).get("missing_field_days")
        == deduction
    )


@pytest.mark.parametrize(
    ("census", "role", "minimum"),
    [
        (True, Role.ACCOUNT_MANAGER, 20),
        (False, Role.ACCOUNT_MANAGER, 16),
        (True, Role.BRANCH_HEAD, 15),
        (False, Role.BRANCH_HEAD, 10),
        (False, Role.LEADER, None),
    ],
)
def test_minimum_field_days_by_role_and_phase(census, role, minimum):
    s = price_month(PersonMonth(role=role, confirmed_field_days=0, census_phase=census), R)
    assert s.minimum_field_days == minimum


@pytest.mark.parametrize(
    ("branch_falsifications", "deduction"), [(1, None), (2, D("-200.00")), (3, D("-200.00"))]
)
def test_branch_head_loses_200_when_the_branch_has_two_falsifications(
    branch_falsifications, deduction
):
    head = PersonMonth(
        role=Role.BRANCH_HEAD, confirmed_field_days=12, branch_falsifications=branch_falsifications
    )
    assert amounts(price_month(head, R)).get("branch_falsification") == deduction


@pytest.mark.parametrize("role", [Role.BRANCH_HEAD, Role.SECTION_CHIEF])
@pytest.mark.parametrize(
    ("average", "deduction"), [(D("16"), None), (D("15.5"), D("-50.00")), (D("14"), D("-200.00"))]
)
def test_branch_average_below_16_costs_head_and_chief_100_per_missing_day(role, average, deduction):
    person = PersonMonth(role=role, confirmed_field_days=12, branch_average_days=average)
    assert amounts(price_month(person, R)).get("branch_average_days") == deduction


@pytest.mark.parametrize(
    ("role", "deduction", "payout_fund"),
    [
        (Role.BRANCH_HEAD, D("-2000.00"), D("0.00")),
        (Role.SECTION_CHIEF, D("-1000.00"), D("1000.00")),
    ],
)
def test_a_slow_branch_costs_the_head_the_whole_fund_and_the_chief_half(
    role, deduction, payout_fund
):
    s = price_month(PersonMonth(role=role, confirmed_field_days=12, branch_judged_slow=True), R)
    assert amounts(s)["slow_branch"] == deduction
    assert s.fund_payout == payout_fund


def test_deductions_stop_at_zero_and_the_excess_is_shown():
    s = price_month(manager(confirmed_field_days=2, falsifications=3), R)
    # 14 missing days × 100 + 3 × 200 = 2,000: exactly the fund
    assert s.deductions == D("2000.00")
    assert s.fund_payout == D("0.00")
    assert s.excess_deductions == D("0.00")
    s = price_month(manager(confirmed_field_days=1, falsifications=3), R)
    assert s.deductions == D("2100.00")
    assert s.fund_payout == D("0.00")
    assert s.excess_deductions == D("100.00")
    assert s.payout == D("50.00")  # only the one day's subsidy


@pytest.mark.parametrize(
    ("role", "fund"),
    [
        (Role.ACCOUNT_MANAGER, D("2000.00")),
        (Role.BRANCH_HEAD, D("2000.00")),
        (Role.SECTION_CHIEF, D("2000.00")),
        (Role.LEADER, D("0.00")),
        (Role.HEAD_OFFICE, D("0.00")),
    ],
)
def test_the_assessment_fund_is_withheld_from_managers_heads_and_chiefs(role, fund):
    s = price_month(PersonMonth(role=role, confirmed_field_days=20), R)
    assert s.fund == fund
    assert s.subsidy == D("1000.00")


def test_rewards_and_adjustments_are_added_with_their_reasons():
    s = price_month(
        manager(
            rewards=(Reward(D("300"), "揽收大额存款"),),
            adjustments=(Reward(D("-50"), "十月多计一天"),),
        ),
        R,
    )
    assert s.rewards == D("300.00")
    assert s.adjustments == D("-50.00")
    assert s.payout == D("1000.00") + D("2000.00") + D("300.00") - D("50.00")
    reasons = {line.section: line.rule for line in s.lines}
    assert reasons[Section.REWARD] == "揽收大额存款"


def test_rates_come_from_the_rate_table():
    cheaper = RateTable(subsidy_per_field_day=D("40"), fuka_each=D("1"))
    s = price_month(manager(ledger=(LedgerItem(Kind.FUKA, count=3),)), cheaper)
    assert amounts(s)["subsidy"] == D("800.00")
    assert amounts(s)["fuka_cards"] == D("3.00")


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (D("0.005"), D("0.01")),
        (D("0.0049"), D("0.00")),
        (D("-0.005"), D("-0.01")),
        (D("61.725"), D("61.73")),
    ],
)
def test_money_is_rounded_to_the_fen_half_away_from_zero(value, fen):
    assert to_fen(value) == fen


def test_every_line_says_which_rule_qualified_it():
    s = price_month(
        manager(
            confirmed_field_days=14,
            ledger=(
                LedgerItem(Kind.KALEFU, count=1, avg_transactions=D("6"), avg_amount=D("15000")),
            ),
        ),
        R,
    )
    for line in s.lines:
        assert line.rule


def test_rule_texts_write_figures_plainly_never_in_exponent_form():
    s = price_month(
        manager(
            ledger=(
                LedgerItem(Kind.FIXED_DEPOSIT, amount=D("300000.00")),
                LedgerItem(Kind.KALEFU, count=1, avg_transactions=D("6"), avg_amount=D("15000")),
                LedgerItem(Kind.LOAN_PRINCIPAL, amount=D("100000")),
            )
        ),
        R,
    )
    text = " ".join(line.rule for line in s.lines)
    assert "E+" not in text
    assert "30" in text
    assert "10000" in text
