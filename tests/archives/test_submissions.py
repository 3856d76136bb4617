"""Forms sent from the phone's outbox: a key files once, and the answer says saved, invalid or conflict."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archives.models import Customer, Submission
from classification.models import Visit
from tests.archives.test_survey_form import household_post
from tests.builders import PASSWORD, login_request, resident_id, stamp_login
from tests.conftest import login
from tests.form_data import posted

OUTBOX = {"headers": {"X-Outbox": "1"}}


def create_url(world):
    return reverse("archives:customer_create", args=[world.village_a.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "first_status", "again_status"),
    [
        ({}, 302, 302),  # sent as a page: both answers lead to the customer
        (OUTBOX, 200, 200),  # sent by the outbox: both answers are JSON "saved"
    ],
)
def test_the_same_key_sent_twice_files_one_customer(world, extra, first_status, again_status):
    client = login(world.manager_a)
    data = household_post(submission_key=str(uuid.uuid4()))

    first = client.post(create_url(world), data, **extra)
    again = client.post(create_url(world), data, **extra)

    assert (first.status_code, again.status_code) == (first_status, again_status)
    customer = Customer.objects.get(id_number=data["id_number"])
    if extra:
        assert (
            first.json() == again.json() == {"status": "saved", "url": customer.get_absolute_url()}
        )
    else:
        assert first["Location"] == again["Location"] == customer.get_absolute_url()
    assert Submission.objects.filter(user=world.manager_a).count() == 1


@pytest.mark.django_db
def test_a_second_send_says_it_was_already_saved(world):
    client = login(world.manager_a)
    data = household_post(submission_key=str(uuid.uuid4()))
    client.post(create_url(world), data)

    page = client.post(create_url(world), data, follow=True)

    assert "已发送并保存过" in page.text
    assert Customer.objects.filter(id_number=data["id_number"]).count() == 1


@pytest.mark.django_db
def test_a_key_is_the_senders_own_another_users_same_key_is_a_new_submission(world):
    key = str(uuid.uuid4())
    login(world.manager_a).post(create_url(world), household_post(submission_key=key))
    other = household_post(submission_key=key, id_number=resident_id("19800101"), name="钱二")

    response = login(world.manager_a2).post(create_url(world), other)

    assert response.status_code == 302
    assert Customer.objects.filter(id_number=other["id_number"]).exists()
    assert Submission.objects.filter(key=key).count() == 2


@pytest.mark.django_db
def test_an_invalid_send_records_nothing_and_the_corrected_one_goes_with_the_same_key(world):
    client = login(world.manager_a)
    key = str(uuid.uuid4())
    bad = household_post(submission_key=key, name="")

    refused = client.post(create_url(world), bad, **OUTBOX)
    shown = client.post(create_url(world), bad)  # the same, sent as a page
    saved = client.post(create_url(world), household_post(submission_key=key), **OUTBOX)

    assert refused.json()["status"] == "invalid"
    assert f'name="submission_key" value="{key}"' in shown.text  # the form keeps its key
    assert saved.json()["status"] == "saved"
    assert Submission.objects.filter(key=key).count() == 1
    assert Customer.objects.filter(name="赵大海").count() == 1


@pytest.mark.django_db
def test_a_stale_edit_from_the_outbox_is_a_conflict_and_writes_nothing(world):
    customer = world.customer_a
    url = reverse("archives:customer_edit", args=[customer.pk])
    phone, office = login(world.manager_a), login(world.manager_a2)
    offline = posted(*_form_of(phone, url))  # opened before the signal went
    meanwhile = posted(*_form_of(office, url))
    meanwhile["phone"] = "13900001111"
    assert office.post(url, meanwhile).status_code == 302

    key = str(uuid.uuid4())
    offline.update(submission_key=key, household_income="88000")
    answer = phone.post(url, offline, **OUTBOX)
    page = phone.post(url, offline)  # the outbox's "open to resolve": sent as a page

    assert answer.json() == {"status": "conflict", "url": url}
    assert page.status_code == 409
    assert 'id="stale-edit"' in page.text
    assert f'name="submission_key" value="{key}"' in page.text
    customer.refresh_from_db()
    assert (customer.phone, customer.household_income != 88000) == ("13900001111", True)
    assert not Submission.objects.filter(key=key).exists()


def _form_of(client, url):
    response = client.get(url)
    return response.context["form"], response.context["members"]


@pytest.mark.django_db
def test_a_visit_sent_twice_with_its_key_is_logged_once(world):
    client = login(world.manager_a)
    url = reverse("classification:visit_create", args=[world.customer_a.pk])
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "partner": "",
        "learnt": "家里新建了茶园",
        "needs": "",
        "next_step": "",
        "submission_key": str(uuid.uuid4()),
    }

    answers = [client.post(url, data, **OUTBOX).json() for _ in range(2)]

    assert [a["status"] for a in answers] == ["saved", "saved"]
    assert Visit.objects.filter(customer=world.customer_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_four_times_at_once_files_once_without_a_500(world):
    data = household_post(submission_key=str(uuid.uuid4()))
    start = threading.Barrier(4)
    responses = [None] * 4

    def send(i):
        try:
            client = Client(raise_request_exception=False)
            client.login(
                request=login_request(), username=world.manager_a.username, password=PASSWORD
            )
            stamp_login(client)
            start.wait()
            responses[i] = client.post(create_url(world), data, **OUTBOX)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in responses] == [200] * 4
    customer = Customer.objects.get(id_number=data["id_number"])
    # One filed the customer; the others waited on the key's row and found its result.
    assert [r.json() for r in responses] == [
        {"status": "saved", "url": customer.get_absolute_url()}
    ] * 4
    assert Submission.objects.filter(key=data["submission_key"]).count() == 1


@pytest.mark.django_db
def test_the_worker_is_served_at_the_root_uncached_to_anyone(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "__VERSION__" not in response.text
    assert '"/static/css/app.' in response.text  # the shell, by its (hashed) names


@pytest.mark.django_db
def test_the_manifest_names_the_app_in_chinese_with_its_icons(client):
    data = client.get("/manifest.webmanifest").json()

    assert data["name"] == "红安进村入户"
    assert data["start_url"] == "/"
    assert [icon["sizes"] for icon in data["icons"]] == ["192x192", "512x512"]
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_the_outbox_with_its_count(world):
    text = login(world.manager_a).get(reverse("home")).text

    assert 'rel="manifest" href="/manifest.webmanifest"' in text
    assert 'href="/pending/">待发送' in text
    assert "data-outbox-count" in text
