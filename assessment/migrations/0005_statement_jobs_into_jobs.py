"""Statement jobs (close, XLSX, PDF) become jobs.Job rows; ledger lines point at jobs.Job.

The ledger's import_job ids stay valid: archives' migration 0008 copied every import
job into jobs.Job under its own id. Going back, the import jobs are put back into
archives.ImportJob here, before the ledger's key points at that model again.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

# A job still queued or running when this runs was queued under a task that no longer
# exists: it ends failed with its reason, never waiting for ever.
UNFINISHED = ("queued", "running")
STOPPED = "系统升级时此任务尚未完成，已停止，未保留任何结果。请重新提交。"

KINDS = {"close": "month_close", "export_xlsx": "statements_xlsx", "export_pdf": "statements_pdf"}


def forwards(apps, schema_editor):
    now = timezone.now()
    StatementJob = apps.get_model("assessment", "StatementJob")
    Job = apps.get_model("jobs", "Job")
    Job.objects.bulk_create(
        (
            Job(
                kind=KINDS[old.kind],
                status="failed" if old.status in UNFINISHED else old.status,
                subject=f"{old.month:%Y-%m}",
                params={"month": old.month.isoformat()},
                done=old.done,
                total=old.total,
                message=STOPPED if old.status in UNFINISHED else old.error,
                result_file=old.file.name,
                created_by_id=old.created_by_id,
                created_at=old.created_at,
                heartbeat_at=old.finished_at or old.created_at,
                finished_at=old.finished_at or (now if old.status in UNFINISHED else None),
            )
            for old in StatementJob.objects.order_by("pk").iterator(chunk_size=1000)
        ),
        batch_size=500,
    )


def backwards(apps, schema_editor):
    StatementJob = apps.get_model("assessment", "StatementJob")
    Job = apps.get_model("jobs", "Job")
    old_kinds = {new: old for old, new in KINDS.items()}
    jobs = Job.objects.filter(kind__in=old_kinds).order_by("pk")
    StatementJob.objects.bulk_create(
        StatementJob(
            kind=old_kinds[job.kind],
            month=job.params["month"],
            status=job.status,
            total=job.total,
            done=job.done,
            file=job.result_file.name,
            error=job.message,
            created_by_id=job.created_by_id,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
        for job in jobs
    )
    jobs.delete()


def import_jobs_back(apps, schema_editor):
    importlib.import_module(
        "archives.migrations.0008_import_jobs_into_jobs"
    ).copy_back_import_jobs(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_seed_rates"),
        ("archives", "0008_import_jobs_into_jobs"),
        ("jobs", "0001_job"),
    ]
    # The ledger's key must leave archives.ImportJob before that model is deleted.
    run_before = [("archives", "0009_delete_importjob")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="ledgerentry",
            name="import_job",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="ledger_entries",
                to="jobs.job",
                verbose_name="import",
            ),
        ),
        migrations.AlterField(
            model_name="historicalledgerentry",
            name="import_job",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="jobs.job",
                verbose_name="import",
            ),
        ),
        migrations.DeleteModel(name="StatementJob"),
        # Going back, this runs first: the import jobs exist again as archives.ImportJob
        # (whose table archives' 0009 has just recreated) before the key points at it.
        migrations.RunPython(migrations.RunPython.noop, import_jobs_back),
    ]
