"""Every archive, balance and ledger import job becomes a jobs.Job with the same id.

The ids are kept because ledger lines point at the job that wrote them
(assessment's import_job key is moved onto jobs.Job right after this). Going back,
assessment's 0005 has already put the rows back (its ledger key needs them first).
"""

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone

# A job still queued or running when this runs was queued under a task that no longer
# exists: it ends failed with its reason, never waiting for ever.
UNFINISHED = ("queued", "running")
STOPPED = "系统升级时此任务尚未完成，已停止，未保留任何结果。请重新提交。"

KINDS = {"archive": "archive_import", "balances": "balances_import", "ledger": "ledger_import"}


def forwards(apps, schema_editor):
    now = timezone.now()
    ImportJob = apps.get_model("archives", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    batch = []
    for old in ImportJob.objects.order_by("pk").iterator(chunk_size=1000):
        batch.append(
            Job(
                pk=old.pk,
                kind=KINDS[old.kind],
                status="failed" if old.status in UNFINISHED else old.status,
                subject=old.original_name,
                params={"dry_run": old.dry_run},
                input_file=old.file.name,
                started_from_id=old.confirms_id,
                done=old.processed_rows,
                total=old.total_rows,
                message=STOPPED if old.status in UNFINISHED else old.failure,
                result={
                    "created": old.created_count,
                    "updated": old.updated_count,
                    "unchanged": old.unchanged_count,
                },
                errors=old.errors,
                error_count=old.error_count,
                problem_count=old.problem_count,
                created_by_id=old.created_by_id,
                created_at=old.created_at,
                heartbeat_at=old.finished_at or old.created_at,
                finished_at=old.finished_at or (now if old.status in UNFINISHED else None),
            )
        )
    # The dry run a job confirms is always older, so inserting by id keeps the key valid.
    Job.objects.bulk_create(batch, batch_size=500)
    _reset_sequence(schema_editor, Job)


def backwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    copy_back_import_jobs(apps, schema_editor)
    Job.objects.filter(kind__in=KINDS.values()).delete()


def copy_back_import_jobs(apps, schema_editor):
    """The import jobs as archives.ImportJob rows again, under their ids (once)."""
    ImportJob = apps.get_model("archives", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    old_kinds = {new: old for old, new in KINDS.items()}
    existing = set(ImportJob.objects.values_list("pk", flat=True))
    rows = list(Job.objects.filter(kind__in=old_kinds).exclude(pk__in=existing).order_by("pk"))
    ImportJob.objects.bulk_create(
        (
            ImportJob(
                pk=job.pk,
                kind=old_kinds[job.kind],
                file=job.input_file.name,
                original_name=job.subject,
                created_by_id=job.created_by_id,
                dry_run=job.params.get("dry_run", True),
                confirms_id=job.started_from_id,
                status=job.status,
                total_rows=job.total,
                processed_rows=job.done,
                created_count=job.result.get("created", 0),
                updated_count=job.result.get("updated", 0),
                unchanged_count=job.result.get("unchanged", 0),
                error_count=job.error_count,
                errors=job.errors,
                problem_count=job.problem_count,
                failure=job.message,
                finished_at=job.finished_at,
            )
            for job in rows
        ),
        batch_size=500,
    )
    for job in rows:  # created_at is auto_now_add: set after the insert
        ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at)
    _reset_sequence(schema_editor, ImportJob)


def _reset_sequence(schema_editor, model):
    """After rows with explicit ids, PostgreSQL's sequence must move past them."""
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0007_search_indexes"),
        ("jobs", "0001_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
