"""Assessment's background work as job kinds: the ledger import, the month's close and
its whole-bank XLSX and PDF."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.tasks import register_import
from jobs import registry, services
from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Outcome

from . import exports, statements
from .imports import SHEET as LEDGER_SHEET
from .imports import import_ledger

LEDGER_IMPORT = "ledger_import"
CLOSE = "month_close"
EXPORT_XLSX = "statements_xlsx"
EXPORT_PDF = "statements_pdf"
KINDS = (CLOSE, EXPORT_XLSX, EXPORT_PDF)

FILE_NAMES = {
    EXPORT_XLSX: "{month:%Y-%m}-考核报表.xlsx",
    EXPORT_PDF: "{month:%Y-%m}-考核报表.pdf",
}


def start_job(*, kind: str, month: datetime.date, user) -> Job:
    """Queue work on a month; a close of a closed month, or of one not yet reviewed, is refused at once."""
    if kind == CLOSE:
        statements.ensure_open(month)
        statements.ensure_closable(month)
    first = statements.month_start(month)
    return services.start_job(
        kind=kind, user=user, subject=f"{first:%Y-%m}", params={"month": first.isoformat()}
    )


def jobs_of_month(month: datetime.date):
    return Job.objects.filter(kind__in=KINDS, subject=f"{statements.month_start(month):%Y-%m}")


def _month(job) -> datetime.date:
    return datetime.date.fromisoformat(job.params["month"])


def run_close(job, progress) -> Outcome:
    try:
        statements.close_month(
            month=_month(job), user=job.created_by, now=timezone.now(), progress=progress
        )
    except (statements.MonthClosed, statements.StatementError) as error:
        raise JobFailed(str(error)) from error
    return Outcome()


def run_export(job, progress) -> Outcome:
    month = _month(job)
    try:
        result = statements.month_statements(month)
    except statements.StatementError as error:
        raise JobFailed(str(error)) from error
    progress(0, len(result.rows))
    if job.kind == EXPORT_XLSX:
        data = exports.month_workbook(result, progress=progress)
    else:
        data = exports.statements_pdf(result, progress=progress)
    return Outcome(file=(FILE_NAMES[job.kind].format(month=month), data))


def _head_office(user) -> bool:
    return user.is_head_office


def _back_to_month(job) -> str:
    month = _month(job)
    return reverse("assessment:month", args=[month.year, month.month])


_COMMON = {
    "can_view": _head_office,
    "result_template": "assessment/includes/statement_job_result.html",
    "back_url": _back_to_month,
    "back_label": _("Back to the month"),
    "unit": _("%(done)s of %(total)s statements"),
}
registry.register(JobKind(key=CLOSE, label=_("Close the month"), run=run_close, **_COMMON))
registry.register(
    JobKind(key=EXPORT_XLSX, label=_("Spreadsheet of the month"), run=run_export, **_COMMON)
)
registry.register(
    JobKind(key=EXPORT_PDF, label=_("PDF of every statement"), run=run_export, **_COMMON)
)


def _import_ledger(*args, **kwargs):
    """The ledger import as a job: a month closed under it fails the job with the reason."""
    try:
        return import_ledger(*args, **kwargs)
    except statements.MonthClosed as closed:
        raise JobFailed(str(closed)) from closed


register_import(
    key=LEDGER_IMPORT,
    label=_("Marketing ledger"),
    importer=_import_ledger,
    upload_url_name="assessment:ledger_import",
    takes_job=True,
    main_sheet=LEDGER_SHEET,
)
