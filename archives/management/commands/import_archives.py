"""manage.py import_archives FILE: import village archives from XLSX/CSV, all or nothing (docs/import-template.md)."""

from django.utils.translation import gettext as _

from archives import imports
from archives.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import village archives from an .xlsx or .csv file laid out as the import template. "
        "Every row is checked by the survey form's rules; if any row has a problem nothing is "
        "written, the problems are listed row by row and the exit status is 1."
    )

    def run_import(self, fileobj, **kwargs):
        return imports.import_archive(fileobj, **kwargs)

    def summary(self, result):
        return summary(result)


def summary(result):
    return _(
        "New: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, rows with problems: %(errors)d."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": result.error_rows,
    }
