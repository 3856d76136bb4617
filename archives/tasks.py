"""File imports as job kinds: the archive and the core-banking balances (and, registered by
assessment through `register_import`, the marketing ledger). They share the upload page,
the dry run and its confirmation (archives/views/io.py) and the result fragment."""

from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs import registry, services
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Outcome

from . import balances, imports, movements, sheets
from .imports.annotate import annotated_workbook

ARCHIVE = "archive_import"
BALANCES = "balances_import"
MOVEMENTS = "movements_import"
CHANGES_SHOWN = 1000  # changes kept on the job for its page; the annotated file has more

# The kinds that are file imports: they have a dry run that a second job confirms.
IMPORT_KINDS: set[str] = set()


def _head_office(user) -> bool:
    return user.is_head_office


def may_import(user, kind: str) -> bool:
    """Whether a user may upload and confirm files of an import kind: its `can_view`."""
    return bool(user.is_authenticated and user.is_active and registry.get(kind).can_view(user))


def _heading(job) -> str:
    what = _("Dry run") if job.params.get("dry_run") else _("Import")
    return f"{what} · {job.kind_label}"


def register_import(
    *, key, label, importer, upload_url_name, takes_job=False, main_sheet=None, can_view=None
) -> JobKind:
    """Register a file import as a job kind.

    `importer(fileobj, *, filename, user, today, now, dry_run, progress[, job])` returns
    an ImportResult (archives/imports.py); `takes_job` passes the job, for importers
    that record on what they write which job wrote it. `main_sheet` is the sheet the
    importer reads first, for the annotated copy of the file. `can_view(user)` says who
    may upload, confirm and follow the kind's jobs: head office unless given.
    """

    def run(job, progress) -> Outcome:
        try:
            with job.input_file.open("rb") as fileobj:
                result = importer(
                    fileobj,
                    filename=job.subject,
                    user=job.created_by,
                    today=timezone.localdate(),
                    now=timezone.now(),
                    dry_run=job.params.get("dry_run", True),
                    progress=progress,
                    **({"job": job} if takes_job else {}),
                )
            annotated = None
            if result.problems or result.changes:
                with job.input_file.open("rb") as fileobj:
                    annotated = annotated_workbook(
                        fileobj,
                        job.subject,
                        main_sheet=main_sheet or sheets.CUSTOMER_SHEET,
                        result=result,
                    )
        except imports.UnreadableFile as error:
            raise JobFailed(str(error)) from error
        return Outcome(
            result={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "change_count": result.change_count,
                "changes": [c.as_dict() for c in result.changes[:CHANGES_SHOWN]],
                "stopped_at": result.stopped_at,
            },
            errors=[p.as_dict() for p in result.problems],
            error_count=result.error_rows,
            problem_count=result.problem_count,
            file=(annotated_name(job.subject), annotated) if annotated else None,
        )

    run.__qualname__ = f"run_{key}"
    IMPORT_KINDS.add(key)
    return registry.register(
        JobKind(
            key=key,
            label=label,
            run=run,
            can_view=can_view or _head_office,
            result_template="archives/includes/import_result.html",
            back_url=lambda job: reverse(upload_url_name),
            back_label=_("Import another file"),
            unit=_("%(done)s of %(total)s rows checked"),
            heading=_heading,
        )
    )


def annotated_name(subject: str) -> str:
    return f"{Path(subject).stem or 'import'}-核对.xlsx"


def start_import(*, kind, file, original_name, user, dry_run, confirms=None) -> Job:
    """Record an import job for an uploaded (or already stored) file and queue it."""
    return services.start_job(
        kind=kind,
        user=user,
        subject=original_name,
        params={"dry_run": dry_run},
        input_file=file,
        started_from=confirms,
    )


def can_be_confirmed(job) -> bool:
    """A finished dry run without errors, whose file is still kept, can be imported for real."""
    return bool(
        job.params.get("dry_run")
        and job.status == Job.Status.DONE
        and not job.error_count
        and job.input_file
    )


register_import(
    key=ARCHIVE,
    label=_("Archives"),
    importer=imports.import_archive,
    upload_url_name="archives:import_upload",
)
register_import(
    key=BALANCES,
    label=_("Balances"),
    importer=balances.import_balances,
    upload_url_name="archives:balances_import",
    main_sheet=balances.SHEET,
)
register_import(
    key=MOVEMENTS,
    label=_("Fund movements"),
    importer=movements.import_movements,
    upload_url_name="archives:movements_import",
    main_sheet=movements.SHEET,
)
