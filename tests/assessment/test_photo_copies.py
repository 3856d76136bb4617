"""Photos: a pixel limit, and the shown copy and thumbnail made once at upload, never per view."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from assessment import evidence
from assessment.models import EvidenceSettings, FieldDay, Photo
from tests.assessment.fieldwork_builders import good_photo, make_field_day, photo_bytes, upload
from tests.assessment.test_fieldwork import TODAY, form_data, post_field_day
from tests.conftest import login
from tests.storage import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _refuse(*args, **kwargs):
    raise AssertionError("a photo was decoded again")


def served(client, photo, query=""):
    response = client.get(reverse("assessment:photo", args=[photo.pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    return response.getvalue()


def test_the_shown_copy_and_thumbnail_are_made_at_upload(world):
    day = make_field_day(
        world.manager_a, [world.village_a], TODAY, [upload(photo_bytes(1, size=(1200, 900)))]
    )
    photo = day.photos.get()
    assert photo.served.name.endswith(".jpg")
    assert photo.thumbnail.name.endswith(".jpg")
    with photo.served.open("rb") as f:
        shown = Image.open(f)
        assert shown.size == (1200, 900)
        assert dict(shown.getexif()) == {}
    with photo.thumbnail.open("rb") as f:
        assert max(Image.open(f).size) == evidence.THUMBNAIL_EDGE


@pytest.fixture
def a_photo(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    return day.photos.get()


def as_before_the_copies(photo):
    """The photo as one stored before copies were made at upload."""
    for copy in (photo.served, photo.thumbnail):
        copy.storage.delete(copy.name)
    Photo.objects.filter(pk=photo.pk).update(served="", thumbnail="")


def test_views_serve_the_stored_copies_without_decoding_the_photo(world, a_photo, monkeypatch):
    with a_photo.served.open("rb") as f:
        shown = f.read()
    with a_photo.thumbnail.open("rb") as f:
        thumbnail = f.read()

    monkeypatch.setattr(Image, "open", _refuse)
    client = login(world.manager_a)
    for _view in range(2):
        assert served(client, a_photo) == shown
        assert served(client, a_photo, "?size=thumb") == thumbnail


def test_a_photo_stored_before_the_copies_gets_them_once_on_its_first_view(
    world, a_photo, monkeypatch
):
    as_before_the_copies(a_photo)
    client = login(world.manager_a)
    first = served(client, a_photo, "?size=thumb")
    a_photo.refresh_from_db()
    assert a_photo.thumbnail

    monkeypatch.setattr(Image, "open", _refuse)
    assert served(client, a_photo, "?size=thumb") == first
    assert served(client, a_photo)


def test_the_command_makes_the_copies_of_photos_stored_without_them(world, a_photo, media):
    as_before_the_copies(a_photo)
    out = io.StringIO()
    call_command("make_photo_copies", stdout=out)
    a_photo.refresh_from_db()
    assert a_photo.served
    assert a_photo.thumbnail
    assert "1" in out.getvalue()
    call_command("make_photo_copies", stdout=out)  # again: nothing left to do
    assert len(stored_files()) == 3


def test_a_photo_whose_file_is_gone_is_a_404(world, a_photo):
    as_before_the_copies(a_photo)
    a_photo.image.storage.delete(a_photo.image.name)
    response = login(world.manager_a).get(reverse("assessment:photo", args=[a_photo.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(("width", "refused"), [(1000, False), (1001, True)])
def test_a_png_above_the_pixel_limit_is_refused_with_nothing_stored(world, media, width, refused):
    EvidenceSettings.objects.create(max_pixels=1_000_000)
    png = upload(photo_bytes(3, fmt="PNG", size=(width, 1000)), "大图.png")

    response = post_field_day(login(world.manager_a), form_data(world), [png])

    if refused:
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["photos"])
        assert f"{width}×1000" in errors
        assert "1,000,000" in errors
        assert not FieldDay.objects.exists()
        assert stored_files() == []
    else:
        assert response.status_code == 302
        assert Photo.objects.get().width == 1000
