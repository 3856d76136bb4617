"""The partner of a two-person field day (两人一组) confirms being there and is credited the day.

DOMAIN.md §4 pays field days per person (50 yuan a day, −100 a day short of 16): a day head
office confirmed counts for its partner too once the partner confirmed it, and a date counts
once per person.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import fieldwork, statements
from assessment.models import FieldDay
from tests.assessment.fieldwork_builders import good_photo, make_field_day
from tests.assessment.statement_builders import OCTOBER, make_days
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=1) if TODAY.day > 1 else TODAY


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def answer_url(day):
    return reverse("assessment:answer_as_partner", args=[day.pk])


def test_a_day_logged_with_a_partner_asks_the_partner_who_confirms_it(world):
    day = make_field_day(
        world.manager_a, [world.village_a], DAY, [good_photo(DAY, 5)], partner=world.manager_a2
    )
    assert day.partner_answer == FieldDay.PartnerAnswer.PENDING
    partner = login(world.manager_a2)
    page = partner.get(reverse("assessment:field_days")).text
    assert 'id="naming-me"' in page
    assert answer_url(day) in page
    # The partner may open the day they are asked about; the reviewer sees it is unconfirmed.
    assert partner.get(day.get_absolute_url()).status_code == 200
    assert "同行人尚未确认" in login(world.head_office).get(day.get_absolute_url()).text

    assert partner.post(answer_url(day), {"answer": "confirmed"}).status_code == 302
    assert partner.post(answer_url(day), {"answer": "confirmed"}).status_code == 302  # twice
    day.refresh_from_db()
    assert day.partner_answer == FieldDay.PartnerAnswer.CONFIRMED
    assert day.decisions.filter(partner_answer="confirmed").count() == 1
    refused = partner.post(answer_url(day), {"answer": "declined"}, follow=True).text
    assert "您已对此日作出答复" in refused
    day.refresh_from_db()
    assert day.partner_answer == FieldDay.PartnerAnswer.CONFIRMED
    page = login(world.head_office).get(day.get_absolute_url()).text
    assert "同行人已确认" in page
    assert 'id="naming-me"' not in partner.get(reverse("assessment:field_days")).text


@pytest.mark.parametrize("role", ["manager_a", "manager_b", "branch_head", "head_office"])
def test_only_the_partner_answers(world, role):
    day = make_field_day(
        world.manager_a, [world.village_a], DAY, [good_photo(DAY, 6)], partner=world.manager_a2
    )
    assert (
        login(getattr(world, role)).post(answer_url(day), {"answer": "confirmed"}).status_code
        == 404
    )
    day.refresh_from_db()
    assert day.partner_answer == FieldDay.PartnerAnswer.PENDING


def test_a_bad_answer_changes_nothing(world):
    day = make_field_day(
        world.manager_a, [world.village_a], DAY, [good_photo(DAY, 7)], partner=world.manager_a2
    )
    login(world.manager_a2).post(answer_url(day), {"answer": "maybe"})
    day.refresh_from_db()
    assert day.partner_answer == FieldDay.PartnerAnswer.PENDING


# ---- Credited: the partner's field days and subsidy at the 16-day boundary ----------------------


@pytest.mark.parametrize(
    ("answer", "day_status", "same_date_as_own", "days", "short"),
    [
        ("confirmed", "confirmed", False, 16, 0),  # credited: reaches the minimum
        ("pending", "confirmed", False, 15, 1),  # not yet confirmed by the partner
        ("declined", "confirmed", False, 15, 1),  # the partner was not there
        ("confirmed", "submitted", False, 15, 1),  # head office has not confirmed the day
        ("confirmed", "returned", False, 15, 1),  # returned for more: not counted for anyone
        ("confirmed", "confirmed", True, 15, 1),  # a date counts once
    ],
)
def test_a_partner_is_credited_a_confirmed_day_they_confirmed(
    world, answer, day_status, same_date_as_own, days, short
):
    make_days(world.manager_a2, world.village_a, 15, month=OCTOBER)
    (shared,) = make_days(
        world.manager_a,
        world.village_a,
        1,
        month=OCTOBER,
        status=day_status,
        start=1 if same_date_as_own else 20,
    )
    shared.partner = world.manager_a2
    shared.partner_answer = answer
    shared.save()
    row = statements.month_statements(OCTOBER).row_of(world.manager_a2.pk)
    assert (row.field_days, row.statement.field_days_short) == (days, short)
    assert row.statement.subsidy == 50 * days
    author = statements.month_statements(OCTOBER).row_of(world.manager_a.pk)
    assert author.field_days == (1 if day_status == "confirmed" else 0)


def test_the_partner_answers_in_an_open_month_only(world):
    (day,) = make_days(world.manager_a, world.village_a, 1, month=OCTOBER)
    day.partner = world.manager_a2
    day.partner_answer = "pending"
    day.save()
    from assessment.models import Month

    Month.objects.update_or_create(
        month=OCTOBER,
        defaults={"status": "closed", "closed_at": timezone.now(), "closed_by": world.head_office},
    )
    with pytest.raises(fieldwork.MonthClosed):
        fieldwork.answer_as_partner(
            field_day=day, partner=world.manager_a2, answer="confirmed", now=timezone.now()
        )
