"""A closed month holds in the writing transaction: a ledger import and a close at the same time.

Two connections, as two workers have: the import runs as its job in a thread, the close
in another. Either the close comes first and the import is refused when it writes (the
job fails with the reason, nothing written), or the import holds its month and the close
waits for it to commit, then includes its lines. Each interleaving is run 20 times.
On PostgreSQL a trigger also refuses a write that goes round the application.
"""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from archives.tasks import start_import
from assessment import fieldwork, imports, ledger, statements
from assessment.models import (
    Adjustment,
    BranchJudgement,
    FieldDay,
    Finding,
    LedgerEntry,
    Reward,
    StatementSnapshot,
)
from jobs.models import Job
from tests.assessment.statement_builders import (
    NOVEMBER,
    OCTOBER,
    make_days,
    make_finding,
    make_line,
)
from tests.assessment.test_ledger import extract, line

D = Decimal
RUNS = range(20)
WAIT = 30  # seconds: a bound for a test that hangs, never a timing the test relies on
# Two connections waiting on a row lock, and the trigger, are PostgreSQL's (SQLite, the
# development database, locks the whole file and has no such trigger).
on_postgresql = pytest.mark.postgresql  # deselected on SQLite: see tests/conftest.py


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(world):
    world.manager_a.staff_no = "1001"
    world.manager_a.save(update_fields=["staff_no"])
    return world


class Worker(threading.Thread):
    """A thread with its own database connection that keeps what it raised for the test."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error = work, None

    def run(self):
        try:
            self.work()
        except BaseException as error:  # re-raised in the test's thread by finish()
            self.error = error
        finally:
            connections.close_all()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "the worker never finished"
        if self.error is not None:
            raise self.error


def import_october(user):
    """The October extract (300,000 yuan fixed deposits of 1001) imported for real, as its job."""
    data = extract([line("1001", amount=300000, month="2026-10")])
    return start_import(
        kind="ledger_import",
        file=ContentFile(data, name="台账.xlsx"),
        original_name="台账.xlsx",
        user=user,
        dry_run=False,
    )


def close_october(user):
    statements.close_month(month=OCTOBER, user=user, now=timezone.now())


def the_close_waits_on_a_lock():
    """Whether another connection of this database waits on a lock (PostgreSQL's own view)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def fixed_deposit_of(person):
    snapshot = StatementSnapshot.objects.get(month=OCTOBER, person=person)
    return [line["amount"] for line in snapshot.lines if line["code"] == "fixed_deposit"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", RUNS)
def test_a_close_while_the_import_checks_its_rows_fails_the_import_and_writes_nothing(
    staff, monkeypatch, run
):
    checked, go = threading.Event(), threading.Event()
    write = imports._LedgerImport.write

    def write_when_told(self, **kwargs):
        checked.set()  # every row read and found good: October was open then
        assert go.wait(WAIT)
        return write(self, **kwargs)

    monkeypatch.setattr(imports._LedgerImport, "write", write_when_told)
    importer = Worker(lambda: import_october(staff.head_office))
    importer.start()
    assert checked.wait(WAIT)
    close_october(staff.head_office)  # the other worker closes October meanwhile
    go.set()
    importer.finish()

    job = Job.objects.get(kind="ledger_import")
    assert job.status == Job.Status.FAILED
    assert job.message == str(statements.MonthClosed(OCTOBER))
    assert "2026-10" in job.message
    assert not LedgerEntry.objects.exists()
    assert fixed_deposit_of(staff.manager_a) == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", RUNS)
def test_a_close_waits_for_an_import_writing_its_month_and_then_includes_its_lines(
    staff, monkeypatch, run
):
    writing, go = threading.Event(), threading.Event()
    bulk_create = imports.bulk_create_with_history

    def create_when_told(*args, **kwargs):
        writing.set()  # inside the import's transaction, October's row locked
        assert go.wait(WAIT)
        return bulk_create(*args, **kwargs)

    monkeypatch.setattr(imports, "bulk_create_with_history", create_when_told)
    importer = Worker(lambda: import_october(staff.head_office))
    importer.start()
    assert writing.wait(WAIT)
    closer = Worker(lambda: close_october(staff.head_office))
    closer.start()
    deadline = time.monotonic() + WAIT
    while not the_close_waits_on_a_lock():
        assert closer.is_alive(), "the close did not wait for the import"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not StatementSnapshot.objects.exists()
    go.set()
    importer.finish()
    closer.finish()

    job = Job.objects.get(kind="ledger_import")
    assert (job.status, job.result["created"]) == (Job.Status.DONE, 1)
    assert LedgerEntry.objects.get().amount == D("300000")
    assert statements.month_is_closed(OCTOBER)
    assert fixed_deposit_of(staff.manager_a) == ["1500.00"]  # 30 × 10,000 × 50 yuan


# ---- Every write path re-checks under the lock, whatever its form saw ------------------


def _ledger_line_by_hand(world, now):
    form = ledger.ManualLineForm(
        {
            "person": world.manager_a.pk,
            "month": "2026-10",
            "kind": "fixed_deposit",
            "amount": "1000",
            "reason": "补录",
        },
        today=datetime.date(2026, 11, 5),
    )
    assert form.is_valid(), form.errors  # checked while October was open
    return lambda: ledger.save_by_hand(form=form, user=world.head_office, now=now)


def _ledger_correction(world, now):
    form = ledger.CorrectionForm(
        {"count": "9", "reason": "更正"}, instance=make_line(world.manager_a, "fuka_cards", count=3)
    )
    assert form.is_valid(), form.errors
    return lambda: ledger.save_by_hand(form=form, user=world.head_office, now=now)


def _field_day(world, now):
    return lambda: fieldwork.log_field_day(
        person=world.manager_a,
        date=datetime.date(2026, 10, 30),
        villages=[world.village_a],
        households_visited=5,
        diary="补记",
        photos=[],
        thresholds=fieldwork.thresholds_of(fieldwork.EvidenceSettings.current()),
        now=now,
    )


def _review(world, now):
    (day,) = make_days(world.manager_b, world.village_b, 1, status=FieldDay.Status.REJECTED)
    return lambda: fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=now)


def _ruling(world, now):
    (day,) = make_days(world.manager_b, world.village_b, 1, start=12)
    finding = make_finding(day, status=Finding.Status.DISMISSED, by=world.head_office)
    return lambda: fieldwork.rule_on_finding(
        finding=finding,
        reviewer=world.head_office,
        ruling=Finding.Status.CONFIRMED_FALSIFICATION,
        note="造假",
        now=now,
    )


def _reward(world, now):
    return lambda: statements.add_reward(
        person=world.manager_a,
        month=OCTOBER,
        amount=D("100"),
        reason="贡献",
        user=world.head_office,
        now=now,
    )


def _judgement(world, now):
    return lambda: statements.judge_branch(
        branch=world.branch1,
        month=OCTOBER,
        judged_slow=True,
        note="缓慢",
        user=world.head_office,
        now=now,
    )


WRITES = {
    "ledger line by hand": _ledger_line_by_hand,
    "ledger correction": _ledger_correction,
    "field day": _field_day,
    "review": _review,
    "ruling": _ruling,
    "reward": _reward,
    "branch judgement": _judgement,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITES)
def test_a_write_checked_while_open_is_refused_once_the_month_closed(world, name):
    now = timezone.now()
    write = WRITES[name](world, now)
    before = _everything()
    close_october(world.head_office)
    with pytest.raises(statements.MonthClosed):
        write()
    assert _everything() == before


def _everything():
    return [
        sorted(model.objects.values_list(*fields))
        for model, fields in (
            (LedgerEntry, ("pk", "amount", "count", "source")),
            (FieldDay, ("pk", "status")),
            (Finding, ("pk", "status")),
            (Reward, ("pk",)),
            (BranchJudgement, ("pk",)),
            (Adjustment, ("pk",)),
        )
    ]


# ---- The database's own backstop ---------------------------------------------------------


RAW_WRITES = {
    "ledger line added": lambda w: make_line(w.manager_a, "vip_cards", count=100),
    "ledger line changed": lambda w: LedgerEntry.objects.update(amount=D("900000")),
    "ledger line deleted": lambda w: LedgerEntry.objects.all().delete(),
    "field day added": lambda w: make_days(w.manager_a, w.village_a, 1, start=25),
    "field day changed": lambda w: FieldDay.objects.update(status=FieldDay.Status.CONFIRMED),
    "finding ruled": lambda w: Finding.objects.update(status=Finding.Status.DISMISSED),
    "reward added": lambda w: Reward.objects.create(
        person=w.manager_a,
        month=OCTOBER,
        amount=D("100"),
        reason="x",
        created_by=w.head_office,
        created_at=timezone.now(),
    ),
    "statement changed": lambda w: StatementSnapshot.objects.update(payout=D("99999")),
}


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("name", RAW_WRITES)
def test_the_database_refuses_a_raw_write_into_a_closed_month(world, name):
    make_line(world.manager_a, "fixed_deposit", amount=D("300000"))
    (day,) = make_days(world.manager_b, world.village_b, 1, status=FieldDay.Status.REJECTED)
    make_finding(day, status=Finding.Status.DISMISSED, by=world.head_office)
    close_october(world.head_office)
    with pytest.raises(DatabaseError, match="2026-10 is closed"), transaction.atomic():
        RAW_WRITES[name](world)


@on_postgresql
@pytest.mark.django_db
def test_the_database_lets_raw_writes_into_an_open_month_through(world):
    close_october(world.head_office)
    entry = make_line(world.manager_a, "vip_cards", month=NOVEMBER, count=1)
    LedgerEntry.objects.filter(pk=entry.pk).update(count=2)
    make_days(world.manager_a, world.village_a, 2, month=NOVEMBER)
    assert LedgerEntry.objects.get().count == 2
    LedgerEntry.objects.all().delete()
    assert FieldDay.objects.filter(date__gte=NOVEMBER).count() == 2
