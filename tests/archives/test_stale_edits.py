"""Two people edit the same customer: the second, stale save is refused and nothing is lost."""

import pytest
from django.urls import reverse

from archives.models import Customer
from tests.builders import make_member
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

STALE = "此记录已被他人修改"


def open_form(client, customer):
    response = client.get(reverse("archives:customer_edit", args=[customer.pk]))
    assert response.status_code == 200
    return posted(response.context["form"], response.context["members"])


def test_a_stale_survey_form_is_refused_and_the_first_save_stays(world):
    customer = world.customer_a
    first, second = login(world.manager_a), login(world.manager_a2)
    url = reverse("archives:customer_edit", args=[customer.pk])
    data_first, data_second = open_form(first, customer), open_form(second, customer)

    data_first["phone"] = "13900001111"
    assert first.post(url, data_first).status_code == 302
    data_second["household_income"] = "88000"
    response = second.post(url, data_second)

    assert response.status_code == 409
    assert STALE in response.text
    differences = {d.label: (d.theirs, d.yours) for d in response.context["stale"].differences}
    assert differences["手机号"] == ("13900001111", "13812345678")  # theirs vs. yours
    assert differences["家庭年收入（元）"][1] == "88000.00"
    assert 'value="88000"' in response.text  # the user's input is kept in the form
    customer.refresh_from_db()
    assert customer.phone == "13900001111"
    assert customer.household_income != 88000


def test_after_the_refusal_a_deliberate_second_save_goes_through(world):
    customer = world.customer_a
    first, second = login(world.manager_a), login(world.manager_a2)
    url = reverse("archives:customer_edit", args=[customer.pk])
    data_first, data_second = open_form(first, customer), open_form(second, customer)
    data_first["address"] = "一组12号"
    first.post(url, data_first)
    data_second["household_income"] = "88000"
    refused = second.post(url, data_second)

    again = posted(refused.context["form"], refused.context["members"])
    again["address"] = "一组12号"  # the user takes the other change over
    assert second.post(url, again).status_code == 302
    customer.refresh_from_db()
    assert (customer.address, customer.household_income) == ("一组12号", 88000)


def test_a_family_member_changed_meanwhile_makes_the_household_form_stale(world):
    customer = world.customer_a
    member = make_member(customer, name="李四", phone="")
    first, second = login(world.manager_a), login(world.manager_a2)
    url = reverse("archives:customer_edit", args=[customer.pk])
    data_first, data_second = open_form(first, customer), open_form(second, customer)

    data_first["members-0-phone"] = "13700002222"
    assert first.post(url, data_first).status_code == 302
    data_second["members-0-away_location"] = "武汉"
    data_second["members-0-works_away"] = "on"
    response = second.post(url, data_second)

    assert response.status_code == 409
    labels = [d.label for d in response.context["stale"].differences]
    assert labels == ["家庭成员"]
    member.refresh_from_db()
    assert (member.phone, member.works_away) == ("13700002222", False)


def test_a_form_whose_record_did_not_change_saves_normally(world):
    client = login(world.manager_a)
    customer = world.customer_a
    data = open_form(client, customer)
    data["phone"] = "13900001111"
    assert (
        client.post(reverse("archives:customer_edit", args=[customer.pk]), data).status_code == 302
    )


def test_an_import_meanwhile_also_makes_the_form_stale(world):
    """Any writer changes the version, not only the survey form."""
    customer = world.customer_a
    client = login(world.manager_a)
    data = open_form(client, customer)
    Customer.objects.filter(pk=customer.pk).update(business_items="茶叶")
    data["phone"] = "13900001111"
    response = client.post(reverse("archives:customer_edit", args=[customer.pk]), data)
    assert response.status_code == 409
    customer.refresh_from_db()
    assert (customer.business_items, customer.phone) == ("茶叶", world.customer_a.phone)


def test_the_same_change_made_twice_is_not_a_conflict(world):
    customer = world.customer_a
    first, second = login(world.manager_a), login(world.manager_a2)
    url = reverse("archives:customer_edit", args=[customer.pk])
    data_first, data_second = open_form(first, customer), open_form(second, customer)
    data_first["phone"] = data_second["phone"] = "13900001111"
    assert first.post(url, data_first).status_code == 302
    assert second.post(url, data_second).status_code == 302


def test_the_edit_page_carries_the_version_and_the_create_page_none(world):
    client = login(world.manager_a)
    edit = client.get(reverse("archives:customer_edit", args=[world.customer_a.pk]))
    version = edit.context["form"]["version"].value()
    assert len(version) == 64
    assert f'name="version" value="{version}"' in edit.text
    create = client.get(
        reverse("archives:customer_create", args=[world.village_a.pk]) + "?type=household"
    )
    assert not create.context["form"]["version"].value()
