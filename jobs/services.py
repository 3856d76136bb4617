"""Starting, running and reaping jobs: every job ends done or failed, never stays running."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registry
from .models import Job

logger = logging.getLogger(__name__)

UNEXPECTED = gettext_lazy(
    "The work stopped on an unexpected error and nothing was changed. "
    "The details are in the server log."
)


def start_job(
    *,
    kind: str,
    user,
    subject: str = "",
    params: dict | None = None,
    input_file=None,
    started_from: Job | None = None,
) -> Job:
    """Record a job of a registered kind and queue it; returns it as it stands after queueing."""
    registry.get(kind)  # an unknown kind is a programming error, raised before anything is saved
    job = Job.objects.create(
        kind=kind,
        subject=subject[:255],
        params=params or {},
        input_file=input_file or "",
        started_from=started_from,
        created_by=user,
    )
    from .tasks import run_job  # the task module imports this one

    try:
        run_job.enqueue(job.pk)
    except Exception:
        logger.exception("Job %s (%s) could not be queued", job.pk, kind)
        _fail(job.pk, _("The work could not be queued. Please try again."))
    job.refresh_from_db()  # an immediate backend has run it already
    return job


def run(job_id: int) -> None:
    """Run a queued job with its kind's runner; whatever happens, it ends done or failed."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return  # a task delivered twice must not run twice
    job = Job.objects.select_related("created_by").get(pk=job_id)
    rows = Job.objects.filter(pk=job_id)

    def progress(done: int, total: int) -> None:
        # Autocommit where the runner is outside a transaction: the page sees it at once.
        rows.update(done=done, total=total, heartbeat_at=timezone.now())

    try:
        outcome = registry.get(job.kind).run(job, progress)
        if outcome.file is not None:
            name, content = outcome.file
            job.result_file.save(name, ContentFile(content), save=False)
    except registry.JobFailed as error:
        _fail(job_id, str(error))
    except BaseException as error:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _fail(job_id, str(UNEXPECTED))
        if not isinstance(error, Exception):
            raise  # SystemExit, KeyboardInterrupt: the job is failed, the worker still stops
    else:
        _finish(job_id, rows, job, outcome)


def _finish(job_id, rows, job, outcome) -> None:
    """Record the outcome; if even that fails (a value the database refuses), fail the job."""
    try:
        # Unconditional: work that finished is done, even if the reaper gave up on it.
        # A savepoint, so that a refused value leaves a transaction around us usable.
        with transaction.atomic():
            rows.update(
                status=Job.Status.DONE,
                message="",
                result=outcome.result,
                errors=outcome.errors,
                error_count=outcome.error_count,
                problem_count=outcome.problem_count,
                result_file=job.result_file.name or "",
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )
    except Exception:
        logger.exception("Job %s (%s): its outcome could not be saved", job_id, job.kind)
        _fail(job_id, str(UNEXPECTED))


def purge_uploads(*, now: datetime.datetime, days: int | None = None) -> int:
    """Delete the uploaded files of jobs finished more than `days` ago; returns how many.

    A file is kept while any job using it (a dry run and the import that confirms it
    share one) is unfinished or finished more recently. The jobs stay, without file.
    """
    days = settings.UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = now - datetime.timedelta(days=days)
    with_file = Job.objects.exclude(input_file="")
    still_needed = with_file.exclude(finished_at__lt=cutoff).values_list("input_file", flat=True)
    expired = with_file.filter(finished_at__lt=cutoff).exclude(input_file__in=still_needed)
    names = set(expired.values_list("input_file", flat=True))
    storage = Job._meta.get_field("input_file").storage
    for name in names:
        storage.delete(name)
    Job.objects.filter(input_file__in=names).update(input_file="")
    if names:
        logger.info(
            "purge_uploads: %s uploaded file(s) older than %s days deleted", len(names), days
        )
    return len(names)


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message, finished_at=timezone.now()
    )


def reap_stale(*, now: datetime.datetime, minutes: int | None = None, jobs=None) -> int:
    """Mark failed the running jobs whose heartbeat stopped `minutes` ago; returns how many."""
    minutes = settings.JOB_HEARTBEAT_MINUTES if minutes is None else minutes
    queryset = (jobs if jobs is not None else Job.objects.all()).stale(now=now, minutes=minutes)
    return queryset.update(
        status=Job.Status.FAILED,
        message=_(
            "The work showed no progress for %(minutes)s minutes and was stopped: "
            "the worker running it has probably been restarted. Nothing of it was kept; "
            "please start it again."
        )
        % {"minutes": minutes},
        finished_at=now,
    )
