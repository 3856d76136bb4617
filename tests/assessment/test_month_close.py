"""Closing a month: snapshots written in the background, then nothing in the month changes any more."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import fieldwork, ledger, statements
from assessment.models import (
    Adjustment,
    BranchJudgement,
    FieldDay,
    Finding,
    LedgerEntry,
    Month,
    RateVersion,
    Reward,
    StatementSnapshot,
    default_rates,
)
from jobs.models import Job
from tests.assessment.fieldwork_builders import good_photo
from tests.assessment.statement_builders import (
    NOVEMBER,
    OCTOBER,
    SCENARIO_LINES,
    SCENARIO_PAYOUT,
    make_days,
    make_finding,
    make_line,
    the_issue_scenario,
)
from tests.assessment.test_ledger import extract, line, manual
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def close_october(world):
    client = login(world.head_office)
    response = client.post(
        reverse("assessment:close_month", args=[2026, 10]), {"confirm": "2026-10"}
    )
    job = Job.objects.get(kind="month_close")
    assert response.url == job.get_absolute_url()
    return client, job


def summary(result):
    return {
        row.person.pk: (row.field_days, row.statement.payout, row.statement.lines)
        for row in result.rows
    }


def test_closing_writes_every_statement_as_it_stood_and_locks_the_month(world):
    person, _lines = the_issue_scenario(world)
    before = summary(statements.month_statements(OCTOBER))
    client, job = close_october(world)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 7, 7, 100)
    month = Month.objects.get(month=OCTOBER)
    assert month.is_closed
    assert month.closed_by == world.head_office
    assert statements.month_is_closed(datetime.date(2026, 10, 31))
    assert not statements.month_is_closed(NOVEMBER)
    assert (
        StatementSnapshot.objects.filter(month=OCTOBER).count() == 7
    )  # 4 managers, 2 heads, 1 chief
    assert summary(statements.month_statements(OCTOBER)) == before

    page = client.get(job.get_absolute_url()).text
    assert 'id="job-status"' in page
    assert "data-running" not in page
    status = client.get(reverse("jobs:status", args=[job.pk])).text
    assert status.lstrip().startswith('<section class="card" id="job-status"')
    statement = client.get(reverse("assessment:statement", args=[2026, 10, person.pk])).text
    assert "3,906.00" in statement


def test_a_closed_month_is_read_from_its_snapshots_never_recomputed(world):
    person, lines = the_issue_scenario(world)
    close_october(world)
    # Whatever reaches the tables afterwards, by any way round the pages (on PostgreSQL
    # the database itself refuses such writes into a closed month, so October's row is
    # marked open for the moment they take; tests/assessment/test_month_lock.py):
    months = Month.objects.filter(month=OCTOBER)
    months.update(status=Month.Status.OPEN)
    make_line(person, "vip_cards", count=100)
    LedgerEntry.objects.filter(pk=lines["fixed"].pk).update(amount=D("900000"))
    FieldDay.objects.filter(person=person).update(status=FieldDay.Status.REJECTED)
    months.update(status=Month.Status.CLOSED)
    RateVersion.objects.create(
        effective_month=OCTOBER, rates={**default_rates(), "subsidy_per_field_day": "80"}
    )
    row = statements.month_statements(OCTOBER).row_of(person.pk)
    assert {line.code: line.amount for line in row.statement.lines} == SCENARIO_LINES
    assert row.statement.payout == SCENARIO_PAYOUT
    assert row.field_days == 14


def test_a_month_can_only_be_closed_after_it_has_ended(world):
    today = timezone.localdate()
    client = login(world.head_office)
    client.post(
        reverse("assessment:close_month", args=[today.year, today.month]),
        {"confirm": f"{today:%Y-%m}"},
    )
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message == _("A month can only be closed after it has ended.")
    assert not Month.objects.closed().exists()


def test_a_closed_month_changes_through_no_page(world):
    """Field days (log, confirm), findings, the ledger (import, by hand), rewards, judgements,
    adjustments, the census phase and a second close: each refused, nothing written."""
    # A month closes only when reviewed: a day not counted and a finding dismissed, each
    # of which head office could change its mind about while the month was open.
    submitted = make_days(world.manager_b, world.village_b, 1, status=FieldDay.Status.REJECTED)[0]
    finding = make_finding(
        make_days(world.manager_b, world.village_b, 1, start=10)[0],
        status=Finding.Status.DISMISSED,
        by=world.head_office,
    )
    entry = make_line(world.manager_a, "fuka_cards", count=3)
    for person, number in ((world.manager_a, "1001"), (world.head_office, "9001")):
        person.staff_no = number
        person.save(update_fields=["staff_no"])
    client, _job = close_october(world)
    closed_at = Month.objects.get(month=OCTOBER).closed_at
    counts = (FieldDay.objects.count(), LedgerEntry.objects.count(), Reward.objects.count())

    manager = login(world.manager_a)
    response = manager.post(
        reverse("assessment:field_day_log"),
        {
            "date": "2026-10-30",
            "villages": [world.village_a.pk],
            "households_visited": "8",
            "diary": "补记十月",
            "photos": [good_photo(datetime.date(2026, 10, 30), 77)],
        },
    )
    assert response.status_code == 200
    assert (
        _("%(month)s is closed: no more field days can be logged in it.") % {"month": "2026-10"}
        in response.text
    )

    client.post(
        reverse("assessment:review_field_day", args=[submitted.pk]), {"decision": "confirmed"}
    )
    client.post(
        reverse("assessment:rule_finding", args=[finding.pk]),
        {"ruling": Finding.Status.CONFIRMED_FALSIFICATION, "note": "造假"},
    )
    submitted.refresh_from_db()
    finding.refresh_from_db()
    assert (submitted.status, finding.status) == ("rejected", "dismissed")

    client.post(
        reverse("assessment:ledger_correct", args=[entry.pk]), {"count": "9", "reason": "补录"}
    )
    client.post(
        reverse("assessment:ledger_add"), manual(world.manager_a, month="2026-10", amount="1000")
    )
    upload = io.BytesIO(extract([line("1001", amount=5000, month="2026-10")]))
    upload.name = "台账.xlsx"
    client.post(reverse("assessment:ledger_import"), {"file": upload})
    entry.refresh_from_db()
    assert entry.count == 3

    for name, data in (
        ("reward", {"person": world.manager_a.pk, "amount": "100", "reason": "奖励"}),
        ("judgement", {"branch": world.branch1.pk, "judged_slow": "on", "note": "缓慢"}),
    ):
        response = client.post(reverse(f"assessment:{name}", args=[2026, 10]), data)
        assert response.status_code == 302
        page = client.get(reverse(f"assessment:{name}", args=[2026, 10])).text
        assert '<form method="post" class="card">' not in page
    response = client.post(
        reverse("assessment:adjustment", args=[2026, 10]),
        {
            "person": world.manager_a.pk,
            "corrects_month": "2026-09-01",
            "amount": "5",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    client.post(reverse("assessment:census_phase", args=[2026, 10]), {"census_phase": "1"})
    response = client.post(reverse("assessment:close_month", args=[2026, 10]), follow=True)
    assert str(statements.MonthClosed(OCTOBER)) in response.text

    assert (FieldDay.objects.count(), LedgerEntry.objects.count(), Reward.objects.count()) == counts
    assert not BranchJudgement.objects.exists()
    assert not Adjustment.objects.exists()
    month = Month.objects.get(month=OCTOBER)
    assert (month.census_phase, month.closed_at) == (False, closed_at)
    assert Job.objects.filter(kind="month_close").count() == 1


def test_a_closed_month_changes_through_no_command_or_service(world, tmp_path):
    world.manager_a.staff_no = "1001"
    world.manager_a.save(update_fields=["staff_no"])
    day = make_days(world.manager_b, world.village_b, 1, status=FieldDay.Status.REJECTED)[0]
    close_october(world)

    extract_file = tmp_path / "october.xlsx"
    extract_file.write_bytes(extract([line("1001", amount=5000, month="2026-10")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(extract_file), "--user", "head_office", stdout=out)
    assert "2026-10" in out.getvalue()
    assert not LedgerEntry.objects.exists()
    assert ledger.month_is_closed(OCTOBER)
    with pytest.raises(fieldwork.MonthClosed):
        fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=timezone.now())
    for write in (
        lambda: statements.set_census_phase(month=OCTOBER, census_phase=True),
        lambda: statements.close_month(month=OCTOBER, user=world.head_office, now=timezone.now()),
        lambda: statements.add_reward(
            person=world.manager_a,
            month=OCTOBER,
            amount=D("1"),
            reason="x",
            user=world.head_office,
            now=timezone.now(),
        ),
    ):
        with pytest.raises(statements.MonthClosed):
            write()


def test_a_correction_after_close_goes_into_the_next_month(world):
    person, _lines = the_issue_scenario(world)
    client, _job = close_october(world)
    page = client.get(reverse("assessment:statement", args=[2026, 10, person.pk])).text
    correct = reverse("assessment:adjustment", args=[2026, 11]) + "?corrects=2026-10-01"
    assert correct.replace("?", "?") in page.replace("&amp;", "&")

    response = client.post(
        reverse("assessment:adjustment", args=[2026, 11]),
        {
            "person": person.pk,
            "corrects_month": "2026-10-01",
            "amount": "-6.00",
            "reason": "十月福卡重复计算",
        },
    )
    assert response.status_code == 302
    november = statements.month_statements(NOVEMBER).row_of(person.pk)
    (adjustment,) = [line for line in november.statement.lines if line.code == "adjustment"]
    assert adjustment.amount == D("-6.00")
    assert "2026-10" in adjustment.rule
    assert "十月福卡重复计算" in adjustment.rule
    assert november.statement.adjustments == D("-6.00")
    # October itself is untouched.
    assert statements.month_statements(OCTOBER).row_of(person.pk).statement.payout == (
        SCENARIO_PAYOUT
    )


def test_a_rate_table_that_priced_a_closed_month_stays_as_it_was(world):
    close_october(world)
    client = login(world.head_office)
    seeded = RateVersion.objects.in_force(OCTOBER)
    change = reverse("admin:assessment_rateversion_change", args=[seeded.pk])
    response = client.post(
        change, {"effective_month": "2026-01-01", "fuka_each": "9", "note": "改"}
    )
    assert response.status_code == 403
    seeded.refresh_from_db()
    assert seeded.table().fuka_each == D("2")
    add = reverse("admin:assessment_rateversion_add")
    data = posted(client.get(add).context["adminform"].form)
    response = client.post(add, {**data, "effective_month": "2026-10-01"})
    assert response.status_code == 200  # October is closed: a new table starts later
    assert RateVersion.objects.count() == 1
    response = client.post(add, {**data, "effective_month": "2026-11-01", "fuka_each": "3"})
    assert response.status_code == 302


def test_the_month_list_says_not_closed_and_closed_never_to_be_decided(world):
    """A month is 未结账 or 已结账; 待认定 is a finding's word (issue 13)."""
    the_issue_scenario(world)
    Month.objects.create(month=NOVEMBER)
    close_october(world)
    page = login(world.head_office).get(reverse("assessment:months")).text
    rows = {
        month: page.split(f'data-month="{month}"', 1)[1].split("</tr>", 1)[0]
        for month in ("2026-10", "2026-11")
    }
    assert "已结账" in rows["2026-10"]
    assert "未结账" in rows["2026-11"]
    assert "待认定" not in page
