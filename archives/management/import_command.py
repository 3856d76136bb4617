"""The shared shape of the `import_*` commands: a file in, a row-by-row report out, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import imports
from archives.models import User


def format_problem(problem):
    return _("%(sheet)s row %(row)d, column %(column)s: %(message)s") % {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column or "—",
        "message": problem.message,
    }


class ImportCommand(BaseCommand):
    """Subclasses say how to import (`run_import`) and how to sum a result up (`summary`)."""

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="username recorded as the author of the changes")

    def run_import(self, fileobj, **kwargs):
        raise NotImplementedError

    def summary(self, result) -> str:
        raise NotImplementedError

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
                result = self.run_import(
                    fileobj,
                    filename=path.name,
                    user=author,
                    today=timezone.localdate(),
                    now=timezone.now(),
                    dry_run=dry_run,
                    progress=progress,
                )
        except imports.UnreadableFile as error:
            raise CommandError(str(error)) from None
        for problem in result.problems:
            self.stdout.write(format_problem(problem))
        if result.problem_count > len(result.problems):
            more = result.problem_count - len(result.problems)
            self.stdout.write(_("… and %(n)d more problems.") % {"n": more})
        self.stdout.write(self.summary(result))
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
