"""The one job mechanism: a kind's runner ends its job done or failed, and none stays running."""

import datetime
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from archives.models import Role
from jobs import registry, services
from jobs.models import Job
from tests.builders import make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _runner(job, progress):
    """A kind for these tests: its parameters say what the run does."""
    behaviour = job.params.get("behaviour", "ok")
    progress(1, 3)
    if behaviour == "refuse":
        raise registry.JobFailed("文件第 3 行无法读取。")
    if behaviour == "crash":
        raise RuntimeError("a bug")
    progress(3, 3)
    if behaviour == "unstorable":  # as a NUL in a message was on PostgreSQL
        return registry.Outcome(result={"written": object()})
    return registry.Outcome(
        result={"written": 3},
        errors=[{"sheet": "", "row": 2, "column": "姓名", "message": "必填"}],
        error_count=1,
        problem_count=1,
        file=("结果.txt", "三行".encode()) if behaviour == "file" else None,
    )


TEST_KIND = registry.JobKind(
    key="test_echo",
    label="测试任务",
    run=_runner,
    can_view=lambda user: user.is_head_office,
    result_template="jobs/tests/echo_result.html",
    back_url=lambda job: reverse("home"),
)


@pytest.fixture
def kind(monkeypatch, settings, tmp_path):
    monkeypatch.setitem(registry._KINDS, TEST_KIND.key, TEST_KIND)
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "templates/jobs/tests").mkdir(parents=True)
    (tmp_path / "templates/jobs/tests/echo_result.html").write_text(
        '<p id="echo">写入 {{ job.result.written }} 行</p>', encoding="utf-8"
    )
    # Assigned, not mutated: the assignment resets the (cached) template engines.
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path / "templates"]}]
    return TEST_KIND


@pytest.fixture
def head_office(db):
    return make_user(Role.HEAD_OFFICE, username="ho")


def test_a_job_runs_through_its_kind_and_ends_done_with_its_result(kind, head_office):
    job = services.start_job(
        kind=kind.key, user=head_office, subject="x.csv", params={"behaviour": "file"}
    )

    assert (job.status, job.done, job.total, job.percent) == (Job.Status.DONE, 3, 3, 100)
    assert job.result == {"written": 3}
    assert (job.error_count, job.problem_count, job.errors[0]["column"]) == (1, 1, "姓名")
    assert None not in (job.started_at, job.finished_at, job.heartbeat_at)
    page = login(head_office).get(job.get_absolute_url())
    assert page.status_code == 200
    assert "写入 3 行" in page.content.decode()
    assert "data-running" not in page.content.decode()
    download = login(head_office).get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "三行"


def test_a_refusal_ends_the_job_failed_with_the_runners_chinese_reason(kind, head_office):
    job = services.start_job(kind=kind.key, user=head_office, params={"behaviour": "refuse"})

    assert job.status == Job.Status.FAILED
    assert job.message == "文件第 3 行无法读取。"
    assert job.finished_at is not None
    page = login(head_office).get(job.get_absolute_url()).content.decode()
    assert "文件第 3 行无法读取。" in page
    assert login(head_office).get(reverse("jobs:file", args=[job.pk])).status_code == 404


def test_an_unexpected_error_ends_the_job_failed_and_is_logged(kind, head_office, caplog):
    with caplog.at_level(logging.ERROR, logger="jobs.services"):
        job = services.start_job(kind=kind.key, user=head_office, params={"behaviour": "crash"})

    assert job.status == Job.Status.FAILED
    assert job.message == "任务因意外错误中止，未做任何更改。详情见服务器日志。"
    assert "a bug" in caplog.text


def test_an_outcome_the_database_refuses_ends_the_job_failed_not_running(kind, head_office):
    job = services.start_job(kind=kind.key, user=head_office, params={"behaviour": "unstorable"})

    assert job.status == Job.Status.FAILED
    assert job.message == "任务因意外错误中止，未做任何更改。详情见服务器日志。"


def test_a_task_delivered_twice_runs_the_job_once(kind, head_office):
    job = services.start_job(kind=kind.key, user=head_office)
    Job.objects.filter(pk=job.pk).update(result={"written": 99})

    services.run(job.pk)

    job.refresh_from_db()
    assert job.result == {"written": 99}


def _running(kind, user, *, heartbeat_minutes_ago):
    beat = timezone.now() - datetime.timedelta(minutes=heartbeat_minutes_ago)
    return Job.objects.create(
        kind=kind.key,
        created_by=user,
        status=Job.Status.RUNNING,
        started_at=beat,
        heartbeat_at=beat,
        done=40,
        total=100,
    )


@pytest.mark.parametrize(
    ("minutes_silent", "reaped"),
    [(9, False), (11, True)],
    ids=["heard-of-9-minutes-ago-keeps-running", "silent-11-minutes-is-failed"],
)
def test_reap_jobs_fails_a_running_job_whose_heartbeat_stopped(
    kind, head_office, settings, minutes_silent, reaped
):
    settings.JOB_HEARTBEAT_MINUTES = 10
    job = _running(kind, head_office, heartbeat_minutes_ago=minutes_silent)
    queued = Job.objects.create(kind=kind.key, created_by=head_office)

    call_command("reap_jobs", verbosity=0)

    job.refresh_from_db()
    assert job.status == (Job.Status.FAILED if reaped else Job.Status.RUNNING)
    assert ("10 分钟" in job.message) is reaped
    queued.refresh_from_db()
    assert queued.status == Job.Status.QUEUED


def test_a_reaped_job_shows_its_reason_on_its_page(kind, head_office, settings):
    settings.JOB_HEARTBEAT_MINUTES = 10
    job = _running(kind, head_office, heartbeat_minutes_ago=30)
    call_command("reap_jobs", verbosity=0)

    page = login(head_office).get(job.get_absolute_url()).content.decode()

    assert "失败" in page
    assert "10 分钟没有进展" in page
    assert "data-running" not in page


def test_the_job_page_itself_reaps_a_stalled_job_nobody_reaped_yet(kind, head_office, settings):
    settings.JOB_HEARTBEAT_MINUTES = 10
    job = _running(kind, head_office, heartbeat_minutes_ago=30)
    fresh = _running(kind, head_office, heartbeat_minutes_ago=1)

    status = login(head_office).get(reverse("jobs:status", args=[job.pk])).content.decode()

    assert "10 分钟没有进展" in status
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, fresh.status) == (Job.Status.FAILED, Job.Status.RUNNING)
    running = login(head_office).get(reverse("jobs:status", args=[fresh.pk])).content.decode()
    assert 'data-running="true"' in running
    assert "已完成 40 / 100" in running


@pytest.mark.django_db(transaction=True)
def test_a_worker_start_reaps_what_a_dead_worker_left_running(kind, transactional_db, settings):
    # A real worker run (--batch: it stops when no task is left) closes the test's
    # connection between tasks, so this test commits instead of rolling back.
    settings.JOB_HEARTBEAT_MINUTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _running(kind, make_user(Role.HEAD_OFFICE), heartbeat_minutes_ago=60)

    call_command("job_worker", batch=True, reload=False, verbosity=0, startup_delay=False)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.BRANCH_HEAD, Role.LEADER])
def test_a_job_is_out_of_scope_for_whoever_its_kind_does_not_show_it_to(kind, head_office, role):
    job = services.start_job(kind=kind.key, user=head_office, params={"behaviour": "file"})
    client = login(make_user(role))

    for name in ("jobs:job", "jobs:status", "jobs:file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_an_unknown_kind_is_refused_before_anything_is_saved(head_office):
    with pytest.raises(LookupError):
        services.start_job(kind="no_such_kind", user=head_office)
    assert not Job.objects.exists()
