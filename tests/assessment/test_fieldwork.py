"""Field days with photos: logging on the phone form, findings, serving, head office's review."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from archives.models import Role
from assessment import fieldwork
from assessment.models import EvidenceSettings, FieldDay, Finding, Month, Photo
from tests.assessment.fieldwork_builders import (
    VILLAGE_LAT,
    VILLAGE_LON,
    at,
    good_photo,
    make_field_day,
    photo_bytes,
    upload,
)
from tests.builders import make_user, make_village
from tests.conftest import login
from tests.storage import stored_files

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads land in a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def form_data(world, day=TODAY, **overrides):
    data = {
        "date": day.isoformat(),
        "villages": [world.village_a.pk],
        "partner": world.manager_a2.pk,
        "households_visited": 9,
        "diary": "上午走访A村一组9户，发放联系卡。",
    }
    data.update(overrides)
    return data


def post_field_day(client, data, photos):
    return client.post(reverse("assessment:field_day_log"), {**data, "photos": photos})


# --- Logging a field day ------------------------------------------------------------


def test_a_manager_logs_a_field_day_with_two_photos_on_the_form(world, media):
    client = login(world.manager_a)
    photos = [good_photo(TODAY, 1, "IMG_0001.jpg"), good_photo(TODAY, 2, "私人 照片.jpg")]
    response = post_field_day(client, form_data(world), photos)

    field_day = FieldDay.objects.get()
    assert response.status_code == 302
    assert response["Location"] == field_day.get_absolute_url()
    assert field_day.person == world.manager_a
    assert field_day.date == TODAY
    assert field_day.branch == world.branch1
    assert list(field_day.villages.all()) == [world.village_a]
    assert field_day.partner == world.manager_a2
    assert field_day.households_visited == 9
    assert field_day.status == FieldDay.Status.SUBMITTED
    photos = list(field_day.photos.order_by("pk"))
    assert [p.original_name for p in photos] == ["IMG_0001.jpg", "私人 照片.jpg"]
    for photo in photos:
        # A server-made name: photos/YYYY/MM/<32 hex>.jpg, never the uploader's name.
        assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", photo.image.name)
        assert photo.taken_at == at(TODAY)
        assert photo.latitude is not None
        assert not photo.unverified
        assert (photo.width, photo.height) == (320, 240)
    assert len(stored_files()) == 6  # each photo, its shown copy and its thumbnail
    assert not Finding.objects.exists()

    page = client.get(field_day.get_absolute_url())
    assert page.status_code == 200
    assert "上午走访A村一组9户" in page.text
    for photo in photos:
        assert reverse("assessment:photo", args=[photo.pk]) in page.text


def test_one_bad_photo_saves_nothing_at_all(world, media):
    client = login(world.manager_a)
    text_as_jpg = upload("这不是照片\n".encode(), "fake.jpg")
    response = post_field_day(client, form_data(world), [good_photo(TODAY, 1), text_as_jpg])

    assert response.status_code == 200
    errors = response.context["form"].errors["photos"]
    assert any("fake.jpg" in error for error in errors)
    assert not FieldDay.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files() == []


def test_files_written_before_a_failure_are_removed(world, media, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Finding.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        make_field_day(
            world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 1), good_photo(TODAY, 2)]
        )
    assert not FieldDay.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("date", {"date": (TODAY + datetime.timedelta(days=1)).isoformat()}),
        ("villages", {"villages": []}),
        ("diary", {"diary": "   "}),
        ("households_visited", {"households_visited": -1}),
    ],
)
def test_the_form_refuses_a_bad_field_and_keeps_no_photo(world, media, field, overrides):
    client = login(world.manager_a)
    response = post_field_day(client, form_data(world, **overrides), [good_photo(TODAY)])
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not FieldDay.objects.exists()
    assert stored_files() == []


def test_a_field_day_needs_a_photo(world):
    response = post_field_day(login(world.manager_a), form_data(world), [])
    assert "photos" in response.context["form"].errors
    assert not FieldDay.objects.exists()


def test_a_day_is_logged_once(world):
    make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    response = post_field_day(login(world.manager_a), form_data(world), [good_photo(TODAY, 2)])
    assert "date" in response.context["form"].errors
    assert FieldDay.objects.count() == 1


def test_a_manager_may_only_claim_their_own_villages(world):
    client = login(world.manager_a)
    response = client.get(reverse("assessment:field_day_log"))
    assert list(response.context["form"].fields["villages"].queryset) == [world.village_a]
    response = post_field_day(
        client, form_data(world, villages=[world.village_b.pk]), [good_photo(TODAY)]
    )
    assert "villages" in response.context["form"].errors
    assert not FieldDay.objects.exists()


def test_the_partner_is_someone_of_the_same_branch(world):
    form = login(world.manager_a).get(reverse("assessment:field_day_log")).context["form"]
    partners = set(form.fields["partner"].queryset)
    assert world.manager_a2 in partners
    assert world.branch_head in partners
    assert world.manager_a not in partners
    assert world.manager_c not in partners


def test_the_villages_of_a_day_belong_to_one_branch(world):
    village_b2 = make_village(branch=world.branch2, name="D村")
    chief = make_user(Role.SECTION_CHIEF, branches=[world.branch1, world.branch2])
    response = post_field_day(
        login(chief),
        form_data(world, villages=[world.village_a.pk, village_b2.pk], partner=""),
        [good_photo(TODAY)],
    )
    assert "villages" in response.context["form"].errors


def test_leaders_and_chiefs_log_their_trips_as_field_days_with_households(world):
    for day, households in ((YESTERDAY, 60), (TODAY, 55)):
        make_field_day(
            world.leader,
            [world.village_a, world.village_b],
            day,
            [good_photo(day, day.day)],
            households_visited=households,
        )
    month = FieldDay.objects.filter(person=world.leader).in_month(TODAY)
    totals = {row["person"]: row for row in month.totals_by_person()}
    expected_days = sum(1 for d in (YESTERDAY, TODAY) if d.month == TODAY.month)
    assert totals[world.leader.pk]["days"] == expected_days
    page = login(world.leader).get(reverse("assessment:field_days"))
    assert page.status_code == 200
    assert page.context["totals"]["logged"] == expected_days


# --- Findings -----------------------------------------------------------------------


def test_a_photo_reused_from_another_persons_day_is_flagged(world):
    first = make_field_day(
        world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)]
    )
    # The same picture, sent again as a fresh upload (re-saved: not byte-identical).
    again = upload(photo_bytes(7, taken=at(TODAY), gps=(VILLAGE_LAT, VILLAGE_LON), quality=70))
    second = make_field_day(world.manager_a, [world.village_a], TODAY, [again])

    (finding,) = Finding.objects.filter(photo__field_day=second)
    assert finding.kind == Finding.Kind.REUSED
    assert finding.related_photo == first.photos.get()
    assert "manager_b" in finding.detail
    assert YESTERDAY.isoformat() in finding.detail
    assert finding.status == Finding.Status.OPEN


def test_a_photo_reused_from_the_same_persons_other_day_is_flagged(world):
    make_field_day(world.manager_a, [world.village_a], YESTERDAY, [good_photo(YESTERDAY, 8)])
    reused = upload(photo_bytes(8))  # no EXIF this time: the hash still knows it
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [reused])
    assert [f.kind for f in Finding.objects.filter(photo__field_day=day)] == ["reused"]


def test_two_shots_on_the_same_day_are_not_a_reuse(world):
    day = make_field_day(
        world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 9), good_photo(TODAY, 9)]
    )
    assert not Finding.objects.filter(photo__field_day=day).exists()


def test_a_photo_from_another_day_and_far_away_raises_two_findings(world):
    elsewhere = upload(photo_bytes(10, taken=at(YESTERDAY), gps=(VILLAGE_LAT + 1, VILLAGE_LON)))
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [elsewhere])
    findings = {f.kind: f for f in Finding.objects.filter(photo__field_day=day)}
    assert set(findings) == {"other_day", "too_far"}
    assert YESTERDAY.isoformat() in findings["other_day"].detail
    assert TODAY.isoformat() in findings["other_day"].detail
    assert "111.2" in findings["too_far"].detail


def test_head_office_sets_the_distance_in_the_admin_row(world):
    EvidenceSettings.objects.create(max_distance_km=200)
    elsewhere = upload(photo_bytes(10, taken=at(TODAY), gps=(VILLAGE_LAT + 1, VILLAGE_LON)))
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [elsewhere])
    assert not Finding.objects.filter(photo__field_day=day).exists()


def test_a_photo_without_exif_is_unverified_and_not_a_finding(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [upload(photo_bytes(11))])
    photo = day.photos.get()
    assert photo.unverified
    assert photo.taken_at is None
    assert not Finding.objects.exists()


# --- Serving photos -----------------------------------------------------------------


def test_a_photo_is_served_without_gps_or_any_exif(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    photo = day.photos.get()
    with photo.image.open("rb") as stored:
        assert Image.open(stored).getexif().get_ifd(0x8825)  # the evidence keeps it
    for query in ("", "?size=thumb"):
        response = login(world.branch_head).get(photo.get_absolute_url() + query)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        content = response.getvalue()
        served = Image.open(io.BytesIO(content))
        assert served.getexif().get_ifd(0x8825) == {}
        assert dict(served.getexif()) == {}
        assert b"Exif" not in content[:200]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager_a", 200),
        ("branch_head", 200),
        ("section_chief", 200),
        ("leader", 200),
        ("head_office", 200),
        ("manager_a2", 404),  # same village, someone else's photos
        ("manager_b", 404),
        ("manager_c", 404),
        ("branch_head_2", 404),
    ],
)
def test_a_photo_is_served_only_to_those_who_see_its_field_day(world, role, status):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    url = day.photos.get().get_absolute_url()
    assert login(getattr(world, role)).get(url).status_code == status


def test_media_urls_do_not_serve_photos(world, client):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    name = day.photos.get().image.name
    response = login(world.head_office).get(f"/media/{name}")
    assert response.status_code == 404


# --- Head office's review -----------------------------------------------------------


def test_head_office_confirms_a_field_day(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    client = login(world.head_office)
    review_url = reverse("assessment:review") + f"?month={TODAY:%Y-%m}"
    page = client.get(review_url)
    assert page.status_code == 200
    assert day in page.context["days"]

    response = client.post(
        reverse("assessment:review_field_day", args=[day.pk]),
        {"decision": "confirmed", "note": "照片与日志相符", "next": review_url},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url
    day.refresh_from_db()
    assert day.status == FieldDay.Status.CONFIRMED
    assert day.reviewed_by == world.head_office
    assert day.reviewed_at is not None
    assert day.review_note == "照片与日志相符"
    assert FieldDay.objects.in_month(TODAY).confirmed().count() == 1


def test_a_day_with_an_open_finding_cannot_be_confirmed_until_it_is_ruled_on(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    now = timezone.now()
    with pytest.raises(fieldwork.ReviewRefused):
        fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=now)
    fieldwork.rule_on_finding(
        finding=finding, reviewer=world.head_office, ruling="dismissed", note="同组搭档", now=now
    )
    fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=now)
    day.refresh_from_db()
    assert day.status == FieldDay.Status.CONFIRMED


def test_head_office_confirms_a_falsification_which_counts_per_person_and_branch(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    client = login(world.head_office)
    response = client.post(
        reverse("assessment:rule_finding", args=[finding.pk]),
        {"ruling": "confirmed_falsification", "note": "与刘某照片相同，系翻拍"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CONFIRMED_FALSIFICATION
    assert finding.ruled_by == world.head_office
    assert finding.ruling_note == "与刘某照片相同，系翻拍"

    found = Finding.objects.confirmed_falsifications(TODAY)
    assert found.count_by_person() == {world.manager_a.pk: 1}
    assert found.count_by_branch() == {world.branch1.pk: 1}
    next_month = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert Finding.objects.confirmed_falsifications(next_month).count() == 0

    # Head office may also not count the day, with a reason.
    client.post(
        reverse("assessment:review_field_day", args=[day.pk]),
        {"decision": "rejected", "note": "照片系翻拍"},
    )
    day.refresh_from_db()
    assert day.status == FieldDay.Status.REJECTED


def test_a_ruling_needs_a_reason(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    login(world.head_office).post(
        reverse("assessment:rule_finding", args=[finding.pk]),
        {"ruling": "confirmed_falsification", "note": ""},
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_not_counting_a_day_needs_a_reason(world):
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY)])
    with pytest.raises(fieldwork.ReviewRefused):
        fieldwork.reject_field_day(
            field_day=day, reviewer=world.head_office, note=" ", now=timezone.now()
        )


def test_nobody_reviews_their_own_field_day(world):
    day = make_field_day(world.head_office, [world.village_a], TODAY, [good_photo(TODAY)])
    with pytest.raises(fieldwork.ReviewRefused):
        fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=timezone.now())


@pytest.mark.parametrize("role", ["manager_a", "branch_head", "section_chief", "leader"])
def test_only_head_office_reviews(world, role):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    client = login(getattr(world, role))
    assert (
        client.post(
            reverse("assessment:review_field_day", args=[day.pk]), {"decision": "confirmed"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("assessment:rule_finding", args=[finding.pk]),
            {"ruling": "dismissed", "note": "x"},
        ).status_code
        == 404
    )
    day.refresh_from_db()
    finding.refresh_from_db()
    assert day.status == FieldDay.Status.SUBMITTED
    assert finding.status == Finding.Status.OPEN
    # Branch heads, chiefs and leaders see the day, without the review forms.
    if role != "manager_a":
        page = client.get(day.get_absolute_url())
        assert page.status_code == 200
        assert reverse("assessment:review_field_day", args=[day.pk]) not in page.text


def test_a_closed_month_changes_through_none_of_these(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    finding = Finding.objects.get(photo__field_day=day)
    now = timezone.now()
    Month.objects.filter(month=TODAY.replace(day=1)).update(
        status=Month.Status.CLOSED, closed_by=world.head_office, closed_at=now
    )
    with pytest.raises(fieldwork.MonthClosed):
        make_field_day(world.manager_a2, [world.village_a], TODAY, [good_photo(TODAY, 3)])
    with pytest.raises(fieldwork.MonthClosed):
        fieldwork.reject_field_day(field_day=day, reviewer=world.head_office, note="x", now=now)
    with pytest.raises(fieldwork.MonthClosed):
        fieldwork.rule_on_finding(
            finding=finding, reviewer=world.head_office, ruling="dismissed", note="x", now=now
        )
    client = login(world.head_office)
    client.post(
        reverse("assessment:rule_finding", args=[finding.pk]), {"ruling": "dismissed", "note": "x"}
    )
    client.post(reverse("assessment:review_field_day", args=[day.pk]), {"decision": "rejected"})
    response = post_field_day(
        login(world.manager_a2), form_data(world, partner=""), [good_photo(TODAY, 4)]
    )
    assert "date" in response.context["form"].errors
    finding.refresh_from_db()
    day.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    assert day.status == FieldDay.Status.SUBMITTED
    assert FieldDay.objects.count() == 2


def test_the_review_tabs_count_the_month(world):
    make_field_day(world.manager_b, [world.village_b], YESTERDAY, [good_photo(YESTERDAY, 7)])
    make_field_day(world.manager_a, [world.village_a], TODAY, [good_photo(TODAY, 7)])
    make_field_day(world.manager_c, [world.village_c], TODAY, [good_photo(TODAY, 8)])
    page = login(world.head_office).get(
        reverse("assessment:review") + f"?month={TODAY:%Y-%m}&show=findings"
    )
    counts = {value: count for value, _label, count in page.context["tabs"]}
    in_month = FieldDay.objects.in_month(TODAY).count()
    assert counts["all"] == counts["submitted"] == in_month
    assert counts["findings"] == 1
    assert [d.person for d in page.context["days"]] == [world.manager_a]


# --- Query counts -------------------------------------------------------------------


def test_the_review_page_takes_the_same_few_queries_for_any_number_of_days(
    world, django_assert_max_num_queries
):
    for n, person in enumerate([world.manager_a, world.manager_a2, world.manager_b], start=1):
        make_field_day(
            person,
            [world.village_a if person != world.manager_b else world.village_b],
            TODAY,
            [good_photo(TODAY, 20 + n), good_photo(TODAY, 30 + n)],
        )
    client = login(world.head_office)
    url = reverse("assessment:review") + f"?month={TODAY:%Y-%m}&show=all"
    # session, user, its TOTP device (head office), tab counts, page count, days,
    # villages, photos, findings
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["days"]) == 3


def test_my_field_days_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for day in {YESTERDAY, TODAY}:
        made = make_field_day(
            world.manager_a,
            [world.village_a],
            day,
            [good_photo(day, day.day)],
            partner=world.manager_a2,
        )
    fieldwork.return_field_day(
        field_day=made, reviewer=world.head_office, note="补充", now=timezone.now()
    )
    make_field_day(
        world.manager_a2,
        [world.village_a],
        YESTERDAY,
        [good_photo(YESTERDAY, 40)],
        partner=world.manager_a,
    )
    client = login(world.manager_a)
    # session, user, days with counts, villages; returned to me and their villages; days
    # naming me as partner and their villages
    with django_assert_max_num_queries(8):
        response = client.get(reverse("assessment:field_days") + f"?month={TODAY:%Y-%m}")
    assert response.status_code == 200


def test_head_office_edits_the_evidence_thresholds_in_the_admin(world):
    client = login(world.head_office)
    assert EvidenceSettings.current().max_distance_km == 3  # the defaults, before any row
    response = client.post(
        "/admin/assessment/evidencesettings/add/",
        {
            "max_distance_km": "2.5",
            "hash_threshold": 5,
            "max_upload_mb": 8,
            "max_pixels": 30000000,
            "max_device_accuracy_m": 300,
        },
    )
    assert response.status_code == 302
    current = EvidenceSettings.current()
    assert (current.max_distance_km, current.hash_threshold) == (Decimal("2.5"), 5)
    assert current.max_upload_bytes == 8 * 1024 * 1024
    # One row: no second one to disagree with it.
    assert client.get("/admin/assessment/evidencesettings/add/").status_code == 403
