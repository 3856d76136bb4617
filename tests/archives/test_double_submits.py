"""The same ID number filed twice at once: the second gets the duplicate message, never a 500."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from archives import services
from archives.forms import CustomerForm, FamilyFormSet
from archives.models import Customer
from tests.archives.test_survey_form import household_post
from tests.builders import PASSWORD, credit_code, login_request, resident_id, stamp_login

TODAY = datetime.date(2026, 11, 20)


def bound_form(world, data):
    form = CustomerForm(
        data,
        instance=Customer(),
        village=world.village_a,
        customer_type=data["type"],
        today=TODAY,
        user=world.manager_a,
    )
    members = FamilyFormSet(data, instance=Customer(), prefix="members", today=TODAY)
    assert form.is_valid(), form.errors
    assert members.is_valid()
    return form, members


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["id_number", "credit_code"])
def test_the_second_of_two_forms_checked_at_once_gets_already_on_file(world, field):
    """Both forms passed their duplicate check before either was saved (the race)."""
    if field == "id_number":
        data = household_post(id_number=resident_id("19750315"))
    else:
        data = {
            **household_post(type="cooperative", credit_code=credit_code(), id_number=""),
            "name": "红安县茶叶专业合作社",
        }
    first, second = bound_form(world, data), bound_form(world, data)
    winner = services.file_customer(
        form=first[0], members=first[1], user=world.manager_a, today=TODAY
    )

    with pytest.raises(services.AlreadyOnFile) as refused:
        services.file_customer(form=second[0], members=second[1], user=world.manager_a, today=TODAY)

    assert (refused.value.field, refused.value.existing) == (field, winner)
    assert Customer.objects.filter(**{field: data[field]}).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_id_number_filed_eight_times_at_once_answers_without_a_500(world):
    number = resident_id("19750315")
    url = reverse("archives:customer_create", args=[world.village_a.pk])
    start = threading.Barrier(8)
    responses = [None] * 8

    def file(i):
        try:
            client = Client(raise_request_exception=False)
            client.login(
                request=login_request(), username=world.manager_a.username, password=PASSWORD
            )
            stamp_login(client)
            start.wait()
            responses[i] = client.post(url, household_post(id_number=number, name=f"赵{i}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 7 + [302], statuses
    existing = Customer.objects.get(id_number=number)
    for response in responses:
        if response.status_code == 200:
            assert existing.get_absolute_url() in response.text  # in scope: a link to it
            assert "未保存" in response.text
