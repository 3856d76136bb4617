"""manage.py import_movements FILE: the daily movement extract, all or nothing (docs/movements-template.md)."""

from django.utils.translation import gettext as _

from archives import movements
from archives.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the daily core-banking movement extract (.xlsx or .csv). If any row has a "
        "problem nothing is written, the problems are listed row by row and the exit status is 1."
    )

    def run_import(self, fileobj, **kwargs):
        return movements.import_movements(fileobj, **kwargs)

    def summary(self, result):
        return _(
            "New: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, rows with problems: %(errors)d."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.error_rows,
        }
