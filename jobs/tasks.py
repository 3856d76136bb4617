"""The background tasks: one runs any job through its registered kind; one keeps house daily."""

import datetime

from django.tasks import task
from django.utils import timezone

from . import services

HOUSEKEEPING_EVERY = datetime.timedelta(days=1)


@task
def run_job(job_id: int):
    services.run(job_id)


@task
def housekeeping():
    """Delete expired uploads, then queue itself again for tomorrow (job_worker starts it)."""
    services.purge_uploads(now=timezone.now())
    schedule_housekeeping(force=True)


def schedule_housekeeping(*, force: bool = False) -> bool:
    """Queue the daily housekeeping unless one is queued already; whether it queued one.

    Only a backend that runs tasks later (the database one) can hold it for a day.
    """
    if not housekeeping.get_backend().supports_defer:
        return False
    if not force and _housekeeping_queued():
        return False
    housekeeping.using(run_after=timezone.now() + HOUSEKEEPING_EVERY).enqueue()
    return True


def _housekeeping_queued() -> bool:
    """A housekeeping task waits in the queue (due now or later)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=housekeeping.module_path
    ).exists()
