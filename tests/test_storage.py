"""Stored files through Django's storage API, on the backend the settings choose.

The SQLite pass of `make test` stores on the filesystem (MEDIA_ROOT), the PostgreSQL
pass in an S3 bucket of a server scripts/with-s3.sh starts on loopback. Each test goes
through the pages: a photo uploaded on the field-day page and served by the photo page,
an export made by a job and downloaded from its page, an uploaded import file purged.
"""

import datetime
import io
import runpy
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from assessment.models import FieldDay
from jobs.models import Job
from tests.archives.test_import import row, upload, xlsx
from tests.assessment import test_exports
from tests.assessment.fieldwork_builders import good_photo
from tests.assessment.test_fieldwork import TODAY, form_data, post_field_day
from tests.conftest import login
from tests.storage import S3, on_s3, stored_files

october = test_exports.october  # the month of the export tests (a fixture)

SETTINGS = Path(django_settings.BASE_DIR) / "hongan_visits" / "settings.py"
S3_VARIABLES = (
    "STORAGE_BACKEND",
    "S3_ENDPOINT_URL",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_ADDRESSING_STYLE",
    "S3_PREFIX",
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def in_the_store(settings, media, name) -> bool:
    """Whether `name` is where the backend keeps it, asked of the store itself (S3's own
    client, or the disk), not through Django's storage."""
    if not on_s3(settings.STORAGES):
        return (media / name).is_file()
    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    key = f"{options['location']}/{name}"
    listed = client.list_objects_v2(Bucket=options["bucket_name"], Prefix=key)
    return [entry["Key"] for entry in listed.get("Contents", [])] == [key]


# --- The backend in use -------------------------------------------------------------


def test_the_postgresql_pass_of_make_test_stores_in_s3(settings):
    """`make test` runs PostgreSQL with scripts/with-s3.sh: a run without it would test
    the filesystem twice and S3 never, so it fails here rather than pass unnoticed."""
    if connection.vendor == "postgresql":
        assert settings.STORAGES["default"]["BACKEND"] == S3, (
            "the PostgreSQL pass runs with its files in S3: run it as `make test-postgres` "
            "(scripts/with-postgres.sh scripts/with-s3.sh ...)"
        )
    else:
        assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


# --- Through the pages, on the backend in use -----------------------------------------


@pytest.mark.django_db
def test_a_photo_uploaded_on_the_field_day_page_is_stored_and_served(world, media, settings):
    client = login(world.manager_a)
    response = post_field_day(client, form_data(world), [good_photo(TODAY, 1, "IMG_0001.jpg")])
    assert response.status_code == 302
    photo = FieldDay.objects.get().photos.get()
    names = [photo.image.name, photo.served.name, photo.thumbnail.name]
    assert stored_files() == sorted(names)
    assert all(in_the_store(settings, media, name) for name in names)

    served = client.get(reverse("assessment:photo", args=[photo.pk]))
    assert served.status_code == 200
    picture = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert picture.size == (320, 240)
    assert dict(picture.getexif()) == {}  # the copy without EXIF, not the upload
    thumb = client.get(reverse("assessment:photo", args=[photo.pk]) + "?size=thumb")
    assert b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    assert login(world.manager_c).get(served.request["PATH_INFO"]).status_code == 404


@pytest.mark.django_db
def test_an_export_is_stored_by_its_job_and_downloaded_from_its_page(october, media, settings):
    job, data = test_exports.run_export(october, "export_xlsx")
    assert in_the_store(settings, media, job.result_file.name)
    with default_storage.open(job.result_file.name, "rb") as stored:
        assert stored.read() == data
    assert load_workbook(io.BytesIO(data)).sheetnames[0] == "全行汇总"

    login(october.head_office).post(reverse("assessment:export_xlsx", args=[2026, 10]))
    again = Job.objects.filter(kind="statements_xlsx").exclude(pk=job.pk).get()
    # The month exported again: the same file name gets its own key, the first is kept.
    assert again.result_file.name != job.result_file.name
    assert in_the_store(settings, media, job.result_file.name)
    assert in_the_store(settings, media, again.result_file.name)


@pytest.mark.django_db
def test_an_uploaded_import_file_is_kept_then_purged(world, media, settings):
    response = upload(login(world.head_office), xlsx([row(world.village_a)]), name="档案.xlsx")
    assert response.status_code == 302
    job = Job.objects.get()
    name = job.input_file.name
    assert job.status == Job.Status.DONE
    assert in_the_store(settings, media, name)

    call_command("purge_uploads", stdout=StringIO())
    assert in_the_store(settings, media, name)  # its job finished today: kept

    Job.objects.update(finished_at=timezone.now() - datetime.timedelta(days=31))
    call_command("purge_uploads", stdout=StringIO())
    job.refresh_from_db()
    assert job.input_file.name == ""
    assert not in_the_store(settings, media, name)
    assert stored_files("jobs") == []


# --- The settings ---------------------------------------------------------------------


def load(monkeypatch, **env):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "false")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


S3_ENV = {
    "STORAGE_BACKEND": "s3",
    "S3_ENDPOINT_URL": "https://oss-cn-wuhan-lr.aliyuncs.com",
    "S3_BUCKET": "hongan-visits",
    "S3_ACCESS_KEY_ID": "key-id",
    "S3_SECRET_ACCESS_KEY": "key-secret",
    "S3_REGION": "cn-wuhan-lr",
}


def test_the_default_is_the_filesystem_under_media_root(monkeypatch):
    s = load(monkeypatch)
    assert s["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert s["FILE_UPLOAD_PERMISSIONS"] == 0o600


def test_s3_is_configured_from_the_environment(monkeypatch):
    s = load(monkeypatch, **S3_ENV, S3_PREFIX="/hongan/")
    default = s["STORAGES"]["default"]
    assert default["BACKEND"] == S3
    options = default["OPTIONS"]
    assert options["bucket_name"] == "hongan-visits"
    assert options["endpoint_url"] == "https://oss-cn-wuhan-lr.aliyuncs.com"
    assert options["region_name"] == "cn-wuhan-lr"
    assert (options["access_key"], options["secret_key"]) == ("key-id", "key-secret")
    assert options["location"] == "hongan"
    assert options["file_overwrite"] is False  # a second export never replaces the first
    assert options["default_acl"] is None  # private: served only through the pages
    assert options["client_config"].s3 == {"addressing_style": "virtual"}  # OSS, COS
    path_style = load(monkeypatch, **S3_ENV, S3_ADDRESSING_STYLE="path")
    assert path_style["STORAGES"]["default"]["OPTIONS"]["client_config"].s3 == {
        "addressing_style": "path"
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be filesystem or s3"),
        ({**S3_ENV, "S3_BUCKET": ""}, "needs S3_BUCKET"),
        (
            {**S3_ENV, "S3_ACCESS_KEY_ID": "", "S3_SECRET_ACCESS_KEY": ""},
            "needs S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY",
        ),
        ({**S3_ENV, "S3_ADDRESSING_STYLE": "auto"}, "S3_ADDRESSING_STYLE must be virtual or path"),
    ],
    ids=["unknown backend", "no bucket", "no keys", "unknown addressing style"],
)
def test_a_wrong_storage_setting_stops_the_start(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load(monkeypatch, **env)
