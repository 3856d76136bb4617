"""Every ruling on a photo finding and every decision on a field day is kept.

Before, a second ruling overwrote the first (status, who, when, note): nothing of the
first remained. Each ruling and decision is now a history row with who and when, and
the field day's page lists them.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import Role
from assessment.models import FieldDay, Finding
from tests.assessment.fieldwork_builders import good_photo, make_field_day
from tests.builders import make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def day_with_finding(world):
    """manager_a's day whose photo repeats one of manager_b's: one finding to rule on."""
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    return make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])


def test_a_finding_ruled_twice_keeps_both_rulings_with_who_and_when(world, day_with_finding):
    finding = Finding.objects.get(photo__field_day=day_with_finding)
    second_reviewer = make_user(Role.HEAD_OFFICE, username="head_office_2", name="复核人")
    url = reverse("assessment:rule_finding", args=[finding.pk])
    login(world.head_office).post(url, {"ruling": "confirmed_falsification", "note": "系翻拍"})
    login(second_reviewer).post(url, {"ruling": "dismissed", "note": "同组搭档拍摄"})

    finding.refresh_from_db()
    assert finding.status == Finding.Status.DISMISSED
    rulings = list(
        finding.rulings.exclude(status=Finding.Status.OPEN).order_by("history_date", "history_id")
    )
    assert [(r.status, r.ruled_by, r.ruling_note) for r in rulings] == [
        ("confirmed_falsification", world.head_office, "系翻拍"),
        ("dismissed", second_reviewer, "同组搭档拍摄"),
    ]
    assert [r.history_user for r in rulings] == [world.head_office, second_reviewer]
    assert all(r.ruled_at is not None for r in rulings)

    page = login(world.head_office).get(day_with_finding.get_absolute_url()).text
    assert "系翻拍" in page
    assert "同组搭档拍摄" in page
    assert "复核人" in page


def test_a_field_day_decided_twice_keeps_both_decisions(world):
    # A rejection is final (DOMAIN.md §7), so the changed mind goes from confirmed to rejected.
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 8)])
    url = reverse("assessment:review_field_day", args=[day.pk])
    client = login(world.head_office)
    client.post(url, {"decision": "confirmed", "note": "先予认可"})
    client.post(url, {"decision": "rejected", "note": "日志与照片不符"})

    day.refresh_from_db()
    assert day.status == FieldDay.Status.REJECTED
    decided = list(
        day.decisions.filter(reviewed_at__isnull=False).order_by("history_date", "history_id")
    )
    assert [(d.status, d.reviewed_by, d.review_note) for d in decided] == [
        ("confirmed", world.head_office, "先予认可"),
        ("rejected", world.head_office, "日志与照片不符"),
    ]
    page = client.get(day.get_absolute_url()).text
    assert "日志与照片不符" in page
    assert "先予认可" in page
