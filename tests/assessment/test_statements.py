"""Monthly statements from the database: the issue's scenario, branch figures, people, queries, pages."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import Role
from assessment import statements
from assessment.models import (
    Adjustment,
    BranchJudgement,
    FieldDay,
    Finding,
    Month,
    RateVersion,
    Reward,
    default_rates,
    validate_rates,
)
from tests.assessment.statement_builders import (
    NOVEMBER,
    OCTOBER,
    SCENARIO_LINES,
    SCENARIO_PAYOUT,
    make_days,
    make_finding,
    make_line,
    the_issue_scenario,
)
from tests.builders import make_user, make_village
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db
D = Decimal


def amounts(row):
    return {line.code: line.amount for line in row.statement.lines}


def statement_of(person, month=OCTOBER):
    return statements.month_statements(month).row_of(person.pk)


# ---- The issue's hand-computed scenario ----------------------------------------------------


def test_the_issue_scenario_through_the_database_line_by_line(world):
    person, lines = the_issue_scenario(world)
    row = statement_of(person)
    assert amounts(row) == SCENARIO_LINES
    s = row.statement
    assert (s.subsidy, s.piece_rate, s.fund, s.deductions) == (
        D("700.00"),
        D("1706.00"),
        D("2000.00"),
        D("500.00"),
    )
    assert (s.fund_payout, s.excess_deductions, s.payout) == (D("1500.00"), 0, SCENARIO_PAYOUT)
    assert row.field_days == 14
    assert (s.minimum_field_days, s.field_days_short) == (16, 2)
    assert row.branch == world.branch1
    by_code = {line.code: line for line in s.lines}
    assert by_code["kalefu"].refs == (lines["t1"].pk, lines["t2"].pk)
    assert by_code["inactive_kalefu"].refs == (lines["t2"].pk,)
    assert by_code["fixed_deposit"].refs == (lines["fixed"].pk,)


def test_the_statement_page_shows_every_line_its_rule_and_the_payout(world):
    person, lines = the_issue_scenario(world)
    response = login(world.head_office).get(
        reverse("assessment:statement", args=[2026, 10, person.pk])
    )
    assert response.status_code == 200
    html = response.text
    shown = dict(re.findall(r'<tr data-code="(\w+)">.*?data-amount="(-?[\d.]+)"', html, re.S))
    assert {code: D(amount) for code, amount in shown.items()} == SCENARIO_LINES
    assert 'data-total="payout"><strong class="big">3,906.00</strong>' in html
    # The records behind the lines: field days, the finding, each ledger line.
    assert html.count('id="ledger-') == 5
    assert f'href="#ledger-{lines["t2"].pk}"' in html
    assert 'href="#field-days"' in html
    assert 'href="#findings"' in html
    assert "与他人照片相同" in html
    day = FieldDay.objects.filter(person=person).first()
    assert f'href="{day.get_absolute_url()}"' in html
    listed = html.split('id="field-days"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/assessment/field-days/\d+/"', listed)) == 15


def test_a_branch_head_and_a_section_chief_pay_for_the_branch(world):
    """Branch 1's managers logged 14, 0 and 0 days (average 4.67); one falsification;
    head office judged the branch slow."""
    the_issue_scenario(world)
    statements.judge_branch(
        branch=world.branch1,
        month=OCTOBER,
        judged_slow=True,
        note="组织不力",
        user=world.head_office,
        now=timezone.now(),
    )
    result = statements.month_statements(OCTOBER)
    assert result.branch_average_days[world.branch1.pk] == D("4.67")
    head = amounts(result.row_of(world.branch_head.pk))
    assert head == {
        "subsidy": D("0.00"),
        "fund": D("2000.00"),
        "branch_average_days": D("-1133.00"),  # 16 − 4.67 = 11.33 days × 100
        "slow_branch": D("-2000.00"),
    }
    s = result.row_of(world.branch_head.pk).statement
    assert (s.fund_payout, s.excess_deductions, s.payout) == (0, D("1133.00"), 0)
    chief = amounts(result.row_of(world.section_chief.pk))
    assert chief["slow_branch"] == D("-1000.00")
    assert chief["branch_average_days"] == D("-1133.00")
    # Branch 2 has no falsification, its one manager no field day.
    other = amounts(result.row_of(world.branch_head_2.pk))
    assert other["branch_average_days"] == D("-1600.00")


def test_two_falsifications_in_a_branch_cost_its_head(world):
    days = make_days(world.manager_b, world.village_b, 2)
    for day in days:
        make_finding(day, status=Finding.Status.CONFIRMED_FALSIFICATION, by=world.head_office)
    result = statements.month_statements(OCTOBER)
    assert amounts(result.row_of(world.branch_head.pk))["branch_falsification"] == D("-200.00")
    assert amounts(result.row_of(world.manager_b.pk))["falsification"] == D("-400.00")
    assert "branch_falsification" not in amounts(result.row_of(world.branch_head_2.pk))


def test_who_gets_a_statement(world):
    """Every manager, branch head and chief; leaders and head office only with something to pay."""
    leader_with_days = world.leader
    make_days(leader_with_days, world.village_a, 2)
    quiet_leader = make_user(Role.LEADER, username="quiet_leader", branches=[world.branch1])
    rewarded = make_user(Role.HEAD_OFFICE, username="rewarded")
    Reward.objects.create(
        person=rewarded,
        month=OCTOBER,
        amount=D("300"),
        reason="年度先进",
        created_by=world.head_office,
        created_at=timezone.now(),
    )
    gone = make_user(Role.ACCOUNT_MANAGER, username="gone", branches=[world.branch1])
    gone.is_active = False
    gone.save()
    unconfirmed = make_user(Role.HEAD_OFFICE, username="unconfirmed")
    make_days(unconfirmed, world.village_a, 1, status=FieldDay.Status.SUBMITTED)

    people = {row.person.username for row in statements.month_statements(OCTOBER).rows}
    assert people == {
        "manager_a",
        "manager_a2",
        "manager_b",
        "manager_c",
        "branch_head_1",
        "branch_head_2",
        "chief_1",
        "leader_1",
        "rewarded",
    }
    assert quiet_leader.username not in people
    row = statements.month_statements(OCTOBER).row_of(rewarded.pk)
    assert row.branch is None
    assert amounts(row) == {"subsidy": D("0.00"), "reward": D("300.00")}
    leader = statements.month_statements(OCTOBER).row_of(world.leader.pk)
    assert amounts(leader) == {"subsidy": D("100.00")}  # no fund for leaders


def test_the_census_phase_raises_the_minimum_and_the_rate_table_in_force_applies(world):
    make_days(world.manager_a, world.village_a, 18)
    assert statement_of(world.manager_a).statement.minimum_field_days == 16
    statements.set_census_phase(month=OCTOBER, census_phase=True)
    row = statement_of(world.manager_a)
    assert (row.statement.minimum_field_days, row.statement.field_days_short) == (20, 2)
    # The minimum for the missing-day penalty stays 16 (DOMAIN.md: "below 16 field days").
    assert "missing_field_days" not in amounts(row)

    RateVersion.objects.create(
        effective_month=NOVEMBER, rates={**default_rates(), "subsidy_per_field_day": "60"}
    )
    assert amounts(statement_of(world.manager_a))["subsidy"] == D("900.00")  # October: 50
    make_days(world.manager_a, world.village_a, 2, month=NOVEMBER)
    assert amounts(statement_of(world.manager_a, NOVEMBER))["subsidy"] == D("120.00")


def test_the_seeded_rate_table_is_domain_md(world):
    version = RateVersion.objects.in_force(OCTOBER)
    assert version.pk is not None  # 0004_seed_rates
    assert version.table() == statements.pricing.RateTable()


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ({"no_such_rate": "1"}, "no_such_rate"),
        ({"fuka_each": "-2"}, "fuka_each"),
        ({"fuka_each": "two"}, "fuka_each"),
        ({"penalty_min_field_days": "15.5"}, "penalty_min_field_days"),
        (["fuka_each"], ""),
    ],
)
def test_a_rate_table_takes_only_its_rates_as_non_negative_numbers(rates, message):
    with pytest.raises(ValidationError) as error:
        validate_rates(rates)
    assert message in str(error.value)


def test_head_office_edits_rates_in_the_admin_and_bad_ones_are_refused(world):
    client = login(world.head_office)
    add = reverse("admin:assessment_rateversion_add")
    page = client.get(add)
    assert page.status_code == 200
    data = posted(page.context["adminform"].form)
    data.update(effective_month="2026-12-01", fuka_each="-1")
    response = client.post(add, data)
    assert response.status_code == 200
    assert not RateVersion.objects.filter(effective_month="2026-12-01").exists()
    data.update(fuka_each="3", note="福卡调价")
    response = client.post(add, data)
    assert response.status_code == 302
    version = RateVersion.objects.get(effective_month="2026-12-01")
    assert version.table().fuka_each == D("3")
    assert version.table().kalefu_each == D("200")  # started from the rates in force


def test_the_rate_table_is_one_labelled_field_per_figure_with_the_change_shown(world):
    """No JSON: every figure of pricing.RateTable has a Chinese label (issue 13)."""
    import dataclasses

    from assessment.rate_labels import LABELS

    assert set(LABELS) == {f.name for f in dataclasses.fields(statements.pricing.RateTable)}
    client = login(world.head_office)
    add = reverse("admin:assessment_rateversion_add")
    page = client.get(add)
    assert 'name="rates"' not in page.text
    assert "福卡（每张，元）" in page.text
    data = posted(page.context["adminform"].form)
    data.update(effective_month="2026-12-01", vip_card_each="25", note="VIP卡调价")
    assert client.post(add, data).status_code == 302
    listing = client.get(reverse("admin:assessment_rateversion_changelist")).text
    assert "VIP卡（每张，元） 20 → 25" in listing


# ---- Set-based: the same queries for 3 people or 30 -------------------------------------------


def a_branch_of(n):
    """`n` account managers in a new branch, each with field days, ledger lines and a reward."""
    from tests.builders import make_branch

    branch = make_branch(name=f"测试支行{n}")
    head = make_user(Role.HEAD_OFFICE, username=f"ho{n}")
    village = make_village(branch=branch)
    make_user(Role.BRANCH_HEAD, username=f"head{n}", branches=[branch])
    for i in range(n):
        person = make_user(Role.ACCOUNT_MANAGER, username=f"m{n}_{i}", branches=[branch])
        make_days(person, village, 3)
        make_line(person, "fuka_cards", count=2)
        make_line(person, "kalefu", item_ref=f"K{n}-{i}", count=1, avg_tx_count=D("1"))
        Reward.objects.create(
            person=person,
            month=OCTOBER,
            amount=D("10"),
            reason="好",
            created_by=head,
            created_at=timezone.now(),
        )
        (day,) = make_days(person, village, 1, status=FieldDay.Status.REJECTED, start=25)
        make_finding(day, status=Finding.Status.CONFIRMED_FALSIFICATION, by=head)
    return head


def queries_for(callable_):
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_the_statements_cost_the_same_queries_for_three_people_or_thirty(db):
    a_branch_of(3)
    few = queries_for(lambda: statements.month_statements(OCTOBER))
    a_branch_of(27)
    assert len(statements.month_statements(OCTOBER).rows) == 32
    many = queries_for(lambda: statements.month_statements(OCTOBER))
    assert few == many
    assert many <= 14


def test_the_month_page_costs_the_same_queries_for_three_people_or_thirty(db):
    head = a_branch_of(3)
    client = login(head)
    url = reverse("assessment:month", args=[2026, 10])
    client.get(url)
    few = queries_for(lambda: client.get(url))
    a_branch_of(27)
    many = queries_for(lambda: client.get(url))
    assert few == many


# ---- Head office's forms -------------------------------------------------------------------


def test_a_reward_needs_a_reason_and_shows_on_the_statement(world):
    client = login(world.head_office)
    url = reverse("assessment:reward", args=[2026, 10])
    response = client.post(url, {"person": world.manager_a.pk, "amount": "500", "reason": ""})
    assert response.status_code == 200
    assert _("Give the reason.") in response.text
    assert not Reward.objects.exists()
    response = client.post(
        url, {"person": world.manager_a.pk, "amount": "500", "reason": "挖掘大额存款"}
    )
    assert response.status_code == 302
    line = {line.code: line for line in statement_of(world.manager_a).statement.lines}["reward"]
    assert (line.amount, line.rule) == (D("500.00"), "挖掘大额存款")


def test_a_branch_judgement_needs_a_reason_and_can_be_changed_while_open(world):
    client = login(world.head_office)
    url = reverse("assessment:judgement", args=[2026, 10])
    response = client.post(url, {"branch": world.branch1.pk, "judged_slow": "on", "note": ""})
    assert _("Give the reason.") in response.text
    client.post(url, {"branch": world.branch1.pk, "judged_slow": "on", "note": "工作推进缓慢"})
    assert "slow_branch" in amounts(statement_of(world.branch_head))
    client.post(url, {"branch": world.branch1.pk, "note": "已整改"})
    assert BranchJudgement.objects.get().judged_slow is False
    assert "slow_branch" not in amounts(statement_of(world.branch_head))


def test_the_census_phase_is_toggled_from_the_month_list(world):
    client = login(world.head_office)
    response = client.post(
        reverse("assessment:census_phase", args=[2026, 10]), {"census_phase": "1"}
    )
    assert response.status_code == 302
    assert Month.objects.get(month=OCTOBER).census_phase is True
    page = client.get(reverse("assessment:months")).text
    assert 'data-month="2026-10"' in page


def test_an_adjustment_corrects_only_a_closed_month(world):
    client = login(world.head_office)
    url = reverse("assessment:adjustment", args=[2026, 11])
    data = {
        "person": world.manager_a.pk,
        "corrects_month": "2026-10-01",
        "amount": "-50",
        "reason": "十月多计福卡",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # October is not closed: not a choice
    assert not Adjustment.objects.exists()


# ---- Who sees which statement --------------------------------------------------------------


def test_each_person_sees_their_own_statements_and_a_branch_head_their_branch(world):
    the_issue_scenario(world)
    # Older open months are listed once they have a row (any write into one makes it).
    assert Month.objects.filter(month=OCTOBER, status=Month.Status.OPEN).exists()
    mine = login(world.manager_a).get(reverse("assessment:my_statements")).text
    assert reverse("assessment:statement", args=[2026, 10, world.manager_a.pk]) in mine
    assert "3,906.00" in mine
    assert _("My statements") in login(world.manager_a).get(reverse("home")).text

    head = login(world.branch_head)
    page = head.get(reverse("assessment:branch_statements", args=[2026, 10, world.branch1.pk]))
    assert "王小红" in page.text
    assert "3,906.00" in page.text
    assert "manager_c" not in page.text
    other = login(world.branch_head_2).get(
        reverse("assessment:statement", args=[2026, 10, world.manager_a.pk])
    )
    assert other.status_code == 404
    assert (
        login(world.manager_b)
        .get(reverse("assessment:statement", args=[2026, 10, world.manager_a.pk]))
        .status_code
        == 404
    )


def test_the_month_page_sums_up_each_branch_and_lists_everyone(world):
    the_issue_scenario(world)
    page = login(world.head_office).get(reverse("assessment:month", args=[2026, 10])).text
    assert 'id="branch-summary"' in page
    assert "城关支行" in page
    assert "七里坪支行" in page
    assert reverse("assessment:statement", args=[2026, 10, world.manager_c.pk]) in page
    assert "4.67" in page  # branch 1's average field days


@pytest.mark.parametrize(
    ("corporate_manager", "owns_a_village", "gets_a_statement"),
    [
        (False, False, True),  # an account manager between villages: the fund still counts
        (True, True, True),  # corporate work beside village work
        (True, False, False),  # corporate customers only: no village statement
    ],
)
def test_who_among_account_managers_gets_a_village_statement(
    world, corporate_manager, owns_a_village, gets_a_statement
):
    person = make_user(
        Role.ACCOUNT_MANAGER, branches=[world.branch1], corporate_manager=corporate_manager
    )
    if owns_a_village:
        make_village(branch=world.branch1, owners=[person])
    rows = statements.month_statements(OCTOBER).rows
    assert any(row.person.pk == person.pk for row in rows) is gets_a_statement
