"""Deletes uploaded import files UPLOAD_RETENTION_DAYS after their job finished."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs import services


class Command(BaseCommand):
    help = "Delete the uploaded files of jobs that finished more than UPLOAD_RETENTION_DAYS ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after a job finished (default: the UPLOAD_RETENTION_DAYS setting).",
        )

    def handle(self, *, days, verbosity, **options):
        if days is not None and days < 1:
            self.stderr.write("purge_uploads: --days must be at least 1")
            raise SystemExit(2)
        deleted = services.purge_uploads(now=timezone.now(), days=days)
        if verbosity:
            self.stdout.write(f"purge_uploads: {deleted} uploaded file(s) deleted")
