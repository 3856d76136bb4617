"""The month close as a checklist (DOMAIN.md §7): blocked while work awaits review, who and how
many; every day without findings confirmed in one step; a confirmation naming the month."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import fieldwork, statements
from assessment.models import FieldDay, Finding, Month, StatementSnapshot
from jobs.models import Job
from tests.assessment.statement_builders import OCTOBER, make_days, make_finding
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
CLOSE = reverse_lazy("assessment:close_month", args=[2026, 10])
MONTH = reverse_lazy("assessment:month", args=[2026, 10])
CONFIRM_DAYS = reverse_lazy("assessment:confirm_days", args=[2026, 10])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fifty_eight_days(world):
    """The issue's month: 58 field days awaiting review (20 + 20 + 18), two with an open finding."""
    submitted = FieldDay.Status.SUBMITTED
    days = {
        "manager_a": make_days(world.manager_a, world.village_a, 20, status=submitted),
        "manager_b": make_days(world.manager_b, world.village_b, 20, status=submitted),
        "manager_a2": make_days(world.manager_a2, world.village_a, 18, status=submitted),
    }
    findings = [make_finding(days["manager_b"][0]), make_finding(days["manager_b"][1])]
    return days, findings


def test_one_click_on_a_month_with_58_days_awaiting_review_closes_nothing(world):
    fifty_eight_days(world)
    client = login(world.head_office)
    for data in ({}, {"confirm": "2026-10"}):
        response = client.post(CLOSE, data)
        assert response.status_code == 302
        assert response.url == MONTH
    assert not Job.objects.filter(kind="month_close").exists()
    assert not statements.month_is_closed(OCTOBER)
    assert not StatementSnapshot.objects.exists()
    assert FieldDay.objects.filter(status=FieldDay.Status.SUBMITTED).count() == 58


def test_the_month_page_shows_who_holds_the_close_up_with_links_to_review(world):
    fifty_eight_days(world)
    page = login(world.head_office).get(MONTH).text
    assert 'id="close-blocked"' in page
    assert 'href="/assessment/months/2026/10/close/"' not in page
    blockers = re.findall(
        r'<tr data-person="(\w+)">.*?class="num awaiting"[^>]*>(\d+)</td>'
        r'.*?class="num findings"[^>]*>(\d+)</td>',
        page,
        re.S,
    )
    rows = {name: (int(days), int(findings)) for name, days, findings in blockers}
    assert rows == {"manager_a": (20, 0), "manager_a2": (18, 0), "manager_b": (20, 2)}
    review = reverse("assessment:review")
    assert f"{review}?month=2026-10&amp;show=submitted&amp;person={world.manager_a.pk}" in page
    assert f"{review}?month=2026-10&amp;show=findings&amp;person={world.manager_b.pk}" in page
    one_person = login(world.head_office).get(
        f"{review}?month=2026-10&show=findings&person={world.manager_b.pk}"
    )
    assert {d.person for d in one_person.context["days"]} == {world.manager_b}
    assert {value: n for value, _label, n in one_person.context["tabs"]}["findings"] == 2


def test_every_day_without_findings_is_confirmed_in_one_step(world):
    days, findings = fifty_eight_days(world)
    (ruled,) = make_days(world.manager_b, world.village_b, 1, start=25, status="submitted")
    make_finding(ruled, status=Finding.Status.DISMISSED, by=world.head_office)
    (own,) = make_days(world.head_office, world.village_a, 1, start=22, status="submitted")
    client = login(world.head_office)

    response = client.post(CONFIRM_DAYS, follow=True)
    assert _("%(count)d field days without findings confirmed.") % {"count": 57} in response.text
    confirmed = FieldDay.objects.filter(status=FieldDay.Status.CONFIRMED)
    assert confirmed.count() == 57  # 58 − 2 with open findings + 1 whose finding was dismissed
    assert set(confirmed.values_list("reviewed_by", flat=True)) == {world.head_office.pk}
    note = _("Confirmed with every day of %(month)s without findings.") % {"month": "2026-10"}
    assert set(confirmed.values_list("review_note", flat=True)) == {note}
    waiting = FieldDay.objects.filter(status=FieldDay.Status.SUBMITTED)
    assert set(waiting.values_list("pk", flat=True)) == {
        days["manager_b"][0].pk,
        days["manager_b"][1].pk,
        own.pk,
    }

    # What is left is reviewed one by one; then the month can close, and pays every day.
    now = timezone.now()
    for finding in findings:
        fieldwork.rule_on_finding(
            finding=finding, reviewer=world.head_office, ruling="dismissed", note="核实", now=now
        )
    client.post(CONFIRM_DAYS)
    FieldDay.objects.filter(pk=own.pk).update(status=FieldDay.Status.REJECTED)
    assert 'id="close-ready"' in client.get(MONTH).text
    client.post(CLOSE, {"confirm": "2026-10"})
    assert Job.objects.get(kind="month_close").status == Job.Status.DONE
    snapshot = StatementSnapshot.objects.get(month=OCTOBER, person=world.manager_b)
    assert snapshot.field_days == 21
    assert snapshot.subsidy == D("1050.00")


def test_confirming_every_day_refuses_a_closed_month(world):
    client = login(world.head_office)
    client.post(CLOSE, {"confirm": "2026-10"})
    make_days(
        world.manager_a, world.village_a, 1, status="submitted", month=OCTOBER.replace(month=9)
    )
    response = client.post(CONFIRM_DAYS, follow=True)
    assert str(statements.MonthClosed(OCTOBER)) in response.text


def test_the_close_names_the_month_and_its_counts_and_needs_that_confirmation(world):
    make_days(world.manager_a, world.village_a, 14)
    make_days(world.manager_b, world.village_b, 3)
    client = login(world.head_office)
    page = client.get(CLOSE)
    assert page.status_code == 200
    text = page.text
    assert re.search(r'data-total="month">2026-10<', text)
    assert re.search(r'data-total="people">7<', text)  # 4 managers, 2 branch heads, 1 chief
    assert re.search(r'data-total="field_days">17<', text)
    payout = statements.month_statements(OCTOBER).totals["payout"]
    assert re.search(rf'data-total="payout">{payout:,.2f}<', text)
    assert '<input type="hidden" name="confirm" value="2026-10">' in text

    for data in ({}, {"confirm": ""}, {"confirm": "2026-09"}, {"confirm": "2026-11"}):
        response = client.post(CLOSE, data)
        assert response.status_code == 400
        assert _("Confirm the close of the month on this page.") in response.text
    assert not Job.objects.exists()
    assert not statements.month_is_closed(OCTOBER)

    response = client.post(CLOSE, {"confirm": "2026-10"})
    job = Job.objects.get(kind="month_close")
    assert response.url == job.get_absolute_url()
    assert job.status == Job.Status.DONE
    assert Month.objects.get(month=OCTOBER).is_closed


@pytest.mark.parametrize(
    ("status", "finding", "closes"),
    [
        (FieldDay.Status.SUBMITTED, None, False),
        (FieldDay.Status.CONFIRMED, Finding.Status.OPEN, False),
        (FieldDay.Status.REJECTED, Finding.Status.OPEN, False),
        (FieldDay.Status.CONFIRMED, Finding.Status.DISMISSED, True),
        (FieldDay.Status.REJECTED, Finding.Status.CONFIRMED_FALSIFICATION, True),
        (FieldDay.Status.CONFIRMED, None, True),
        (FieldDay.Status.REJECTED, None, True),
    ],
)
def test_the_close_itself_rechecks_the_review_inside_its_transaction(
    world, status, finding, closes
):
    (day,) = make_days(world.manager_a, world.village_a, 1, status=status)
    if finding is not None:
        make_finding(day, status=finding, by=world.head_office)
    close = lambda: statements.close_month(  # noqa: E731
        month=OCTOBER, user=world.head_office, now=timezone.now()
    )
    if closes:
        assert close().is_closed
    else:
        with pytest.raises(statements.StatementError, match="2026-10"):
            close()
        assert not statements.month_is_closed(OCTOBER)
        assert not StatementSnapshot.objects.exists()
