"""File imports as job kinds: the archive and the core-banking balances (and, registered by
assessment through `register_import`, the marketing ledger). They share the upload page,
the dry run and its confirmation (archives/views/io.py) and the result fragment.
The archive export of a village or a branch is a job kind too ("archive_export")."""

from pathlib import Path

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs import registry, services
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Outcome

from . import balances, exports, imports, movements, sheets
from .audit import AccessAction, record_access
from .imports.annotate import annotated_workbook
from .models import Branch, Customer, Village

ARCHIVE = "archive_import"
BALANCES = "balances_import"
MOVEMENTS = "movements_import"
EXPORT = "archive_export"
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


# ---- The archive export ------------------------------------------------------------------


def start_export(*, user, village=None, branch=None, address=None) -> Job:
    """Queue the export of a village's or a branch's archive (the caller checked the scope).

    The client's address is kept for the access log row the job writes when it is done.
    """
    place = village or branch
    params = {"village": village.pk} if village else {"branch": branch.pk}
    return services.start_job(
        kind=EXPORT, user=user, subject=place.name, params={**params, "address": address}
    )


def _customers_to_export(job):
    """The job's village or branch, looked up again in its starter's scope as it is now."""
    user, params = job.created_by, job.params
    if user is None or not user.is_active:
        raise JobFailed(_("The person who started this export can no longer sign in."))
    if "village" in params:
        village = Village.objects.visible_to(user).filter(pk=params["village"]).first()
        if village is None:
            raise JobFailed(_("This village is no longer yours to export."))
        return Customer.objects.filter(village=village)
    branch = Branch.objects.overseen_by(user).filter(pk=params["branch"]).first()
    if branch is None:
        raise JobFailed(_("This branch is no longer yours to export."))
    return Customer.objects.filter(village__township__branch=branch)


def run_export(job, progress) -> Outcome:
    """Write the archive; the access log keeps who exported what, and how many customers."""
    exported = exports.export_archive(_customers_to_export(job), progress=progress)
    now = timezone.now()
    record_access(
        action=AccessAction.EXPORTED,
        now=now,
        user=job.created_by,
        address=job.params.get("address"),
        detail=_("%(place)s: %(count)d customers")
        % {"place": job.subject, "count": exported.customer_count},
    )
    name = _("%(place)s archive %(date)s") % {
        "place": job.subject,
        "date": timezone.localdate(now).strftime("%Y%m%d"),
    }
    return Outcome(
        result={"customers": exported.customer_count, "members": exported.member_count},
        file=(f"{name}.xlsx", exported.data),
    )


def _may_export(user) -> bool:
    return user.is_authenticated and user.is_active


def _own_jobs(user) -> Q:
    """An export is its starter's alone: anyone else, head office included, gets a 404."""
    return Q(created_by=user)


def _back_from_export(job) -> str:
    if "village" in job.params:
        return reverse("archives:village", args=[job.params["village"]])
    return reverse("archives:villages")


registry.register(
    JobKind(
        key=EXPORT,
        label=_("Archive export"),
        run=run_export,
        can_view=_may_export,
        scope=_own_jobs,
        result_template="archives/includes/export_result.html",
        back_url=_back_from_export,
        unit=_("%(done)s of %(total)s rows written"),
    )
)
