"""seed_demo's corporate credit customers (demo/corporate.py): every list, groups, short teams,
both branch kinds, valid codes, twelve months of figures, and the same data every time."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from archives.identity import validate_credit_code
from archives.models import Branch, BranchKind, Customer, Role, User
from credit import rules
from credit.facts import facts_for
from credit.models import CorporateCustomer, Figures, Group, Industry, TeamMember
from credit.teams import branch_loads, branch_teams
from demo import county

REFERENCE = county.REFERENCE_DATE


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)
    return demo_county.output


def proposals() -> Counter:
    thresholds = rules.thresholds_on(REFERENCE)
    facts = facts_for(CorporateCustomer.objects.all(), on=REFERENCE)
    return Counter(rules.propose(f, thresholds).list for f in facts.values())


def test_about_three_hundred_customers_land_on_each_list_and_off_them(seeded):
    assert 290 <= CorporateCustomer.objects.count() <= 310
    lists = proposals()
    assert set(lists) == set(rules.CreditList)
    assert all(lists[c] >= 10 for c in rules.CreditList), lists
    assert f"{CorporateCustomer.objects.count()} 家对公客户" in seeded


def test_customers_spread_over_every_branch_of_both_kinds(seeded):
    kinds = dict(Branch.objects.values_list("code", "kind"))
    assert set(kinds.values()) == {BranchKind.PREFECTURE, BranchKind.WUHAN}
    per_branch = dict(
        CorporateCustomer.objects.values_list("branch__code").annotate(n=Count("pk")).order_by()
    )
    assert set(per_branch) == set(kinds)
    assert min(per_branch.values()) >= 90


def test_codes_are_valid_and_industries_carry_both_flags(seeded):
    for code in CorporateCustomer.objects.values_list("credit_code", flat=True):
        assert validate_credit_code(code) == code
    assert Industry.objects.filter(key_supported=True).exists()
    assert Industry.objects.filter(two_up_two_control=True).exists()
    assert Industry.objects.filter(key_supported=False, two_up_two_control=False).exists()


def test_groups_have_members_and_twelve_months_of_figures_lead_to_the_reference(seeded):
    sizes = Group.objects.annotate(n=Count("members")).values_list("n", flat=True)
    assert len(sizes) >= 6
    assert all(n >= 2 for n in sizes)
    periods = Figures.objects.values("customer").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(periods) == {12}
    assert Figures.objects.order_by("-period").first().period == datetime.date(2026, 10, 1)
    # Some customers are new: no figures yet.
    assert CorporateCustomer.objects.filter(figures__isnull=True).exists()
    assert Figures.history.count() == Figures.objects.count()


def test_teams_are_sized_by_group_exposure_and_some_are_short(seeded):
    rows = [row for b in Branch.objects.all() for row in branch_teams(b, REFERENCE)]
    assert len(rows) == CorporateCustomer.objects.count()
    short = [row for row in rows if row.incomplete]
    assert len(short) >= len(Branch.objects.all())
    assert len(short) < len(rows) / 4
    assert any(row.team.roles == (rules.Role.A, rules.Role.B1, rules.Role.B2) for row in rows)
    assert any(row.group_members and row.exposure != (row.own_exposure or 0) for row in rows)
    assert not TeamMember.objects.exclude(user__corporate_manager=True).exists()


def test_corporate_managers_loads_some_over_the_limit(seeded):
    flagged = User.objects.filter(corporate_manager=True, villages__isnull=False).distinct()
    only = User.objects.filter(corporate_manager=True, villages__isnull=True)
    assert flagged.count() == 2 * Branch.objects.count()
    assert only.count() >= 2 * Branch.objects.count()
    assert set(only.values_list("role", flat=True)) == {Role.ACCOUNT_MANAGER}
    loads = [row for b in Branch.objects.all() for row in branch_loads(b, REFERENCE).rows]
    assert any(row.over for row in loads)
    assert any(not row.over for row in loads)
    assert any(row.retail and row.a_roles for row in loads)  # village work beside


def test_deputies_and_head_office_departments_have_logins(seeded):
    for branch in Branch.objects.all():
        assert User.objects.filter(role=Role.DEPUTY_HEAD, branches=branch).count() == 1
    for username, role in (
        ("corp_finance", Role.CORPORATE_FINANCE),
        ("credit_mgmt", Role.CREDIT_MANAGEMENT),
    ):
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("demo12345")
        assert username in seeded
    assert "分管副行长" in seeded
    assert "公司金融部" in seeded


def snapshot() -> tuple:
    customers = sorted(
        CorporateCustomer.objects.values_list("credit_code", "name", "branch__code", "group__name")
    )
    team = sorted(TeamMember.objects.values_list("customer__credit_code", "role", "user__username"))
    figures = sorted(
        Figures.objects.values_list("customer__credit_code", "period", "exposure", "deposits")
    )
    kinds = sorted(Branch.objects.values_list("code", "kind"))
    village = sorted(Customer.objects.values_list("id_number", "credit_code", "name", "phone"))
    return customers, team, figures, kinds, village


@pytest.mark.django_db
def test_the_corporate_demo_is_the_same_every_time_and_leaves_the_village_demo_as_it_was(
    settings,
):
    settings.DEBUG = True

    def seed(with_corporate):
        with transaction.atomic():
            if not with_corporate:
                from demo import corporate

                original, corporate.seed = corporate.seed, lambda **kw: {"corporate": 0}
            try:
                call_command("seed_demo", scale="120", stdout=StringIO())
            finally:
                if not with_corporate:
                    corporate.seed = original
            result = snapshot()
            transaction.set_rollback(True)
        return result

    first, second, without = seed(True), seed(True), seed(False)
    assert first == second
    assert first[0]
    assert first[4] == without[4]  # the village customers do not change


def test_the_project_library_has_months_under_and_over_four_with_moves_and_credit_starts(seeded):
    from credit import project_rules
    from credit.models import CreditStart, ProjectEntry, StageChange

    per_month = Counter(ProjectEntry.objects.values_list("manager", "month"))
    assert any(project_rules.month_flagged(n) for n in per_month.values())
    assert any(not project_rules.month_flagged(n) for n in per_month.values())
    assert len({month for _manager, month in per_month}) == 4
    assert StageChange.objects.filter(to_stage="won").exists()
    assert StageChange.objects.filter(to_stage="lost").exists()
    for code in ProjectEntry.objects.exclude(prospect_credit_code="").values_list(
        "prospect_credit_code", flat=True
    ):
        validate_credit_code(code)
    assert CreditStart.objects.exists()
    assert "条项目库储备" in seeded
