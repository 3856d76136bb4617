"""manage.py import_ledger FILE: a month's marketing extract into the ledger, all or nothing (docs/ledger-template.md)."""

from django.core.management.base import CommandError

from archives.management.commands.import_archives import summary
from archives.management.import_command import ImportCommand
from assessment import imports
from assessment.months import MonthClosed


class Command(ImportCommand):
    help = (
        "Import the marketing ledger from an .xlsx or .csv extract keyed on staff number: "
        "one row per person, month and item (one per household or terminal where activity "
        "qualifies it). Lines already in the ledger are replaced. If any row has a problem, "
        "or a row is of a closed month, nothing is written, the problems are listed row by "
        "row and the exit status is 1."
    )

    def run_import(self, fileobj, **kwargs):
        try:
            return imports.import_ledger(fileobj, **kwargs)
        except MonthClosed as closed:  # closed after its rows were read: nothing was written
            raise CommandError(str(closed)) from closed

    def summary(self, result):
        return summary(result)
