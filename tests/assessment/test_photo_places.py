"""The phone's location sent with each photo by the field-day page: read, stored, checked, shown."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import EvidenceSettings, FieldDay, Finding
from tests.assessment.fieldwork_builders import at, good_photo, photo_bytes, upload
from tests.conftest import login
from tests.storage import stored_files

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FAR_LAT = "31.400000"  # 13.3 km north of the village
NEAR_LAT = "31.281000"
VILLAGE_LON = "114.620000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def no_gps_photo(seed: int):
    """As a phone's file input hands it over: the capture time kept, the GPS stripped."""
    return upload(photo_bytes(seed, taken=at(TODAY)), f"IMG_{seed:04d}.jpg")


def post(client, world, photos, *, headers=None, **device):
    data = {
        "date": TODAY.isoformat(),
        "villages": [world.village_a.pk],
        "households_visited": 4,
        "diary": "走访A村4户。",
        "photos": photos,
        **device,
    }
    return client.post(reverse("assessment:field_day_log"), data, headers=headers or {})


def test_each_photo_is_stored_with_the_phones_location_sent_beside_it(world):
    client = login(world.manager_a)
    response = post(
        client,
        world,
        [no_gps_photo(1), no_gps_photo(2), no_gps_photo(3)],
        device_latitude=[NEAR_LAT, "", "31.2812345"],
        device_longitude=[VILLAGE_LON, "", "114.6200004"],
        device_accuracy_m=["12.2", "", "30"],
    )
    assert response.status_code == 302
    photos = list(FieldDay.objects.get().photos.order_by("pk"))
    assert [(p.device_latitude, p.device_longitude, p.device_accuracy_m) for p in photos] == [
        (Decimal(NEAR_LAT), Decimal(VILLAGE_LON), 13),  # metres rounded up: never surer than said
        (None, None, None),  # the phone gave none for this one
        (Decimal("31.281235"), Decimal("114.620000"), 30),
    ]
    assert [p.unverified for p in photos] == [False, False, False]  # each has its capture time
    assert not Finding.objects.exists()

    page = client.get(photos[0].field_day.get_absolute_url()).text
    assert "手机定位 ±13米" in page
    assert "手机定位 ±30米" in page
    assert "无定位" in page


def test_without_the_pages_script_no_location_is_sent_and_the_form_works_as_before(world):
    response = post(login(world.manager_a), world, [good_photo(TODAY, 1), no_gps_photo(2)])
    assert response.status_code == 302
    photos = list(FieldDay.objects.get().photos.order_by("pk"))
    assert [p.place_source for p in photos] == ["exif", ""]
    assert all(p.device_accuracy_m is None for p in photos)
    page = login(world.manager_a).get(photos[0].field_day.get_absolute_url()).text
    assert "照片GPS" in page


@pytest.mark.parametrize(
    "device",
    [
        # One location for two photos: which photo is it?
        {
            "device_latitude": [NEAR_LAT],
            "device_longitude": [VILLAGE_LON],
            "device_accuracy_m": ["9"],
        },
        # A latitude without its longitude.
        {
            "device_latitude": [NEAR_LAT, ""],
            "device_longitude": ["", ""],
            "device_accuracy_m": ["9", ""],
        },
        {
            "device_latitude": ["91", ""],
            "device_longitude": [VILLAGE_LON, ""],
            "device_accuracy_m": ["9", ""],
        },
        {
            "device_latitude": ["北纬31", ""],
            "device_longitude": [VILLAGE_LON, ""],
            "device_accuracy_m": ["9", ""],
        },
        {
            "device_latitude": [NEAR_LAT, ""],
            "device_longitude": [VILLAGE_LON, ""],
            "device_accuracy_m": ["-1", ""],
        },
        {
            "device_latitude": ["NaN", ""],
            "device_longitude": [VILLAGE_LON, ""],
            "device_accuracy_m": ["9", ""],
        },
        {
            "device_latitude": [NEAR_LAT, ""],
            "device_longitude": [VILLAGE_LON, ""],
            "device_accuracy_m": ["Infinity", ""],
        },
    ],
)
def test_a_location_that_does_not_read_refuses_the_form_and_saves_nothing(world, media, device):
    response = post(login(world.manager_a), world, [no_gps_photo(1), no_gps_photo(2)], **device)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert "手机定位" in errors[0]
    assert not FieldDay.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("limit", "accuracy", "flagged"),
    [(200, "199.5", True), (200, "200", True), (200, "200.01", False), (500, "201", True)],
)
def test_head_office_sets_how_coarse_a_phone_location_may_be_and_still_raise_too_far(
    world, limit, accuracy, flagged
):
    EvidenceSettings.objects.create(max_device_accuracy_m=limit)
    post(
        login(world.manager_a),
        world,
        [no_gps_photo(1)],
        device_latitude=[FAR_LAT],
        device_longitude=[VILLAGE_LON],
        device_accuracy_m=[accuracy],
    )
    photo = FieldDay.objects.get().photos.get()
    kinds = list(photo.findings.values_list("kind", flat=True))
    assert kinds == (["too_far"] if flagged else [])
    if flagged:
        assert f"±{photo.device_accuracy_m}米" in photo.findings.get().detail


def test_the_pages_script_is_told_where_to_go_and_the_success_message_waits_for_it(world):
    client = login(world.manager_a)
    response = post(
        client, world, [no_gps_photo(1)], headers={"X-Requested-With": "XMLHttpRequest"}
    )
    field_day = FieldDay.objects.get()
    assert response.status_code == 200
    assert json.loads(response.content) == {"location": field_day.get_absolute_url()}
    page = client.get(field_day.get_absolute_url())
    assert "msg-success" in page.text


def test_a_form_error_answers_the_pages_script_with_the_form_page(world):
    response = post(
        login(world.manager_a),
        world,
        [no_gps_photo(1)],
        headers={"X-Requested-With": "XMLHttpRequest"},
        diary="",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'id="field-day-form"' in response.text
    assert "diary" in response.context["form"].errors
    assert not FieldDay.objects.exists()
