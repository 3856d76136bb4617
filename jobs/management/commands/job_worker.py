"""The background worker: reaps stalled jobs, deletes expired uploads, then runs django-tasks-db's.

Expired uploads are deleted at every start and then daily: the worker queues the
`housekeeping` task (jobs/tasks.py) for a day later, and that task queues itself again.
"""

from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.tasks import schedule_housekeeping


class Command(DbWorkerCommand):
    help = (
        "Reap stalled jobs, delete expired uploads (then daily), then run the database "
        "task worker (same options as db_worker)."
    )

    def handle(self, *args, **options):
        call_command("reap_jobs", verbosity=options.get("verbosity", 1))
        call_command("purge_uploads", verbosity=options.get("verbosity", 1))
        schedule_housekeeping()
        return super().handle(*args, **options)
