"""manage.py import_credit_figures FILE: corporate figures from core banking, all or nothing (docs/credit-figures-template.md)."""

from django.utils.translation import gettext as _

from archives.management.import_command import ImportCommand
from credit.imports import import_figures


class Command(ImportCommand):
    help = (
        "Import corporate customers' figures per period from an .xlsx or .csv core-banking "
        "extract keyed on the unified social credit code. If any row has a problem nothing is "
        "written, the problems are listed row by row and the exit status is 1."
    )

    def run_import(self, fileobj, **kwargs):
        return import_figures(fileobj, **kwargs)

    def summary(self, result):
        return _(
            "New: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, rows with problems: %(errors)d."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.error_rows,
        }
