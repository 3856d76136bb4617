"""manage.py import_balances FILE: balances from the core-banking extract, all or nothing (docs/balances-template.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import balances, import_files
from archives.management.commands.import_archives import format_problem
from archives.models import User


class Command(BaseCommand):
    help = (
        "Import deposit and loan balances and their dates from an .xlsx or .csv core-banking "
        "extract keyed on ID number or credit code. If any row has a problem nothing is "
        "written, the problems are listed row by row and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="username recorded as the author of the changes")

    def handle(self, *args, file, dry_run, user, verbosity, **options):
        author = None
        if user:
            author = User.objects.filter(username=user).first()
            if author is None:
                raise CommandError(_("There is no user named %(name)s.") % {"name": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": file})
        progress = self.show_progress if verbosity > 1 else None
        try:
            with path.open("rb") as fileobj:
                result = balances.import_balances(
                    fileobj,
                    filename=path.name,
                    user=author,
                    today=timezone.localdate(),
                    now=timezone.now(),
                    dry_run=dry_run,
                    progress=progress,
                )
        except import_files.UnreadableFile as error:
            raise CommandError(str(error)) from None
        for problem in result.problems:
            self.stdout.write(format_problem(problem))
        if result.problem_count > len(result.problems):
            more = result.problem_count - len(result.problems)
            self.stdout.write(_("… and %(n)d more problems.") % {"n": more})
        self.stdout.write(
            _("Updated: %(updated)d, unchanged: %(unchanged)d, rows with problems: %(errors)d.")
            % {
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.error_rows,
            }
        )
        if not result.ok:
            raise CommandError(
                _("Nothing was imported: %(n)d rows have problems.") % {"n": result.error_rows}
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(_("Dry run: every row is correct and nothing was written yet."))
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def show_progress(self, done, total):
        self.stderr.write(f"{done}/{total}", ending="\r")
