"""The one background task: it runs any job through its registered kind."""

from django.tasks import task

from . import services


@task
def run_job(job_id: int):
    services.run(job_id)
