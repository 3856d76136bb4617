"""Logging a revisit from the customer's page, and the follow-up panel on that page."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classification import services
from classification.models import Visit
from classification.visits import record_visit
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def post_visit(user, customer, **fields):
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "partner": "",
        "learnt": "家里新建了茶园，打算扩种",
        "needs": "贷款 5 万元",
        "next_step": "下周带贷款资料再访",
    }
    data.update(fields)
    return login(user).post(reverse("classification:visit_create", args=[customer.pk]), data)


def test_a_visit_with_a_partner_is_recorded_and_shown_on_the_customer_page(world, today):
    response = post_visit(world.manager_a, world.customer_a, partner=world.manager_b.pk)
    assert response.status_code == 302
    assert response["Location"] == world.customer_a.get_absolute_url() + "#visits"
    visit = Visit.objects.get()
    assert (visit.customer, visit.visitor, visit.partner) == (
        world.customer_a,
        world.manager_a,
        world.manager_b,
    )
    assert visit.visited_on == today
    page = login(world.manager_a2).get(world.customer_a.get_absolute_url())
    assert "家里新建了茶园" in page.text
    assert "下周带贷款资料再访" in page.text


@pytest.mark.parametrize("role", ["leader", "section_chief", "branch_head", "head_office"])
def test_leaders_chiefs_and_branch_heads_log_their_visits_too(world, role):
    assert post_visit(getattr(world, role), world.customer_a).status_code == 302
    assert Visit.objects.get().visitor == getattr(world, role)


@pytest.mark.parametrize("role", ["manager_b", "manager_c", "branch_head_2"])
def test_a_visit_to_a_customer_out_of_scope_is_404_and_saves_nothing(world, role):
    assert post_visit(getattr(world, role), world.customer_a).status_code == 404
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused_in_chinese(world, today):
    response = post_visit(
        world.manager_a,
        world.customer_a,
        visited_on=(today + datetime.timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 200
    assert "走访日期不能晚于今天。" in response.text
    assert not Visit.objects.exists()


def test_a_visit_before_the_archive_date_is_refused_in_chinese(world):
    response = post_visit(world.manager_a, world.customer_a, visited_on="2026-02-28")
    assert "走访日期不能早于建档日期（2026-03-01）。" in response.text
    assert not Visit.objects.exists()


def test_a_visit_on_the_archive_date_is_accepted(world):
    assert post_visit(world.manager_a, world.customer_a, visited_on="2026-03-01").status_code == 302


@pytest.mark.parametrize(
    ("partner", "why"),
    [
        ("manager_c", "another branch"),
        ("manager_a", "the visitor themself"),
    ],
)
def test_the_partner_is_someone_else_of_the_same_branch(world, partner, why):
    response = post_visit(world.manager_a, world.customer_a, partner=getattr(world, partner).pk)
    assert response.status_code == 200, why
    assert response.context["form"].errors["partner"]
    assert not Visit.objects.exists()


def test_what_was_learnt_is_required(world):
    response = post_visit(world.manager_a, world.customer_a, learnt="  ")
    assert response.context["form"].errors["learnt"]
    assert not Visit.objects.exists()


def test_the_service_holds_the_date_rules_for_any_caller(world, today):
    with pytest.raises(ValidationError):
        record_visit(
            customer=world.customer_a,
            visitor=world.manager_a,
            visited_on=today + datetime.timedelta(days=1),
            today=today,
        )
    with pytest.raises(ValidationError):
        record_visit(
            customer=world.customer_a,
            visitor=world.manager_a,
            partner=world.manager_a,
            visited_on=today,
            today=today,
        )
    assert not Visit.objects.exists()


# The follow-up panel on the customer page ------------------------------------------------


@pytest.fixture
def golden_with_override(world, today):
    """customer_a ranks first (golden); the branch head decided key follow-up in writing."""
    world.customer_a.deposit_balance = Decimal("800000")
    world.customer_a.save()
    week = services.run_week(branch=world.branch1, today=today, now=timezone.now())
    services.override_tier(
        week=week,
        customer=world.customer_a,
        tier="key_follow_up",
        reason="村里最大的存款户",
        user=world.branch_head,
        now=timezone.now(),
    )
    services.confirm_week(week=week, user=world.branch_head, today=today, now=timezone.now())
    return world.customer_a


def test_the_customer_page_shows_tier_reasons_maintainers_visits_and_the_form(
    world, golden_with_override, today
):
    Visit.objects.create(
        customer=golden_with_override,
        visited_on=today,
        visitor=world.manager_a,
        partner=world.leader,
        learnt="了解到明年要扩大经营",
    )
    page = login(world.section_chief).get(golden_with_override.get_absolute_url())
    text = page.text
    assert 'id="follow-up"' in text
    assert "tier-key_follow_up" in text
    assert "村里最大的存款户" in text  # the override's written reason
    assert "存贷款合计在支行排名第1" in text  # the rules' reason, kept with the tier
    for person in ("leader_1", "branch_head_1", "manager_a"):
        assert person in text.split('id="follow-up"')[1].split('id="visits"')[0]
    assert "了解到明年要扩大经营" in text
    assert reverse("classification:visit_create", args=[golden_with_override.pk]) in text
    assert text.index('id="visits"') < text.index('id="history"')


def test_an_unranked_customer_is_maintained_by_the_village_account_managers(world):
    page = login(world.manager_a).get(world.customer_a.get_absolute_url())
    panel = page.text.split('id="follow-up"')[1].split('id="visits"')[0]
    assert "manager_a" in panel
    assert "manager_a2" in panel


def test_the_customer_page_costs_the_same_queries_with_1_visit_or_30(
    world, golden_with_override, today
):
    client = login(world.manager_a)
    url = golden_with_override.get_absolute_url()

    def visits_then_count(n):
        for i in range(n):
            Visit.objects.create(
                customer=golden_with_override,
                visited_on=today - datetime.timedelta(days=i),
                visitor=world.manager_a,
                partner=world.manager_b,
                learnt=f"第{i}次",
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert visits_then_count(1) == visits_then_count(29)
