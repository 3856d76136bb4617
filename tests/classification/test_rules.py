"""The four tiers, the ranking and layered maintenance: DB-free tables with their boundaries."""

import datetime
from decimal import Decimal

import pytest

from classification.rules import (
    Band,
    Facts,
    Thresholds,
    Tier,
    band_for,
    classify,
    classify_branch,
    rank_branch,
)

D = Decimal
DAY = datetime.date(2026, 3, 1)
T = Thresholds()


def facts(cid=1, deposit="0", loan="0", income="", account=False, archived=DAY):
    return Facts(
        customer_id=cid,
        deposit=D(deposit),
        loan=D(loan),
        archived_on=archived,
        has_deposit_account=account,
        main_income=income,
    )


@pytest.mark.parametrize(
    ("customer", "rank", "tier"),
    [
        (facts(deposit="100", income="farming"), 1, Tier.KEY_FOLLOW_UP),
        (facts(deposit="100", income="farming"), 50, Tier.KEY_FOLLOW_UP),
        (facts(deposit="100", income="farming"), 51, Tier.PERIODIC_REVISIT),
        (facts(loan="100", income="", account=False), 50, Tier.KEY_FOLLOW_UP),  # rank wins alone
        (facts(deposit="5", income="wages_away"), 120, Tier.PERIODIC_REVISIT),
        (facts(account=True, income="salary"), None, Tier.PERIODIC_REVISIT),  # account, no balance
        (facts(income="business"), None, Tier.CULTIVATION),
        (facts(income="farming"), None, Tier.CULTIVATION),
        (facts(income="subsidy_only"), None, Tier.GENERAL_ATTENTION),
        (facts(deposit="300", income="subsidy_only"), 80, Tier.GENERAL_ATTENTION),
        (facts(income="none"), None, Tier.UNDECIDED),  # no income
        (facts(income=""), None, Tier.UNDECIDED),  # income not recorded
        (facts(deposit="300", income="none"), 80, Tier.UNDECIDED),  # business without stable income
        (facts(deposit="300", income=""), 51, Tier.UNDECIDED),
    ],
    ids=[
        "rank 1 is key follow-up",
        "rank 50 is key follow-up",
        "rank 51 with business and income is periodic revisit",
        "top fifty needs no income",
        "business and wages away is periodic revisit",
        "an account without balance counts as business",
        "stable income without business is cultivation",
        "farming without business is cultivation",
        "subsidy only is general attention",
        "subsidy only with a small deposit is general attention",
        "no income is to be decided",
        "income not recorded is to be decided",
        "business without stable income is to be decided",
        "rank 51 without income is to be decided",
    ],
)
def test_each_customer_gets_the_first_tier_whose_rule_matches(customer, rank, tier):
    assert classify(customer, rank=rank, thresholds=T).tier == tier


def test_top_fifty_by_deposit_and_loan_is_key_follow_up_with_its_rank_as_reason():
    result = classify(facts(deposit="100", income="farming"), rank=12, thresholds=T)
    assert result.reason_texts == ["存贷款合计在支行排名第12（前50名）"]


def test_every_tier_carries_its_reasons():
    results = [
        classify(facts(deposit="1", income="farming"), rank=60, thresholds=T),
        classify(
            facts(income="farming"),
            rank=None,
            thresholds=T,
            income_labels={"farming": "种养殖收入"},
        ),
        classify(facts(income="subsidy_only"), rank=None, thresholds=T),
        classify(facts(income="none"), rank=None, thresholds=T),
    ]
    for result in results:
        assert result.reasons
    assert "种养殖收入" in " ".join(results[1].reason_texts)
    assert "待认定" in " ".join(results[3].reason_texts) or "例会" in " ".join(
        results[3].reason_texts
    )


def test_thresholds_come_from_the_rulebook():
    small = Thresholds(key_limit=10, golden_max_rank=2, chief_max_rank=5)
    assert classify(facts(deposit="1", income="farming"), rank=11, thresholds=small).tier == (
        Tier.PERIODIC_REVISIT
    )
    assert classify(facts(deposit="1", income="farming"), rank=10, thresholds=small).tier == (
        Tier.KEY_FOLLOW_UP
    )


def test_ranking_is_by_deposit_plus_loan_largest_first():
    ranks = rank_branch(
        [facts(1, deposit="100"), facts(2, deposit="50", loan="60"), facts(3, loan="10")]
    )
    assert ranks == {2: 1, 1: 2, 3: 3}


def test_ties_go_to_the_earlier_archive_date_then_the_earlier_record():
    ranks = rank_branch(
        [
            facts(1, deposit="100", archived=datetime.date(2026, 5, 1)),
            facts(2, deposit="100", archived=datetime.date(2026, 4, 1)),
            facts(3, deposit="100", archived=datetime.date(2026, 5, 1)),
        ]
    )
    assert ranks == {2: 1, 1: 2, 3: 3}


def test_no_business_no_rank():
    ranks = rank_branch([facts(1, deposit="0"), facts(2, deposit="0.01"), facts(3, account=True)])
    assert ranks == {2: 1}


def test_a_branch_of_fifty_one_puts_exactly_fifty_in_key_follow_up():
    branch = [facts(i, deposit=str(1000 - i), income="farming") for i in range(1, 52)]
    results = classify_branch(branch, thresholds=T)
    assert sum(r.tier == Tier.KEY_FOLLOW_UP for r in results.values()) == 50
    assert results[51].tier == Tier.PERIODIC_REVISIT
    assert results[51].rank == 51


@pytest.mark.parametrize(
    ("rank", "band"),
    [
        (1, Band.GOLDEN),
        (5, Band.GOLDEN),
        (6, Band.CHIEF),
        (20, Band.CHIEF),
        (21, Band.BRANCH_HEAD),
        (50, Band.BRANCH_HEAD),
        (51, Band.ACCOUNT_MANAGER),
        (None, Band.ACCOUNT_MANAGER),
    ],
)
def test_layered_maintenance_by_rank(rank, band):
    assert band_for(rank, T) == band
