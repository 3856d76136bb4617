"""Writes of field work: log a field day with its photos, review it, rule on a photo finding.

Each function is one transaction and is the only place its write happens; the views
and the tests call these. The caller passes the time (`now`); nothing here reads the clock.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from . import evidence
from .models.fieldwork import EvidenceSettings, FieldDay, Finding, Photo


class MonthClosed(Exception):
    """The month is closed: nothing in it changes any more."""


class ReviewRefused(Exception):
    """A review or ruling that cannot be made; the message says why."""


def month_is_closed(day: datetime.date) -> bool:
    """Whether head office has closed the month holding `day`; every write in this module asks it first.

    The month close is the statements' (assessment/statements.py), which answer it.
    """
    from .statements import month_is_closed as statements_month_is_closed

    return statements_month_is_closed(day)


def ensure_month_open(day: datetime.date) -> None:
    if month_is_closed(day):
        raise MonthClosed(
            _("%(month)s is closed: its field days and findings no longer change.")
            % {"month": f"{day:%Y-%m}"}
        )


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload that passed evidence.inspect_image, with what it found."""

    file: object  # a Django UploadedFile or File
    facts: evidence.PhotoFacts


def thresholds_of(settings: EvidenceSettings) -> evidence.Thresholds:
    return evidence.Thresholds(
        max_distance_km=settings.max_distance_km, hash_threshold=settings.hash_threshold
    )


def limits_of(settings: EvidenceSettings) -> evidence.Limits:
    return evidence.Limits(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_pixels)


def log_field_day(
    *,
    person,
    date: datetime.date,
    villages: Sequence,
    partner=None,
    households_visited: int,
    diary: str,
    photos: Sequence[CheckedPhoto],
    thresholds: evidence.Thresholds,
    now: datetime.datetime,
) -> FieldDay:
    """Record a field day and its photos, with the findings the photos raise: all or nothing.

    The photos were checked before (the form does it); their files are written here,
    inside the transaction, and removed again if anything fails.
    """
    ensure_month_open(date)
    branches = {village.township.branch for village in villages}
    if len(branches) != 1:
        raise ValueError("the villages of a field day belong to one branch")
    saved = []
    try:
        with transaction.atomic():
            field_day = FieldDay.objects.create(
                person=person,
                date=date,
                branch=branches.pop(),
                partner=partner,
                households_visited=households_visited,
                diary=diary,
                submitted_at=now,
            )
            field_day.villages.set(villages)
            places = [evidence.Place(v.name, v.latitude, v.longitude) for v in villages]
            earlier = earlier_photos(exclude_field_day=field_day)
            findings = []
            for checked in photos:
                photo = _store_photo(field_day, checked, now=now, saved=saved)
                issues = evidence.find_issues(
                    checked.facts, day=date, places=places, earlier=earlier, thresholds=thresholds
                )
                findings += [
                    Finding(
                        photo=photo,
                        kind=issue.kind,
                        detail=issue.detail,
                        related_photo_id=issue.related_photo_id,
                        created_at=now,
                    )
                    for issue in issues
                ]
            Finding.objects.bulk_create(findings)
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return field_day


def _store_photo(field_day, checked: CheckedPhoto, *, now, saved: list) -> Photo:
    facts = checked.facts
    photo = Photo(
        field_day=field_day,
        original_name=(getattr(checked.file, "name", "") or "")[-255:],
        size=facts.size,
        width=facts.width,
        height=facts.height,
        taken_at=facts.taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        phash=facts.phash,
        unverified=facts.unverified,
        uploaded_at=now,
    )
    checked.file.seek(0)
    # The name passed only carries the format found; upload_to makes the real one.
    photo.image.save(f"photo.{facts.extension}", checked.file, save=False)
    saved.append(photo.image.name)
    photo.save()
    return photo


def earlier_photos(*, exclude_field_day) -> list[evidence.EarlierPhoto]:
    """Every stored photo of other field days, as candidates for reuse (one query).

    Compared in Python: a county's few hundred thousand 64-bit hashes take well
    under a second. Photos of the same field day are not compared with each other:
    two shots of one household are not a reuse.
    """
    rows = (
        Photo.objects.exclude(field_day=exclude_field_day)
        .order_by("field_day__date", "pk")
        .values_list(
            "pk",
            "phash",
            "field_day__date",
            "field_day__person__display_name",
            "field_day__person__username",
        )
    )
    return [
        evidence.EarlierPhoto(id=pk, phash=phash, person=name or username, day=day)
        for pk, phash, day, name, username in rows
    ]


@transaction.atomic
def confirm_field_day(*, field_day, reviewer, now: datetime.datetime, note: str = "") -> FieldDay:
    """Head office counts the day (下乡天数): every finding on its photos must be ruled on first."""
    field_day = _lock_for_review(field_day, reviewer)
    if Finding.objects.filter(photo__field_day=field_day).open().exists():
        raise ReviewRefused(_("Rule on every photo finding of this day before confirming it."))
    return _decide(field_day, FieldDay.Status.CONFIRMED, reviewer=reviewer, note=note, now=now)


@transaction.atomic
def reject_field_day(*, field_day, reviewer, now: datetime.datetime, note: str) -> FieldDay:
    """Head office does not count the day; the note tells the person why."""
    field_day = _lock_for_review(field_day, reviewer)
    if not note.strip():
        raise ReviewRefused(_("Say why the field day is not counted."))
    return _decide(field_day, FieldDay.Status.REJECTED, reviewer=reviewer, note=note, now=now)


def _lock_for_review(field_day, reviewer) -> FieldDay:
    field_day = FieldDay.objects.select_for_update().get(pk=field_day.pk)
    ensure_month_open(field_day.date)
    if not reviewer.is_head_office:
        raise ReviewRefused(_("Only head office reviews field days."))
    if field_day.person_id == reviewer.pk:
        raise ReviewRefused(_("Nobody reviews their own field days."))
    return field_day


def _decide(field_day, status, *, reviewer, note, now) -> FieldDay:
    field_day.status = status
    field_day.reviewed_by = reviewer
    field_day.reviewed_at = now
    field_day.review_note = note.strip()
    field_day._history_user = reviewer  # the decision's history row names who took it
    field_day.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return field_day


RULINGS = (Finding.Status.DISMISSED, Finding.Status.CONFIRMED_FALSIFICATION)


@transaction.atomic
def rule_on_finding(
    *, finding, reviewer, ruling: str, note: str, now: datetime.datetime
) -> Finding:
    """Head office dismisses a finding or confirms it as falsification (弄虚作假, −200 yuan).

    A ruling may be changed while the month is open; the note is required either way.
    """
    finding = (
        Finding.objects.select_for_update().select_related("photo__field_day").get(pk=finding.pk)
    )
    field_day = finding.photo.field_day
    ensure_month_open(field_day.date)
    if ruling not in RULINGS:
        raise ValueError(f"not a ruling: {ruling!r}")
    if not reviewer.is_head_office:
        raise ReviewRefused(_("Only head office rules on photo findings."))
    if field_day.person_id == reviewer.pk:
        raise ReviewRefused(_("Nobody rules on findings about their own photos."))
    if not note.strip():
        raise ReviewRefused(_("Give the reason for the ruling."))
    finding.status = ruling
    finding.ruled_by = reviewer
    finding.ruled_at = now
    finding.ruling_note = note.strip()
    finding._history_user = reviewer  # each ruling is a history row: an earlier one stays
    finding.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_note"])
    return finding
