"""Background tasks of the archive: an import job runs here and records its progress as it goes."""

import logging

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.imports import import_ledger

from . import balances, imports
from .models import ImportJob

logger = logging.getLogger(__name__)

# Which import reads a job's file; each takes the same arguments and returns an ImportResult.
IMPORTERS = {
    ImportJob.Kind.ARCHIVE: imports.import_archive,
    ImportJob.Kind.BALANCES: balances.import_balances,
    ImportJob.Kind.LEDGER: import_ledger,
}
# Importers that record on what they write which job wrote it.
TAKES_JOB = {ImportJob.Kind.LEDGER}


def start_import(
    *, file, original_name, user, dry_run, confirms=None, kind=ImportJob.Kind.ARCHIVE
) -> ImportJob:
    """Record an import job for an uploaded (or already stored) file and queue it."""
    job = ImportJob.objects.create(
        kind=kind,
        file=file,
        original_name=original_name[:255],
        created_by=user,
        dry_run=dry_run,
        confirms=confirms,
    )
    run_import.enqueue(job.pk)
    job.refresh_from_db()  # an immediate backend has run it already
    return job


@task
def run_import(job_id: int):
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return  # a task delivered twice must not import twice
    jobs = ImportJob.objects.filter(pk=job.pk)
    jobs.update(status=ImportJob.Status.RUNNING)

    def progress(done, total):
        # Autocommit, outside the import's transaction: the job page sees it at once.
        jobs.update(processed_rows=done, total_rows=total)

    try:
        with job.file.open("rb") as fileobj:
            result = IMPORTERS[job.kind](
                fileobj,
                filename=job.original_name,
                user=job.created_by,
                today=timezone.localdate(),
                now=timezone.now(),
                dry_run=job.dry_run,
                progress=progress,
                **({"job": job} if job.kind in TAKES_JOB else {}),
            )
    except imports.UnreadableFile as error:
        jobs.update(status=ImportJob.Status.FAILED, failure=str(error), finished_at=timezone.now())
    except Exception:
        logger.exception("Import job %s (%s) failed", job.pk, job.kind)
        jobs.update(
            status=ImportJob.Status.FAILED,
            failure=_(
                "The import stopped on an unexpected error and nothing was written. The details are in the server log."
            ),
            finished_at=timezone.now(),
        )
    else:
        jobs.update(
            status=ImportJob.Status.DONE,
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            error_count=result.error_rows,
            problem_count=result.problem_count,
            errors=[p.as_dict() for p in result.problems],
            finished_at=timezone.now(),
        )
