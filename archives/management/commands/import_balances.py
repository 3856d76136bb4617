"""manage.py import_balances FILE: balances from the core-banking extract, all or nothing (docs/balances-template.md)."""

from django.utils.translation import gettext as _

from archives import balances
from archives.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import deposit and loan balances and their dates from an .xlsx or .csv core-banking "
        "extract keyed on ID number or credit code. If any row has a problem nothing is "
        "written, the problems are listed row by row and the exit status is 1."
    )

    def run_import(self, fileobj, **kwargs):
        return balances.import_balances(fileobj, **kwargs)

    def summary(self, result):
        return _(
            "Updated: %(updated)d, unchanged: %(unchanged)d, rows with problems: %(errors)d."
        ) % {"updated": result.updated, "unchanged": result.unchanged, "errors": result.error_rows}
