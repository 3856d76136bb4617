"""Accountable changes: villages with their owners, staff roles and branches, branches.

Changes made in the admin were logged only as "已修改…" (Django's LogEntry), and the
village's admin history page answered 500. Each change is now a history row, shown
field by field with who and when on the admin history page.
"""

import re

import pytest

from archives.models import Branch, Role, User, Village
from tests.builders import PASSWORD
from tests.conftest import login

pytestmark = pytest.mark.django_db


def village_form(village, **changes):
    """The admin change form of a village as posted, with its group rows unchanged."""
    groups = list(village.groups.order_by("pk"))
    data = {
        "township": village.township_id,
        "code": village.code,
        "name": village.name,
        "registered_households": village.registered_households,
        "latitude": village.latitude,
        "longitude": village.longitude,
        "owners": [u.pk for u in village.owners.all()],
        "informant_name": village.informant_name,
        "informant_phone": village.informant_phone,
        "groups-TOTAL_FORMS": len(groups),
        "groups-INITIAL_FORMS": len(groups),
        "groups-MIN_NUM_FORMS": 0,
        "groups-MAX_NUM_FORMS": 1000,
    }
    for i, group in enumerate(groups):
        data |= {
            f"groups-{i}-id": group.pk,
            f"groups-{i}-village": village.pk,
            f"groups-{i}-name": group.name,
            f"groups-{i}-registered_households": group.registered_households,
        }
    return data | changes


def test_the_village_history_page_in_the_admin_answers(world):
    client = login(world.head_office)
    response = client.get(f"/admin/archives/village/{world.village_a.pk}/history/")
    assert response.status_code == 200


def test_a_change_of_village_owners_is_kept_with_who_from_and_to(world):
    client = login(world.head_office)
    village = world.village_a
    response = client.post(
        f"/admin/archives/village/{village.pk}/change/",
        village_form(village, owners=[world.manager_b.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(village.owners.all()) == {world.manager_b}

    rows = list(village.history.order_by("history_date", "history_id"))
    owners = [{row.user_id for row in record.owners.all()} for record in rows]
    # The admin saves the village, then its owners (removed, then added): every step kept.
    assert {world.manager_a.pk, world.manager_a2.pk} in owners[:-1]
    assert owners[-1] == {world.manager_b.pk}
    changed_by_admin = [r for r in rows if r.history_user_id == world.head_office.pk]
    assert changed_by_admin[-1] == rows[-1]

    page = client.get(f"/admin/archives/village/{village.pk}/history/").text
    # Not only "已修改": the owners before and after, and who changed them.
    assert "包片客户经理:</strong>\n                    [manager_a, manager_a2]" in page
    assert "&rarr;&nbsp;&nbsp;[manager_b]" in page
    assert ">head_office</a>" in page


def user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": "00:00:00",
        "display_name": user.display_name,
        "role": user.role,
        "staff_no": user.staff_no or "",
        "phone": user.phone,
        "branches": [b.pk for b in user.branches.all()],
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_a_change_of_role_and_branches_is_kept_with_who_and_when(world):
    client = login(world.head_office)
    user = world.manager_c
    response = client.post(
        f"/admin/archives/user/{user.pk}/change/",
        user_form(user, role=Role.BRANCH_HEAD, branches=[world.branch1.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.role == Role.BRANCH_HEAD

    rows = list(user.history.order_by("history_date", "history_id"))
    roles = [row.role for row in rows]
    assert roles[0] == Role.ACCOUNT_MANAGER
    assert roles[-1] == Role.BRANCH_HEAD
    assert rows[-1].history_user == world.head_office
    assert {r.branch_id for r in rows[-1].branches.all()} == {world.branch1.pk}
    assert {r.branch_id for r in rows[0].branches.all()} in (set(), {world.branch2.pk})

    page = client.get(f"/admin/archives/user/{user.pk}/history/").text
    assert re.search(
        r"(account_manager|客户经理)\s*&nbsp;&rarr;&nbsp;&nbsp;(branch_head|支行行长)", page
    ), "the role's change is listed"


def test_a_login_adds_no_history_row_and_no_password_is_kept(world):
    before = world.manager_a.history.count()
    login(world.manager_a)
    assert world.manager_a.history.count() == before
    assert not hasattr(User.history.model, "password")


def test_a_renamed_branch_is_kept(world):
    client = login(world.head_office)
    response = client.post(
        f"/admin/archives/branch/{world.branch2.pk}/change/",
        {"code": "B02", "name": "新七里坪支行", "kind": "prefecture"},
    )
    assert response.status_code == 302
    names = list(
        Branch.history.filter(id=world.branch2.pk)
        .order_by("history_date", "history_id")
        .values_list("name", flat=True)
    )
    assert names == ["七里坪支行", "新七里坪支行"]
    assert client.get(f"/admin/archives/branch/{world.branch2.pk}/history/").status_code == 200


def test_villages_have_history_including_their_owners():
    assert Village.history.model._meta.get_field("history_user")


def test_an_old_version_of_a_staff_member_is_shown_but_never_saved_back(world):
    """Saving a history version would rebuild the user without its password hash."""
    client = login(world.head_office)
    user = world.manager_c
    version = user.history.order_by("history_id").first()
    url = f"/admin/archives/user/{user.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, user_form(user, role=Role.LEADER))
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.role == Role.ACCOUNT_MANAGER
    assert user.check_password(PASSWORD)
