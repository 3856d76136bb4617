"""The move onto jobs.Job on a database with data: import and statement jobs keep what they were."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessment.models import LedgerEntry
from jobs.models import Job

BEFORE = [
    ("archives", "0007_search_indexes"),
    ("assessment", "0004_seed_rates"),
    ("jobs", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_schema(transactional_db):
    """The schema of the main branch before jobs existed; the latest one again afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_latest())


def _old_data(apps):
    now = timezone.now()
    head = apps.get_model("archives", "User").objects.create(username="ho", role="head_office")
    ImportJob = apps.get_model("archives", "ImportJob")
    dry = ImportJob.objects.create(
        kind="ledger",
        file="imports/2026/10/台账.xlsx",
        original_name="台账.xlsx",
        created_by=head,
        dry_run=True,
        status="done",
        total_rows=20,
        processed_rows=20,
        created_count=20,
        finished_at=now,
    )
    real = ImportJob.objects.create(
        kind="ledger",
        file=dry.file.name,
        original_name=dry.original_name,
        created_by=head,
        dry_run=False,
        confirms=dry,
        status="done",
        total_rows=20,
        processed_rows=20,
        created_count=20,
        finished_at=now,
    )
    broken = ImportJob.objects.create(
        kind="archive",
        file="imports/2026/10/x.csv",
        original_name="x.csv",
        created_by=head,
        status="done",
        error_count=1,
        problem_count=1,
        errors=[{"sheet": "", "row": 2, "column": "手机号", "message": "手机号应为 11 位数字"}],
        finished_at=now,
    )
    apps.get_model("assessment", "LedgerEntry").objects.create(
        person=head,
        month=datetime.date(2026, 10, 1),
        kind="vip_cards",
        count=3,
        import_job=real,
        created_by=head,
        created_at=now,
    )
    apps.get_model("assessment", "StatementJob").objects.create(
        kind="export_pdf",
        month=datetime.date(2026, 10, 1),
        status="done",
        total=7,
        done=7,
        file="statements/2026/11/2026-10-考核报表.pdf",
        created_by=head,
        created_at=now,
        finished_at=now,
    )
    # Work that was still under way when the upgrade ran.
    apps.get_model("assessment", "StatementJob").objects.create(
        kind="close",
        month=datetime.date(2026, 10, 1),
        status="running",
        created_by=head,
        created_at=now,
    )
    stuck = ImportJob.objects.create(
        kind="balances", file="imports/b.csv", original_name="b.csv", created_by=head
    )
    return dry, real, broken, stuck


def test_import_and_statement_jobs_move_into_jobs_keeping_ids_links_and_results(old_schema):
    dry, real, broken, stuck = _old_data(old_schema)

    _migrate(_latest())

    moved = {job.pk: job for job in Job.objects.all()}
    assert set(moved) >= {dry.pk, real.pk, broken.pk}
    assert (moved[dry.pk].kind, moved[dry.pk].subject, moved[dry.pk].params) == (
        "ledger_import",
        "台账.xlsx",
        {"dry_run": True},
    )
    assert moved[dry.pk].input_file.name == "imports/2026/10/台账.xlsx"
    assert moved[real.pk].started_from_id == dry.pk
    assert moved[real.pk].result == {"created": 20, "updated": 0, "unchanged": 0}
    assert (moved[real.pk].done, moved[real.pk].total) == (20, 20)
    assert moved[broken.pk].errors[0]["column"] == "手机号"
    assert (moved[broken.pk].kind, moved[broken.pk].error_count) == ("archive_import", 1)
    assert LedgerEntry.objects.get().import_job_id == real.pk
    export = Job.objects.get(kind="statements_pdf")
    assert (export.subject, export.params, export.status) == (
        "2026-10",
        {"month": "2026-10-01"},
        "done",
    )
    assert export.result_file.name == "statements/2026/11/2026-10-考核报表.pdf"
    # Nothing is left queued or running under a task that no longer exists.
    close = Job.objects.get(kind="month_close")
    for unfinished in (close, moved[stuck.pk]):
        assert unfinished.status == "failed"
        assert "系统升级时此任务尚未完成" in unfinished.message
        assert unfinished.finished_at is not None
    # New jobs are numbered after the moved ones (PostgreSQL's sequence was moved on).
    new = Job.objects.create(kind="archive_import")
    assert new.pk > max(moved)


def test_going_back_puts_the_jobs_where_they_were(old_schema):
    dry, real, _broken, _stuck = _old_data(old_schema)
    _migrate(_latest())

    apps = _migrate(BEFORE)

    ImportJob = apps.get_model("archives", "ImportJob")
    assert ImportJob.objects.get(pk=real.pk).confirms_id == dry.pk
    assert ImportJob.objects.get(pk=dry.pk).kind == "ledger"
    assert apps.get_model("assessment", "LedgerEntry").objects.get().import_job_id == real.pk
    statement_jobs = apps.get_model("assessment", "StatementJob").objects
    assert set(statement_jobs.values_list("kind", flat=True)) == {"export_pdf", "close"}
