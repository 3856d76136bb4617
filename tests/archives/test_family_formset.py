"""Saving a household's family rows: the rows are read once, whatever their number; a row
names only a member of its own household; an ID number a member still holds is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import FamilyMember
from tests.builders import make_customer, make_member, resident_id
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db


def edit_post(client, customer, change=None):
    """The edit page's form posted back, with `change(data)` applied to it first."""
    url = reverse("archives:customer_edit", args=[customer.pk])
    page = client.get(url)
    data = posted(page.context["form"], page.context["members"])
    if change:
        change(data)
    return client.post(url, data)


def queries_to_save(world, members):
    customer = make_customer(world.village_a)
    for n in range(members):
        make_member(customer, name=f"子女{n}", relation="child", id_number=resident_id("20100101"))
    client = login(world.manager_a)
    with CaptureQueriesContext(connection) as saved:
        response = edit_post(client, customer)
    assert response.status_code == 302, response.context and response.context["members"].errors
    return len(saved.captured_queries)


def test_saving_a_household_costs_the_same_queries_for_one_member_as_for_six(world):
    one, six = queries_to_save(world, 1), queries_to_save(world, 6)
    assert six == one


def test_a_row_naming_another_households_member_is_refused(world):
    mine = make_customer(world.village_a)
    make_member(mine, name="本户成员", relation="child")
    theirs = make_member(make_customer(world.village_a), name="别户成员", relation="child")

    def other_household(data):
        data["members-0-id"] = str(theirs.pk)
        data["members-0-name"] = "改名"

    response = edit_post(login(world.manager_a), mine, other_household)
    assert response.status_code == 200
    assert response.context["members"].forms[0].errors["id"]
    theirs.refresh_from_db()
    assert theirs.name == "别户成员"
    assert mine.members.get().name == "本户成员"


@pytest.mark.parametrize("delete_holder", [True, False], ids=["holder deleted", "holder kept"])
def test_a_number_another_member_holds_on_file_is_refused_not_a_500(world, delete_holder):
    customer = make_customer(world.village_a)
    number = resident_id("20100101")
    make_member(customer, name="甲", relation="child")
    make_member(customer, name="乙", relation="child", id_number=number)

    def take_the_number(data):
        data["members-0-id_number"] = number
        if delete_holder:
            data["members-1-DELETE"] = "on"
        else:
            data["members-1-id_number"] = ""  # 乙 gives it up in the same save

    response = edit_post(login(world.manager_a), customer, take_the_number)
    assert response.status_code == 200
    errors = response.context["members"].forms[0].errors["id_number"]
    assert errors == ["本户中同一个身份证号填写了两次。"]
    assert list(customer.members.order_by("pk").values_list("name", "id_number")) == [
        ("甲", ""),
        ("乙", number),
    ]
    assert FamilyMember.objects.filter(customer=customer).count() == 2
