"""The background worker: reaps stalled jobs, then runs django-tasks-db's worker with the
scheduler (jobs/scheduler.py) ticking every minute beside it in a thread.

The scheduler is a thread of the worker rather than a task that queues itself again:
its state is the ScheduledRun rows, so a restart loses nothing and needs nothing queued
(a self-queuing chain breaks when a worker dies mid-task and doubles when two start),
and it adds no task row a minute to the queue's table.
"""

import os

from django.core.management import call_command
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.scheduler import Ticker


class Command(DbWorkerCommand):
    help = (
        "Reap stalled jobs, then run the database task worker (same options as db_worker) "
        "with the scheduled work ticking every minute beside it."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Do not run the scheduled work in this worker (--batch never does).",
        )

    def handle(self, *args, schedule=True, **options):
        call_command("reap_jobs", verbosity=options.get("verbosity", 1))
        ticker = None
        # With autoreload the parent process only watches files: the child ticks.
        in_worker_process = not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV)
        if schedule and not options.get("batch") and in_worker_process:
            ticker = Ticker()
            ticker.start()
        try:
            return super().handle(*args, **options)
        finally:
            if ticker is not None:
                ticker.stop()
