"""A customer's service team (A/B角): set by the branch's head or deputy head among the
branch's corporate managers, one role per person, every change kept with who."""

import pytest
from django.urls import reverse

from archives.models import Role
from credit.models import TeamMember
from tests.builders import make_user
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

STALE = "此记录已被他人修改"


def team_of(customer):
    return {m.role: m.user for m in TeamMember.objects.filter(customer=customer)}


def team_form(client, customer, **changes):
    response = client.get(reverse("credit:team_edit", args=[customer.pk]))
    assert response.status_code == 200
    data = posted(response.context["form"])
    data.update({k: "" if v is None else str(v.pk) for k, v in changes.items()})
    return data


@pytest.mark.parametrize("role", ["branch_head", "deputy_head"])
def test_the_branch_leaders_swap_a_and_b1_and_add_b2_with_history(world, role):
    leader = getattr(world, role)
    corp_d1 = make_user(
        Role.ACCOUNT_MANAGER, branches=[world.branch1], corporate_manager=True, name="赵经理"
    )
    customer = world.company_1
    client = login(leader)
    url = reverse("credit:team_edit", args=[customer.pk])
    response = client.post(
        url, team_form(client, customer, A=world.corp_b1, B1=world.corp_a1, B2=corp_d1)
    )

    assert response.status_code == 302
    assert team_of(customer) == {"A": world.corp_b1, "B1": world.corp_a1, "B2": corp_d1}
    written = TeamMember.history.filter(customer_id=customer.pk).exclude(history_user=None)
    assert {(r.history_type, r.role, r.user_id) for r in written} == {
        ("-", "A", world.corp_a1.pk),
        ("-", "B1", world.corp_b1.pk),
        ("+", "A", world.corp_b1.pk),
        ("+", "B1", world.corp_a1.pk),
        ("+", "B2", corp_d1.pk),
    }
    assert {r.history_user for r in written} == {leader}


def test_an_unchanged_team_saved_twice_writes_nothing(world):
    client = login(world.branch_head)
    data = team_form(client, world.company_1)
    before = TeamMember.history.count()
    url = reverse("credit:team_edit", args=[world.company_1.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert TeamMember.history.count() == before


def outsider(w):
    return w.corp_c  # branch 2's corporate manager


def village_manager(w):
    return w.manager_a  # branch 1, not a corporate manager


def branch_head(w):
    return w.branch_head


def former(w):
    user = make_user(Role.ACCOUNT_MANAGER, branches=[w.branch1], corporate_manager=True)
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize(
    ("choose", "field", "message"),
    [
        pytest.param(
            lambda w: {"A": w.corp_a1, "B1": w.corp_a1},
            "B1",
            "同一客户经理对同一客户只能担任一个角色",
            id="one person as A and B1",
        ),
        pytest.param(
            lambda w: {"B1": w.corp_b1, "B2": w.corp_b1},
            "B2",
            "只能担任一个角色",
            id="one person as B1 and B2",
        ),
        pytest.param(
            lambda w: {"B1": outsider(w)},
            "B1",
            "请从本支行的对公客户经理中选择",
            id="a corporate manager of another branch",
        ),
        pytest.param(
            lambda w: {"A": village_manager(w)},
            "A",
            "请从本支行的对公客户经理中选择",
            id="a village account manager of the branch",
        ),
        pytest.param(
            lambda w: {"B2": branch_head(w)},
            "B2",
            "请从本支行的对公客户经理中选择",
            id="the branch head",
        ),
        pytest.param(
            lambda w: {"B2": former(w)},
            "B2",
            "请从本支行的对公客户经理中选择",
            id="a manager who has left",
        ),
        pytest.param(lambda w: {"A": None}, "A", "此项为必填项", id="no A role"),
        pytest.param(
            lambda w: {"B1": None, "B2": w.corp_b1}, "B1", "请先选择B1角", id="B2 without B1"
        ),
    ],
)
def test_a_team_breaking_a_rule_is_refused_and_nothing_changes(world, choose, field, message):
    customer = world.company_1
    client = login(world.branch_head)
    before = (team_of(customer), TeamMember.history.count())
    response = client.post(
        reverse("credit:team_edit", args=[customer.pk]),
        team_form(client, customer, **choose(world)),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert (team_of(customer), TeamMember.history.count()) == before


def test_a_stale_team_page_is_refused(world):
    customer = world.company_1
    corp_d1 = make_user(Role.ACCOUNT_MANAGER, branches=[world.branch1], corporate_manager=True)
    first, second = login(world.branch_head), login(world.deputy_head)
    url = reverse("credit:team_edit", args=[customer.pk])
    data_first = team_form(first, customer, B2=corp_d1)
    data_second = team_form(second, customer, B1=corp_d1)

    assert first.post(url, data_first).status_code == 302
    response = second.post(url, data_second)

    assert response.status_code == 409
    assert STALE in response.text
    assert team_of(customer) == {"A": world.corp_a1, "B1": world.corp_b1, "B2": corp_d1}


@pytest.mark.parametrize("role", ["corp_a1", "corp_b1", "branch_head_2", "corporate_finance"])
def test_a_team_post_out_of_the_branch_leaders_is_404_and_changes_nothing(world, role):
    response = login(getattr(world, role)).post(
        reverse("credit:team_edit", args=[world.company_1.pk]), {"A": world.corp_b1.pk}
    )
    assert response.status_code == 404
    assert team_of(world.company_1) == {"A": world.corp_a1, "B1": world.corp_b1}
