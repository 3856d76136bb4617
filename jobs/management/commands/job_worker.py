"""The background worker: reaps jobs a dead worker left running, then runs django-tasks-db's."""

from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Reap stalled jobs, then run the database task worker (same options as db_worker)."

    def handle(self, *args, **options):
        call_command("reap_jobs", verbosity=options.get("verbosity", 1))
        return super().handle(*args, **options)
