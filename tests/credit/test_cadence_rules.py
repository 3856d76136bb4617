"""The cadences of DOMAIN.md §5.4 as pure rules (credit.cadence_rules): no database."""

import datetime
import importlib

import pytest

from credit import cadence_rules as cr

D = datetime.date
K, T, P, W = cr.Kind, cr.Targets, cr.Period, cr.Who


@pytest.mark.parametrize(
    ("period", "day", "start", "end"),
    [
        (P.WEEK, D(2026, 3, 8), D(2026, 3, 2), D(2026, 3, 8)),  # a Sunday ends its week
        (P.WEEK, D(2026, 3, 9), D(2026, 3, 9), D(2026, 3, 15)),  # the Monday starts one
        (P.WEEK, D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3)),  # a week across new year
        (P.MONTH, D(2026, 2, 1), D(2026, 2, 1), D(2026, 2, 28)),
        (P.MONTH, D(2026, 2, 28), D(2026, 2, 1), D(2026, 2, 28)),
        (P.MONTH, D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),
        (P.QUARTER, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),  # last day of a quarter
        (P.QUARTER, D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30)),
        (P.QUARTER, D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
        (P.HALF_YEAR, D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30)),
        (P.HALF_YEAR, D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31)),
        (P.YEAR, D(2026, 12, 31), D(2026, 1, 1), D(2026, 12, 31)),
        (P.YEAR, D(2027, 1, 1), D(2027, 1, 1), D(2027, 12, 31)),
    ],
)
def test_period_bounds(period, day, start, end):
    assert cr.period_of(period, day) == (start, end)


@pytest.mark.parametrize(
    ("period", "day", "start", "end"),
    [
        (P.WEEK, D(2026, 3, 9), D(2026, 3, 2), D(2026, 3, 8)),
        (P.MONTH, D(2026, 3, 1), D(2026, 2, 1), D(2026, 2, 28)),
        (P.QUARTER, D(2026, 1, 1), D(2025, 10, 1), D(2025, 12, 31)),
        (P.HALF_YEAR, D(2026, 7, 1), D(2026, 1, 1), D(2026, 6, 30)),
        (P.YEAR, D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_the_last_complete_period_is_the_one_before(period, day, start, end):
    assert cr.previous_period(period, day) == (start, end)


ME, OTHER, CUSTOMER, SECOND = 1, 2, 10, 11


def cadence(kind, targets, count, period, who=W.BRANCH_HEAD):
    return cr.Cadence(key=1, who=who, kind=kind, targets=targets, count=count, period=period)


def person(who=W.BRANCH_HEAD, **customers):
    sets = {T(name): frozenset(ids) for name, ids in customers.items()}
    return cr.Person(user_id=ME, who=who, customers=sets)


def act(day, kind, customers=(CUSTOMER,), participants=(ME,)):
    return cr.Act(
        day=day, kind=kind, participants=frozenset(participants), customers=frozenset(customers)
    )


def one(cadences, people, acts, today):
    (obligation,) = cr.obligations(cadences, people, acts, today)
    return obligation


WEEKLY_CONTACT = cadence(K.CONTACT, T.IMPORTANT, 1, P.WEEK)
MONTHLY_VISIT = cadence(K.VISIT, T.IMPORTANT, 1, P.MONTH)
QUARTERLY_SALON = cadence(K.SALON, T.NONE, 1, P.QUARTER, who=W.DEPUTY_HEAD)
HALF_YEAR_JOINT = cadence(K.JOINT_VISIT, T.STRATEGIC_SPECIAL, 1, P.HALF_YEAR)
YEARLY_JOINT = cadence(K.JOINT_VISIT, T.STRATEGIC, 1, P.YEAR)
TWICE_A_MONTH = cadence(K.VISIT, T.PROJECT_TARGETS, 2, P.MONTH, who=W.MANAGER)


@pytest.mark.parametrize(
    ("rule", "who", "targets", "acts", "today", "done", "met", "overdue"),
    [
        # Weekly contact: a contact on Sunday counts for that week, not the next.
        (WEEKLY_CONTACT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 8)], D(2026, 3, 8), 1, True, True),
        (WEEKLY_CONTACT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 8)], D(2026, 3, 9), 0, False, False),
        (WEEKLY_CONTACT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 9)], D(2026, 3, 9), 1, True, True),
        (WEEKLY_CONTACT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 1)], D(2026, 3, 9), 0, False, True),
        # Monthly visit: the 1st and the last day of the month.
        (MONTHLY_VISIT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 4, 1)], D(2026, 4, 30), 1, True, True),
        (MONTHLY_VISIT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 31)], D(2026, 4, 1), 0, False, False),
        (MONTHLY_VISIT, W.BRANCH_HEAD, T.IMPORTANT, [D(2026, 3, 31)], D(2026, 5, 1), 0, False, True),
        # Quarterly salon: the quarter ends on 31 March and on 31 December.
        (QUARTERLY_SALON, W.DEPUTY_HEAD, T.NONE, [D(2026, 3, 31)], D(2026, 3, 31), 1, True, True),
        (QUARTERLY_SALON, W.DEPUTY_HEAD, T.NONE, [D(2026, 3, 31)], D(2026, 4, 1), 0, False, False),
        (QUARTERLY_SALON, W.DEPUTY_HEAD, T.NONE, [D(2026, 12, 31)], D(2027, 1, 1), 0, False, False),
        (QUARTERLY_SALON, W.DEPUTY_HEAD, T.NONE, [D(2026, 9, 30)], D(2027, 1, 1), 0, False, True),
        # Half-yearly joint visit (shareholders, government groups, head-to-head) ...
        (HALF_YEAR_JOINT, W.BRANCH_HEAD, T.STRATEGIC_SPECIAL, [D(2026, 2, 1)], D(2026, 7, 1), 0, False, False),
        (HALF_YEAR_JOINT, W.BRANCH_HEAD, T.STRATEGIC_SPECIAL, [D(2026, 2, 1)], D(2026, 12, 31), 0, False, False),
        (HALF_YEAR_JOINT, W.BRANCH_HEAD, T.STRATEGIC_SPECIAL, [D(2026, 2, 1)], D(2027, 1, 1), 0, False, True),
        # ... and yearly for the other strategic customers: February carries the year.
        (YEARLY_JOINT, W.BRANCH_HEAD, T.STRATEGIC, [D(2026, 2, 1)], D(2026, 12, 31), 1, True, True),
        (YEARLY_JOINT, W.BRANCH_HEAD, T.STRATEGIC, [D(2026, 2, 1)], D(2027, 1, 1), 0, False, False),
        # At least two visits a month to a project-library target: one is not enough.
        (TWICE_A_MONTH, W.MANAGER, T.PROJECT_TARGETS, [D(2026, 5, 4)], D(2026, 5, 31), 1, False, True),
        (TWICE_A_MONTH, W.MANAGER, T.PROJECT_TARGETS, [D(2026, 5, 4), D(2026, 5, 31)], D(2026, 5, 31), 2, True, True),
        (TWICE_A_MONTH, W.MANAGER, T.PROJECT_TARGETS, [D(2026, 5, 4), D(2026, 5, 31)], D(2026, 6, 1), 0, False, False),
    ],
)  # fmt: skip
def test_cadence_boundaries(rule, who, targets, acts, today, done, met, overdue):
    customers = {} if targets == T.NONE else {targets.value: [CUSTOMER]}
    activities = [act(day, rule.kind) for day in acts]
    o = one([rule], [person(who, **customers)], activities, today)
    assert (o.done, o.met, o.due, o.overdue) == (done, met, not met, overdue)


def test_an_activity_counts_for_those_who_took_part_the_kind_and_the_customers_concerned():
    today = D(2026, 3, 11)
    acts = [
        act(today, K.VISIT),  # another kind
        act(today, K.CONTACT, participants=(OTHER,)),  # somebody else's
        act(today, K.CONTACT, customers=(SECOND,)),  # another customer
    ]
    me = person(important=[CUSTOMER, SECOND])
    by_customer = {o.customer_id: o for o in cr.obligations([WEEKLY_CONTACT], [me], acts, today)}
    assert (by_customer[CUSTOMER].done, by_customer[SECOND].done) == (0, 1)


def test_a_cadence_binds_only_its_role_and_owes_nothing_without_customers():
    acts = []
    assert (
        cr.obligations(
            [WEEKLY_CONTACT], [person(W.DEPUTY_HEAD, important=[1])], acts, D(2026, 3, 9)
        )
        == []
    )
    assert cr.obligations([WEEKLY_CONTACT], [person(W.BRANCH_HEAD)], acts, D(2026, 3, 9)) == []
    assert cr.obligations([TWICE_A_MONTH], [person(W.MANAGER, project_targets=[])], acts, D(2026, 3, 9)) == []  # fmt: skip


def test_compliance_shares():
    today = D(2026, 3, 9)
    me = person(important=[CUSTOMER, SECOND])
    acts = [
        act(D(2026, 3, 3), K.CONTACT),
        act(today, K.CONTACT),
        act(today, K.CONTACT, customers=(SECOND,)),
    ]
    c = cr.compliance(cr.obligations([WEEKLY_CONTACT], [me], acts, today))
    assert (c.obligations, c.last_met, c.current_met) == (2, 1, 2)
    assert (c.last_text, c.current_text) == ("50%", "100%")
    assert cr.compliance([]).last_text == "—"


def test_the_seeded_table_matches_the_rules_table():
    seeded = importlib.import_module("credit.migrations.0005_cadence").TABLE
    assert seeded == tuple((w.value, k.value, t.value, n, p.value) for w, k, t, n, p in cr.TABLE)
