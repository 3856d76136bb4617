"""Every archive, balance and ledger import job becomes a jobs.Job with the same id.

The ids are kept because ledger lines point at the job that wrote them
(assessment's import_job key is moved onto jobs.Job right after this). One way only:
going back would need the ledger's key moved back before the rows exist again.
"""

from django.core.management.color import no_style
from django.db import migrations

KINDS = {"archive": "archive_import", "balances": "balances_import", "ledger": "ledger_import"}


def forwards(apps, schema_editor):
    ImportJob = apps.get_model("archives", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    batch = []
    for old in ImportJob.objects.order_by("pk").iterator(chunk_size=1000):
        batch.append(
            Job(
                pk=old.pk,
                kind=KINDS[old.kind],
                status=old.status,
                subject=old.original_name,
                params={"dry_run": old.dry_run},
                input_file=old.file.name,
                started_from_id=old.confirms_id,
                done=old.processed_rows,
                total=old.total_rows,
                message=old.failure,
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
                finished_at=old.finished_at,
            )
        )
    # The dry run a job confirms is always older, so inserting by id keeps the key valid.
    Job.objects.bulk_create(batch, batch_size=500)
    _reset_sequence(schema_editor, Job)


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

    operations = [migrations.RunPython(forwards)]
