"""Background work on a month's statements: the close and the whole-bank exports, with progress."""

import datetime
import logging

from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exports, statements
from .models import StatementJob

logger = logging.getLogger(__name__)

FILE_NAMES = {
    StatementJob.Kind.EXPORT_XLSX: "{month:%Y-%m}-考核报表.xlsx",
    StatementJob.Kind.EXPORT_PDF: "{month:%Y-%m}-考核报表.pdf",
}


def start_job(*, kind, month: datetime.date, user, now: datetime.datetime) -> StatementJob:
    """Record a job on the month and queue it; a close of a closed month is refused at once."""
    if kind == StatementJob.Kind.CLOSE:
        statements.ensure_open(month)
    job = StatementJob.objects.create(
        kind=kind, month=statements.month_start(month), created_by=user, created_at=now
    )
    run_statement_job.enqueue(job.pk)
    job.refresh_from_db()  # an immediate backend has run it already
    return job


@task
def run_statement_job(job_id: int):
    job = StatementJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != StatementJob.Status.QUEUED:
        return  # a task delivered twice must not run twice
    jobs = StatementJob.objects.filter(pk=job.pk)
    jobs.update(status=StatementJob.Status.RUNNING)

    def progress(done, total):
        jobs.update(done=done, total=total)

    try:
        if job.kind == StatementJob.Kind.CLOSE:
            statements.close_month(
                month=job.month, user=job.created_by, now=timezone.now(), progress=progress
            )
        else:
            result = statements.month_statements(job.month)
            progress(0, len(result.rows))
            if job.kind == StatementJob.Kind.EXPORT_XLSX:
                data = exports.month_workbook(result, progress=progress)
            else:
                data = exports.statements_pdf(result, progress=progress)
            job.file.save(
                FILE_NAMES[job.kind].format(month=job.month), ContentFile(data), save=False
            )
            jobs.update(file=job.file.name)
    except (statements.MonthClosed, statements.StatementError) as error:
        jobs.update(status=StatementJob.Status.FAILED, error=str(error), finished_at=timezone.now())
    except Exception:
        logger.exception("Statement job %s (%s) failed", job.pk, job.kind)
        jobs.update(
            status=StatementJob.Status.FAILED,
            error=_(
                "The work stopped on an unexpected error and nothing was changed. "
                "The details are in the server log."
            ),
            finished_at=timezone.now(),
        )
    else:
        jobs.update(status=StatementJob.Status.DONE, finished_at=timezone.now())
