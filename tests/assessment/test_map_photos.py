"""The visit photos of a village as points of its map: where each was taken, for whoever
sees its field day, linking to the field day."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.assessment.fieldwork_builders import at, good_photo, make_field_day, photo_bytes, upload
from tests.conftest import login

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 5)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_at(seed, lat, lon):
    return upload(photo_bytes(seed, taken=at(DAY, 11), gps=(Decimal(lat), Decimal(lon))))


def points(user, village):
    response = login(user).get(reverse("assessment:village_photo_points", args=[village.pk]))
    assert response.status_code == 200
    return response.json()["points"]


def test_photos_with_a_place_are_points_linking_to_their_field_day(world):
    no_gps = upload(photo_bytes(3, taken=at(DAY)), "IMG_0003.jpg")
    day = make_field_day(
        world.manager_a,
        [world.village_a],
        DAY,
        [good_photo(DAY, 1), photo_at(2, "31.285000", "114.626000"), no_gps],
    )
    assert points(world.manager_a, world.village_a) == [
        {
            "lat": 31.28,
            "lon": 114.62,
            "label": "2026-11-05 manager_a",
            "detail": "10:00",
            "url": day.get_absolute_url(),
        },
        {
            "lat": 31.285,
            "lon": 114.626,
            "label": "2026-11-05 manager_a",
            "detail": "11:00",
            "url": day.get_absolute_url(),
        },
    ]


@pytest.mark.parametrize(
    ("role", "count"),
    [("manager_a", 1), ("manager_a2", 0), ("branch_head", 1), ("head_office", 1)],
)
def test_only_the_field_days_the_user_sees_give_points(world, role, count):
    make_field_day(world.manager_a, [world.village_a], DAY, [good_photo(DAY, 1)])
    # manager_b's day claims village B only: never on village A's map.
    make_field_day(world.manager_b, [world.village_b], DAY, [good_photo(DAY, 7)])
    assert len(points(getattr(world, role), world.village_a)) == count


def test_the_points_carry_no_file_name_and_no_photo_address(world):
    make_field_day(world.manager_a, [world.village_a], DAY, [good_photo(DAY, 1, "张三家.jpg")])
    response = login(world.manager_a).get(
        reverse("assessment:village_photo_points", args=[world.village_a.pk])
    )
    assert "张三家" not in response.text
    assert "/photos/" not in response.text


@pytest.mark.parametrize("photos", [1, 4])
def test_the_photo_points_cost_the_same_queries_whatever_the_photos(
    world, photos, django_assert_num_queries
):
    make_field_day(
        world.manager_a,
        [world.village_a],
        DAY,
        [photo_at(10 + n, "31.28", f"114.62{n}") for n in range(photos)],
    )
    client = login(world.branch_head)
    # session, user, village (with the user's branches), the photos
    with django_assert_num_queries(4):
        response = client.get(reverse("assessment:village_photo_points", args=[world.village_a.pk]))
    assert len(response.json()["points"]) == photos
