"""Send back (DOMAIN.md §7): a field day returned with a comment, corrected, resubmitted, decided.

Through the pages: who may return, what the author sees, the correction (diary, villages,
photos added and removed), the history of every state, the final rejection, the month
close, double submits and stale pages.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import fieldwork, statements
from assessment.models import FieldDay, Finding, Month
from tests.assessment.fieldwork_builders import good_photo, make_field_day
from tests.assessment.statement_builders import OCTOBER, make_days
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=1) if TODAY.day > 1 else TODAY
STALE = "此记录已被他人修改"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_day(world, **fields):
    return make_field_day(world.manager_a, [world.village_a], DAY, [good_photo(DAY, 3)], **fields)


def return_url(day):
    return reverse("assessment:return_field_day", args=[day.pk])


def correct_url(day):
    return reverse("assessment:correct_field_day", args=[day.pk])


def returned(world, day, note="请补充走访农户名单"):
    return fieldwork.return_field_day(
        field_day=day, reviewer=world.head_office, note=note, now=timezone.now()
    )


def correction(day, **changes):
    data = {
        "villages": [v.pk for v in day.villages.all()],
        "households_visited": day.households_visited,
        "diary": day.diary,
        "version": fieldwork.correction_version(day),
    }
    return data | changes


@pytest.mark.parametrize(
    ("role", "may_return"),
    [
        ("head_office", True),
        ("branch_head", True),  # the head of the day's branch
        ("branch_head_2", False),  # another branch's head: out of scope, 404
        ("section_chief", False),
        ("manager_a2", False),
    ],
)
def test_head_office_and_the_days_branch_head_return_a_day_with_a_comment(world, role, may_return):
    day = a_day(world)
    response = login(getattr(world, role)).post(
        return_url(day), {"note": "请补充日志", "version": fieldwork.review_version(day)}
    )
    day.refresh_from_db()
    if may_return:
        assert response.status_code == 302
        assert (day.status, day.review_note) == (FieldDay.Status.RETURNED, "请补充日志")
        assert day.reviewed_by == getattr(world, role)
    else:
        assert response.status_code == 404
        assert day.status == FieldDay.Status.SUBMITTED


def test_a_return_needs_a_comment_and_nobody_returns_their_own_day(world):
    day = a_day(world)
    client = login(world.head_office)
    page = client.post(return_url(day), {"note": "  "}, follow=True).text
    assert "退回" in page
    day.refresh_from_db()
    assert day.status == FieldDay.Status.SUBMITTED
    own = make_field_day(world.branch_head, [world.village_a], DAY, [good_photo(DAY, 4)])
    assert login(world.branch_head).post(return_url(own), {"note": "x"}).status_code == 404


def test_the_author_sees_the_returned_day_with_its_comment(world):
    day = returned(world, a_day(world))
    page = login(world.manager_a).get(reverse("assessment:field_days")).text
    assert 'id="returned-to-me"' in page
    assert "请补充走访农户名单" in page
    assert correct_url(day) in page
    assert list(fieldwork.returned_to(world.manager_a)) == [day]
    assert list(fieldwork.returned_to(world.manager_a2)) == []
    # Not in the author's confirmed count, not anyone else's list.
    assert (
        "returned-to-me" not in login(world.manager_a2).get(reverse("assessment:field_days")).text
    )


def test_the_author_corrects_and_resubmits_then_head_office_confirms_and_history_keeps_all(world):
    day = returned(world, a_day(world))
    old_photo = day.photos.get()
    client = login(world.manager_a)
    assert client.get(correct_url(day)).status_code == 200
    response = client.post(
        correct_url(day),
        correction(
            day,
            diary="补充：走访张家湾 12 户，名单附后。",
            households_visited=14,
            remove_photos=[old_photo.pk],
            photos=[good_photo(DAY, 21), good_photo(DAY, 22)],
        ),
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.status == FieldDay.Status.SUBMITTED
    assert (day.diary, day.households_visited) == ("补充：走访张家湾 12 户，名单附后。", 14)
    assert day.photos.count() == 2
    assert not day.photos.filter(pk=old_photo.pk).exists()

    head = login(world.head_office)
    head.post(
        reverse("assessment:review_field_day", args=[day.pk]),
        {"decision": "confirmed", "note": "", "version": fieldwork.review_version(day)},
    )
    day.refresh_from_db()
    assert day.status == FieldDay.Status.CONFIRMED
    page = head.get(day.get_absolute_url()).text
    history = page.split('id="day-history"')[1].split("</ol>")[0]
    for state in ("已提交", "退回补充", "请补充走访农户名单", "已重新提交", "已确认"):
        assert state in history
    assert history.index("退回补充") < history.index("已重新提交") < history.index("已确认")


def test_a_correction_keeps_a_photo_found_to_be_falsification_and_at_least_one_photo(world):
    day = returned(world, a_day(world))
    photo = day.photos.get()
    client = login(world.manager_a)
    page = client.post(correct_url(day), correction(day, remove_photos=[photo.pk])).text
    assert "请保留或添加至少一张走访照片" in page
    day.refresh_from_db()
    assert day.status == FieldDay.Status.RETURNED

    finding = Finding.objects.create(photo=photo, kind="reused", detail="重复")
    fieldwork.rule_on_finding(
        finding=finding,
        reviewer=world.head_office,
        ruling=Finding.Status.CONFIRMED_FALSIFICATION,
        note="核实",
        now=timezone.now(),
    )
    response = client.post(
        correct_url(day),
        correction(day, remove_photos=[photo.pk], photos=[good_photo(DAY, 30)]),
        follow=True,
    )
    assert "证据" in response.text
    assert day.photos.filter(pk=photo.pk).exists()


def test_a_rejection_is_final(world):
    day = a_day(world)
    head = login(world.head_office)
    url = reverse("assessment:review_field_day", args=[day.pk])
    head.post(url, {"decision": "rejected", "note": "日志与照片不符"})
    head.post(url, {"decision": "confirmed", "note": "改判"})
    head.post(return_url(day), {"note": "补充"})
    day.refresh_from_db()
    assert (day.status, day.review_note) == (FieldDay.Status.REJECTED, "日志与照片不符")
    page = head.get(day.get_absolute_url()).text
    assert "review-day" not in page
    assert "return-day" not in page
    assert login(world.manager_a).get(correct_url(day)).status_code == 302  # nothing to correct


def test_a_day_awaiting_review_is_not_corrected(world):
    day = a_day(world)
    response = login(world.manager_a).post(correct_url(day), correction(day, diary="改"))
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.diary != "改"


def test_only_its_person_corrects_a_returned_day(world):
    day = returned(world, a_day(world))
    for role in ("manager_a2", "branch_head", "head_office"):
        assert login(getattr(world, role)).get(correct_url(day)).status_code == 404


def test_a_double_return_and_a_double_resubmit_never_500_and_write_once(world):
    day = a_day(world)
    head = login(world.head_office)
    data = {"note": "请补充", "version": fieldwork.review_version(day)}
    assert head.post(return_url(day), data).status_code == 302
    assert head.post(return_url(day), data).status_code == 302
    day.refresh_from_db()
    assert day.decisions.filter(status=FieldDay.Status.RETURNED).count() == 1

    client = login(world.manager_a)
    data = correction(day, diary="补充后的日志", photos=[])
    first = client.post(correct_url(day), data)
    second = client.post(correct_url(day), data, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    day.refresh_from_db()
    assert day.status == FieldDay.Status.SUBMITTED
    assert day.decisions.exclude(submitted_at=day.decisions.earliest("history_date").submitted_at)
    assert day.decisions.filter(history_change_reason="resubmitted").count() == 1


def test_a_stale_return_page_is_refused(world):
    day = a_day(world)
    version = fieldwork.review_version(day)
    fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=timezone.now())
    page = (
        login(world.branch_head)
        .post(return_url(day), {"note": "补充", "version": version}, follow=True)
        .text
    )
    assert STALE in page
    day.refresh_from_db()
    assert day.status == FieldDay.Status.CONFIRMED


def test_a_stale_correction_page_is_refused_and_keeps_the_input(world):
    day = returned(world, a_day(world))
    client = login(world.manager_a)
    stale = correction(day, diary="第二个页面的日志")
    client.post(correct_url(day), correction(day, diary="第一个页面的日志"))
    fieldwork.return_field_day(
        field_day=day, reviewer=world.head_office, note="再补充", now=timezone.now()
    )
    page = client.post(correct_url(day), stale).text
    assert STALE in page
    assert "第二个页面的日志" in page
    day.refresh_from_db()
    assert day.diary == "第一个页面的日志"


def test_the_branch_head_lists_their_branchs_days_and_returns_but_does_not_confirm(world):
    day = a_day(world)
    page = login(world.branch_head).get(reverse("assessment:review") + "?show=all").text
    assert return_url(day) in page
    assert reverse("assessment:review_field_day", args=[day.pk]) not in page
    other = login(world.branch_head_2).get(reverse("assessment:review") + "?show=all").text
    assert return_url(day) not in other


# ---- The month: a returned day is not counted and holds the close up ---------------------------


def test_a_returned_day_is_not_counted_and_blocks_the_close_until_decided(world):
    make_days(world.manager_a, world.village_a, 3, month=OCTOBER)
    (held,) = make_days(
        world.manager_a, world.village_a, 1, month=OCTOBER, status=FieldDay.Status.RETURNED, start=9
    )
    row = statements.month_statements(OCTOBER).row_of(world.manager_a.pk)
    assert row.field_days == 3
    page = login(world.head_office).get(reverse("assessment:month", args=[2026, 10])).text
    assert 'id="close-blocked"' in page
    assert "退回" in page
    with pytest.raises(statements.StatementError):
        statements.ensure_closable(OCTOBER)
    fieldwork.reject_field_day(
        field_day=held, reviewer=world.head_office, note="未补充", now=timezone.now()
    )
    statements.ensure_closable(OCTOBER)


def test_a_resubmission_into_a_closed_month_is_refused(world):
    (day,) = make_days(
        world.manager_a, world.village_a, 1, month=OCTOBER, status=FieldDay.Status.SUBMITTED
    )
    day = fieldwork.return_field_day(
        field_day=day, reviewer=world.head_office, note="补充", now=timezone.now()
    )
    Month.objects.update_or_create(
        month=OCTOBER,
        defaults={"status": "closed", "closed_at": timezone.now(), "closed_by": world.head_office},
    )
    response = login(world.manager_a).post(
        correct_url(day), correction(day, diary="补充", photos=[good_photo(day.date, 40)])
    )
    assert response.status_code in (200, 302)
    day.refresh_from_db()
    assert (day.status, day.diary) == (FieldDay.Status.RETURNED, "走访农户，宣传进村入户政策。")
    with pytest.raises(fieldwork.MonthClosed):
        fieldwork.resubmit_field_day(
            field_day=day,
            person=world.manager_a,
            villages=[world.village_a],
            households_visited=1,
            diary="x",
            photos=[],
            remove_photos=[],
            thresholds=fieldwork.thresholds_of(fieldwork.EvidenceSettings.current()),
            now=timezone.now(),
        )
