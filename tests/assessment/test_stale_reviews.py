"""Two head-office reviewers on one field day: the stale decision is refused, the first stays.

And a day logged twice at once: the second request answers with the day logged, never a 500.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archives.models import Role
from assessment import fieldwork
from assessment.models import FieldDay, Finding
from tests.assessment.fieldwork_builders import good_photo, make_field_day, photo_bytes, upload
from tests.builders import PASSWORD, login_request, make_user, stamp_login
from tests.conftest import login

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
STALE = "此记录已被他人修改"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def reviewers(world):
    other = make_user(Role.HEAD_OFFICE, username="head_office_2")
    return login(world.head_office), login(other)


def page_of(client, day):
    response = client.get(day.get_absolute_url())
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_a_stale_review_is_refused_and_the_first_decision_stays(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    first, second = reviewers(world)
    url = reverse("assessment:review_field_day", args=[day.pk])
    version_first = page_of(first, day).context["days"][0].version
    page = page_of(second, day)
    version_second = page.context["days"][0].version
    assert f'name="version" value="{version_second}"' in page.text

    first.post(url, {"decision": "confirmed", "note": "相符", "version": version_first})
    response = second.post(
        url, {"decision": "rejected", "note": "照片模糊", "version": version_second}, follow=True
    )

    text = response.text
    assert STALE in text
    assert "已确认" in text  # the stored status
    assert "不计入" in text  # the one entered
    assert "照片模糊" in text  # the note typed is shown back, not lost
    day.refresh_from_db()
    assert (day.status, day.review_note) == (FieldDay.Status.CONFIRMED, "相符")


@pytest.mark.django_db
def test_a_stale_ruling_on_a_finding_is_refused_and_the_first_ruling_stays(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    first, second = reviewers(world)
    url = reverse("assessment:rule_finding", args=[finding.pk])

    def version_on(client):
        shown = page_of(client, day).context["days"][0]
        return shown.photos.all()[0].findings.all()[0].version

    version_first, version_second = version_on(first), version_on(second)
    first.post(url, {"ruling": "dismissed", "note": "同组搭档", "version": version_first})
    response = second.post(
        url,
        {"ruling": "confirmed_falsification", "note": "翻拍", "version": version_second},
        follow=True,
    )

    assert STALE in response.text
    finding.refresh_from_db()
    assert (finding.status, finding.ruling_note) == (Finding.Status.DISMISSED, "同组搭档")


@pytest.mark.django_db
def test_a_review_on_a_current_page_goes_through(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    client, _ = reviewers(world)
    version = page_of(client, day).context["days"][0].version
    client.post(
        reverse("assessment:review_field_day", args=[day.pk]),
        {"decision": "confirmed", "version": version},
    )
    day.refresh_from_db()
    assert day.status == FieldDay.Status.CONFIRMED


@pytest.mark.django_db
def test_the_second_of_two_loggings_checked_at_once_gets_already_logged(world):
    """The form's "already logged?" check passed for both; the service meets the constraint."""
    first = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 1)])
    with pytest.raises(fieldwork.AlreadyLogged) as refused:
        make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 2)])
    assert refused.value.field_day == first
    assert "已" in str(refused.value)
    assert FieldDay.objects.filter(person=world.manager_a, date=TODAY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_field_day_logged_four_times_at_once_answers_without_a_500(world):
    url = reverse("assessment:field_day_log")
    start = threading.Barrier(4)
    responses = [None] * 4

    def log(i):
        try:
            client = Client(raise_request_exception=False)
            client.login(
                request=login_request(), username=world.manager_a.username, password=PASSWORD
            )
            stamp_login(client)
            photo = upload(photo_bytes(i + 1), f"IMG_{i}.jpg")
            data = {
                "date": TODAY.isoformat(),
                "villages": [world.village_a.pk],
                "households_visited": 9,
                "diary": "走访",
                "photos": [photo],
            }
            start.wait()
            responses[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=log, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    day = FieldDay.objects.get(person=world.manager_a, date=TODAY)
    for response in responses:
        # Logged, refused by the form (already there), or sent to the day already logged.
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert response["Location"] == day.get_absolute_url()
    assert day.photos.count() == 1
