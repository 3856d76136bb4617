"""The background task that runs any job through its registered kind, and the jobs app's
own scheduled work: the reaper and the upload purge (jobs/schedule.py)."""

import datetime

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import schedule, services


@task
def run_job(job_id: int):
    services.run(job_id)


@task
def housekeeping():
    """Delete expired uploads. Kept so that a housekeeping task an earlier version queued
    still runs; the scheduled `purge_uploads` entry does this daily now."""
    services.purge_uploads(now=timezone.now())


def reap_jobs(now: datetime.datetime) -> str:
    reaped = services.reap_stale(now=now)
    return _("%(n)d stalled jobs marked failed.") % {"n": reaped}


def purge_uploads(now: datetime.datetime) -> str:
    deleted = services.purge_uploads(now=now)
    return _("%(n)d expired uploaded files deleted.") % {"n": deleted}


schedule.register(
    schedule.Scheduled(
        "reap_jobs",
        gettext_lazy("Stalled jobs reaped"),
        reap_jobs,
        every=datetime.timedelta(minutes=5),
        description=gettext_lazy(
            "Marks failed the background jobs whose worker stopped reporting progress."
        ),
    )
)
schedule.register(
    schedule.Scheduled(
        "purge_uploads",
        gettext_lazy("Expired uploads deleted"),
        purge_uploads,
        at=datetime.time(3, 0),
        description=gettext_lazy(
            "Deletes uploaded import files (they hold full ID numbers) once their "
            "retention period has passed."
        ),
    )
)
