"""Uploaded import files: random names, readable by the server's user only, deleted in time.

Before, an uploaded archive (full ID numbers) stayed forever under its own name, mode
0644 (world-readable), in MEDIA_ROOT. Files are reached through the storage API, so
these run on the filesystem (SQLite pass) and on S3 (PostgreSQL pass); the file mode
is the filesystem backend's, checked on it whichever pass runs.
"""

import datetime
import stat
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jobs import scheduler, tasks
from jobs.models import Job, ScheduledRun
from tests.archives.test_import import row, upload, xlsx
from tests.conftest import login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_uploaded_file_has_a_random_name(world, media):
    response = upload(login(world.head_office), xlsx([row(world.village_a)]), name="红安档案.xlsx")
    job = Job.objects.get()
    assert response.status_code == 302
    assert default_storage.exists(job.input_file.name)
    assert "红安档案" not in job.input_file.name
    stem, _, suffix = job.input_file.name.rpartition("/")[2].partition(".")
    assert suffix == "xlsx"
    assert len(stem) == 32  # a uuid4, not guessable
    assert job.subject == "红安档案.xlsx"  # the page still names the file as uploaded


def test_on_the_filesystem_an_uploaded_file_is_mode_0600(world, media, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    upload(login(world.head_office), xlsx([row(world.village_a)]), name="红安档案.xlsx")
    stored = media / Job.objects.get().input_file.name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


def finished_job(world, *, days_ago, name, status=Job.Status.DONE, started_from=None):
    job = Job.objects.create(
        kind="archive_import",
        subject=f"{name}.xlsx",
        params={"dry_run": started_from is None},
        status=status,
        created_by=world.head_office,
        started_from=started_from,
        finished_at=None
        if days_ago is None
        else timezone.now() - datetime.timedelta(days=days_ago),
    )
    if started_from is not None:
        job.input_file = started_from.input_file.name  # a confirmation reuses its dry run's file
        job.save()
    else:
        job.input_file.save(f"{name}.xlsx", ContentFile(b"PK"))
    return job


@pytest.mark.parametrize(
    ("days_ago", "deleted"),
    [
        (None, False),  # still running
        (0, False),
        (29.99, False),
        (30.01, True),  # just past the 30 days
        (365, True),
    ],
)
def test_purge_uploads_deletes_files_of_jobs_finished_more_than_30_days_ago(
    world, media, days_ago, deleted
):
    job = finished_job(world, days_ago=days_ago, name="a")
    name = job.input_file.name
    out = StringIO()
    call_command("purge_uploads", stdout=out)
    job.refresh_from_db()
    assert default_storage.exists(name) is not deleted
    assert (job.input_file.name == "") is deleted
    assert f"{int(deleted)} uploaded file(s) deleted" in out.getvalue()


def test_the_retention_is_a_setting(world, media, settings):
    settings.UPLOAD_RETENTION_DAYS = 7
    job = finished_job(world, days_ago=8, name="a")
    call_command("purge_uploads", stdout=StringIO())
    job.refresh_from_db()
    assert job.input_file.name == ""


def test_a_dry_runs_file_stays_while_its_confirmation_is_recent(world, media):
    dry_run = finished_job(world, days_ago=40, name="a")
    confirmation = finished_job(world, days_ago=3, name="a", started_from=dry_run)
    call_command("purge_uploads", stdout=StringIO())
    dry_run.refresh_from_db()
    confirmation.refresh_from_db()
    assert default_storage.exists(dry_run.input_file.name)
    assert dry_run.input_file.name == confirmation.input_file.name != ""


def test_a_dry_run_whose_file_was_deleted_can_no_longer_be_confirmed(world, media):
    dry_run = finished_job(world, days_ago=40, name="a")
    call_command("purge_uploads", stdout=StringIO())
    response = login(world.head_office).post(reverse("archives:import_confirm", args=[dry_run.pk]))
    assert response.status_code == 302
    assert Job.objects.count() == 1  # nothing started


def test_the_scheduler_purges_expired_uploads_daily_at_three(world, media):
    job = finished_job(world, days_ago=31, name="a")
    # The next 03:00 in Shanghai: a fixed date would fall more than a day after the job
    # (finished 31 days before the real now) once the test runs late in that day.
    tomorrow = timezone.now().astimezone(SHANGHAI) + datetime.timedelta(days=1)
    at_three = tomorrow.replace(hour=3, minute=0, second=0, microsecond=0)
    ScheduledRun.objects.create(key="purge_uploads", next_due=at_three)

    early = scheduler.tick(now=at_three - datetime.timedelta(seconds=1))
    assert "purge_uploads" not in [r.key for r in early]
    (ran,) = [r for r in scheduler.tick(now=at_three) if r.key == "purge_uploads"]

    assert ran.outcome == "done"
    job.refresh_from_db()
    assert job.input_file.name == ""
    state = ScheduledRun.objects.get(key="purge_uploads")
    assert state.next_due == at_three + datetime.timedelta(days=1)
    assert "1" in state.message


def test_an_old_housekeeping_task_still_purges_without_queuing_itself(world, media):
    job = finished_job(world, days_ago=31, name="a")
    tasks.housekeeping.call()
    job.refresh_from_db()
    assert job.input_file.name == ""
