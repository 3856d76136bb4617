"""seed_demo's year of field work: field days with photos, the ledger, closed months and a review queue."""

import datetime

import pytest
from django.db.models import Count, Min
from django.test import Client

from archives.models import Role, User
from assessment.models import (
    FieldDay,
    Finding,
    LedgerEntry,
    LedgerKind,
    Month,
    Photo,
    StatementSnapshot,
)
from tests.builders import verify_second_factor

MONTHS = [datetime.date(2025, 11, 1) + datetime.timedelta(days=31 * n) for n in range(12)]
MONTHS = [m.replace(day=1) for m in MONTHS]  # 2025-11 … 2026-10
LAST = datetime.date(2026, 10, 1)


def village_managers():
    """Account managers who own villages: the corporate-only managers of demo/corporate.py,
    hired after the village year, do no village field work."""
    return User.objects.filter(role=Role.ACCOUNT_MANAGER, villages__isnull=False).distinct()


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)


def test_the_year_before_the_reference_date_is_covered_and_all_but_the_last_month_closed(seeded):
    assert MONTHS[0] == datetime.date(2025, 11, 1)
    assert MONTHS[-1] == LAST
    months = {m.month: m for m in Month.objects.all()}
    assert sorted(months) == MONTHS
    assert [m for m in MONTHS if months[m].is_closed] == MONTHS[:-1]
    # The campaign opened with the census phase: two months at 20 days.
    assert [m for m in MONTHS if months[m].census_phase] == MONTHS[:2]
    assert FieldDay.objects.filter(date__lt=MONTHS[0]).count() == 0
    assert FieldDay.objects.filter(date__gte=datetime.date(2026, 11, 1)).count() == 0


@pytest.mark.parametrize("month", [MONTHS[0], MONTHS[5], MONTHS[-2]])
def test_every_closed_month_has_a_locked_statement_for_every_manager(seeded, month):
    managers = set(village_managers().values_list("pk", flat=True))
    stated = set(
        StatementSnapshot.objects.filter(month=month, role=Role.ACCOUNT_MANAGER).values_list(
            "person", flat=True
        )
    )
    assert stated == managers
    # Some managers fall short of the minimum, so the penalty appears in the demo.
    assert StatementSnapshot.objects.filter(month=month, field_days_short__gt=0).exists()


def test_managers_log_days_in_their_own_villages_with_a_partner_who_is_not_themselves(seeded):
    days = FieldDay.objects.filter(person__role=Role.ACCOUNT_MANAGER).prefetch_related(
        "villages", "person__villages"
    )
    assert days.count() > 12 * 12 * 10  # 12 managers, 12 months, ≥ 11 days each
    for day in days[:500]:
        (village,) = day.villages.all()
        assert village in day.person.villages.all()
        assert day.branch_id == village.township.branch_id
        assert day.partner_id != day.person_id
        assert 5 <= day.households_visited <= 12
        assert village.name in day.diary


def test_every_role_that_goes_out_has_days_every_month(seeded):
    # The corporate roles (deputy heads, head office's departments) do no village work.
    people = [
        *User.objects.filter(role__in=[Role.BRANCH_HEAD, Role.SECTION_CHIEF, Role.LEADER]),
        *village_managers(),
    ]
    for person in people:
        months = {d.replace(day=1) for d in person.field_days.values_list("date", flat=True)}
        assert months == set(MONTHS), person.username


def test_the_last_month_has_a_review_queue_and_earlier_months_are_reviewed(seeded):
    waiting = FieldDay.objects.filter(status=FieldDay.Status.SUBMITTED)
    assert waiting.exists()
    assert waiting.aggregate(first=Min("date"))["first"] > datetime.date(2026, 10, 24)
    reviewed = FieldDay.objects.filter(date__lt=LAST)
    assert not reviewed.filter(status=FieldDay.Status.SUBMITTED).exists()
    assert not reviewed.filter(reviewed_by__isnull=True).exists()
    assert Finding.objects.filter(status=Finding.Status.OPEN).exists()
    assert not Finding.objects.filter(
        status=Finding.Status.OPEN, photo__field_day__date__lt=LAST
    ).exists()


def test_every_field_day_has_one_to_three_photos_that_the_photo_page_serves(seeded):
    counts = set(
        FieldDay.objects.annotate(n=Count("photos")).values_list("n", flat=True).distinct()
    )
    assert counts <= {1, 2, 3}
    assert 2 in counts
    hashes = Photo.objects.values_list("phash", flat=True)
    assert len(set(hashes)) == len(hashes)  # no demo photo is a "reuse" of another
    client = Client()
    head_office = User.objects.get(username="head_office")
    client.force_login(head_office)
    verify_second_factor(client, head_office)
    photo = Photo.objects.order_by("pk").first()
    response = client.get(f"/assessment/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_every_manager_has_ledger_lines_every_month(seeded):
    managers = village_managers().count()
    for month in MONTHS:
        lines = LedgerEntry.objects.filter(month=month)
        assert lines.values("person").distinct().count() == managers
        assert lines.filter(kind=LedgerKind.FIXED_DEPOSIT).count() == managers
        assert not lines.filter(kind=LedgerKind.KALEFU, item_ref="").exists()
    assert not LedgerEntry.objects.exclude(person__role=Role.ACCOUNT_MANAGER).exists()
