"""Marks failed every running job whose heartbeat stopped (JOB_HEARTBEAT_MINUTES)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs import services


class Command(BaseCommand):
    help = "Mark failed the running jobs whose worker stopped reporting progress."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="Minutes without a heartbeat (default: the JOB_HEARTBEAT_MINUTES setting).",
        )

    def handle(self, *, minutes, verbosity, **options):
        reaped = services.reap_stale(now=timezone.now(), minutes=minutes)
        if verbosity:
            self.stdout.write(f"reap_jobs: {reaped} stalled job(s) marked failed")
