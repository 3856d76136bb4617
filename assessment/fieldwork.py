"""Writes of field work: log a field day with its photos, review it, rule on a photo finding.

Each function is one transaction and is the only place its write happens; the views
and the tests call these. The caller passes the time (`now`); nothing here reads the clock.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from archives import unique, versions
from archives.models import Role

from . import evidence, photo_index
from .models.fieldwork import EvidenceSettings, FieldDay, Finding, Photo
from .months import MonthClosed as MonthClosed  # re-exported for the pages and forms
from .months import lock_open_month
from .months import month_is_closed as month_is_closed  # re-exported for the pages and forms


class ReviewRefused(Exception):
    """A review or ruling that cannot be made; the message says why."""


class AlreadyLogged(Exception):
    """The person's day was logged by another request at the same moment; nothing was written."""

    def __init__(self, field_day):
        self.field_day = field_day
        super().__init__(
            _("You have already logged %(date)s.") % {"date": field_day.date.isoformat()}
        )


# What a review and a ruling change: their version (archives.versions) is of these.
REVIEW_FIELDS = ("status", "review_note")
RULING_FIELDS = ("status", "ruling_note")


def review_version(field_day) -> str:
    return versions.version_of(versions.model_values(field_day, REVIEW_FIELDS))


def ruling_version(finding) -> str:
    return versions.version_of(versions.model_values(finding, RULING_FIELDS))


def _check_version(stored, version, **yours) -> None:
    """Refuse (versions.StaleEdit) a decision taken on a page older than `stored`, the locked row."""
    names = tuple(yours)
    after = type(stored)(**{name: getattr(stored, name) for name in names} | yours)
    versions.check(
        version,
        stored=versions.model_values(stored, names),
        yours=versions.model_values(after, names),
    )


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload that passed evidence.inspect_image, with what it found."""

    file: object  # a Django UploadedFile or File
    facts: evidence.PhotoFacts


def thresholds_of(settings: EvidenceSettings) -> evidence.Thresholds:
    return evidence.Thresholds(
        max_distance_km=settings.max_distance_km,
        hash_threshold=settings.hash_threshold,
        max_device_accuracy_m=settings.max_device_accuracy_m,
        reuse_lookback_days=settings.reuse_lookback_days,
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
    inside the transaction, and removed again if anything fails. Earlier photos like
    them are looked up before it (photo_index), so no lock waits on that read.
    """
    branches = {village.township.branch for village in villages}
    if len(branches) != 1:
        raise ValueError("the villages of a field day belong to one branch")
    earlier = photo_index.earlier_like(
        (checked.facts.phash for checked in photos), day=date, thresholds=thresholds
    )
    saved = []
    try:
        with transaction.atomic():
            lock_open_month(date)
            try:
                with unique.violations(FieldDay):
                    field_day = FieldDay.objects.create(
                        person=person,
                        date=date,
                        branch=branches.pop(),
                        partner=partner,
                        partner_answer=(
                            FieldDay.PartnerAnswer.PENDING
                            if partner
                            else FieldDay.PartnerAnswer.NONE
                        ),
                        households_visited=households_visited,
                        diary=diary,
                        submitted_at=now,
                    )
            except unique.Violation as violation:
                if violation.constraint != "field_day_one_per_person_per_day":
                    raise
                raise AlreadyLogged(FieldDay.objects.get(person=person, date=date)) from None
            field_day.villages.set(villages)
            _add_photos(
                field_day,
                villages,
                photos,
                earlier=earlier,
                thresholds=thresholds,
                now=now,
                saved=saved,
            )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return field_day


def _add_photos(field_day, villages, photos, *, earlier, thresholds, now, saved: list) -> None:
    """Store the photos of a day with the findings they raise against its villages.

    `earlier` are the stored photos like them (photo_index.earlier_like), read before
    the transaction: one deleted since (a day corrected meanwhile) is no longer named.
    """
    places = [evidence.Place(v.name, v.latitude, v.longitude) for v in villages]
    earlier = photo_index.still_stored(earlier)
    findings = []
    for checked in photos:
        photo = _store_photo(field_day, checked, now=now, saved=saved)
        issues = evidence.find_issues(
            checked.facts, day=field_day.date, places=places, earlier=earlier, thresholds=thresholds
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


def _store_photo(field_day, checked: CheckedPhoto, *, now, saved: list) -> Photo:
    facts = checked.facts
    device = facts.device
    photo = Photo(
        field_day=field_day,
        original_name=(getattr(checked.file, "name", "") or "")[-255:],
        size=facts.size,
        width=facts.width,
        height=facts.height,
        taken_at=facts.taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        device_latitude=device.latitude if device else None,
        device_longitude=device.longitude if device else None,
        device_accuracy_m=device.accuracy_m if device else None,
        phash=facts.phash,
        unverified=facts.unverified,
        uploaded_at=now,
    )
    checked.file.seek(0)
    # The name passed only carries the format found; upload_to makes the real one.
    photo.image.save(f"photo.{facts.extension}", checked.file, save=False)
    saved.append(photo.image.name)
    checked.file.seek(0)
    _save_copies(photo, checked.file, saved=saved)
    photo.save()
    return photo


def _save_copies(photo, source, *, saved: list) -> None:
    """Make the copy shown and the thumbnail of a photo, once, and store them on it."""
    served = evidence.stripped_jpeg(source)
    source.seek(0)
    thumbnail = evidence.stripped_jpeg(source, thumbnail=True)
    photo.served.save("served.jpg", ContentFile(served), save=False)
    saved.append(photo.served.name)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
    saved.append(photo.thumbnail.name)


def make_copies(photo: Photo) -> bool:
    """Make the missing copies of a photo stored before they were made at upload.

    Returns whether this call stored them; a photo another call got to first keeps
    that call's copies and these are removed.
    """
    if photo.served and photo.thumbnail:
        return False
    saved = []
    try:
        with photo.image.open("rb") as stored:
            _save_copies(photo, stored, saved=saved)
        claimed = Photo.objects.filter(pk=photo.pk, served="").update(
            served=photo.served.name, thumbnail=photo.thumbnail.name
        )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    if not claimed:
        for name in saved:
            default_storage.delete(name)
        photo.refresh_from_db(fields=["served", "thumbnail"])
    return bool(claimed)


@transaction.atomic
def confirm_field_day(
    *, field_day, reviewer, now: datetime.datetime, note: str = "", version: str | None = None
) -> FieldDay:
    """Head office counts the day (下乡天数): every finding on its photos must be ruled on first.

    `version` is review_version() of the day as the page showed it: a decision taken on
    a page older than the day's last review raises versions.StaleEdit.
    """
    field_day = _lock_for_review(field_day, reviewer)
    _check_version(field_day, version, status=FieldDay.Status.CONFIRMED, review_note=note.strip())
    if Finding.objects.filter(photo__field_day=field_day).open().exists():
        raise ReviewRefused(_("Rule on every photo finding of this day before confirming it."))
    return _decide(field_day, FieldDay.Status.CONFIRMED, reviewer=reviewer, note=note, now=now)


@transaction.atomic
def reject_field_day(
    *, field_day, reviewer, now: datetime.datetime, note: str, version: str | None = None
) -> FieldDay:
    """Head office does not count the day; the note tells the person why."""
    field_day = _lock_for_review(field_day, reviewer)
    _check_version(field_day, version, status=FieldDay.Status.REJECTED, review_note=note.strip())
    if not note.strip():
        raise ReviewRefused(_("Say why the field day is not counted."))
    return _decide(field_day, FieldDay.Status.REJECTED, reviewer=reviewer, note=note, now=now)


def _lock_for_review(field_day, reviewer) -> FieldDay:
    # The month's row first, then the day: the order every writer and the close keep.
    lock_open_month(FieldDay.objects.values_list("date", flat=True).get(pk=field_day.pk))
    field_day = FieldDay.objects.select_for_update().get(pk=field_day.pk)
    if not reviewer.is_head_office:
        raise ReviewRefused(_("Only head office reviews field days."))
    if field_day.person_id == reviewer.pk:
        raise ReviewRefused(_("Nobody reviews their own field days."))
    if field_day.status == FieldDay.Status.REJECTED:
        raise ReviewRefused(_("This field day was not counted: that decision is final."))
    return field_day


def _decide(field_day, status, *, reviewer, note, now) -> FieldDay:
    field_day.status = status
    field_day.reviewed_by = reviewer
    field_day.reviewed_at = now
    field_day.review_note = note.strip()
    field_day._change_reason = field_day.review_note  # for the change history, where kept
    field_day._history_user = reviewer  # the decision's history row names who took it
    field_day.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return field_day


@transaction.atomic
def confirm_days_without_findings(*, month: datetime.date, reviewer, now: datetime.datetime):
    """Head office confirms, in one step, every day of the month awaiting review with no finding.

    A day with a finding open or confirmed as falsification is left for a review of its
    own, and so are the reviewer's own days. Each day confirmed is saved on its own
    (reviewer, time and a note saying how), so its history shows the decision like any
    other. Returns the days confirmed.
    """
    if not reviewer.is_head_office:
        raise ReviewRefused(_("Only head office reviews field days."))
    lock_open_month(month)
    flagged = Finding.objects.filter(
        status__in=(Finding.Status.OPEN, Finding.Status.CONFIRMED_FALSIFICATION)
    ).values("photo__field_day")
    days = (
        FieldDay.objects.select_for_update()
        .in_month(month)
        .filter(status=FieldDay.Status.SUBMITTED)
        .exclude(person=reviewer)
        .exclude(pk__in=flagged)
        .order_by("pk")
    )
    note = _("Confirmed with every day of %(month)s without findings.") % {
        "month": f"{month:%Y-%m}"
    }
    return [
        _decide(day, FieldDay.Status.CONFIRMED, reviewer=reviewer, note=note, now=now)
        for day in days
    ]


RULINGS = (Finding.Status.DISMISSED, Finding.Status.CONFIRMED_FALSIFICATION)


@transaction.atomic
def rule_on_finding(
    *,
    finding,
    reviewer,
    ruling: str,
    note: str,
    now: datetime.datetime,
    version: str | None = None,
) -> Finding:
    """Head office dismisses a finding or confirms it as falsification (弄虚作假, −200 yuan).

    A ruling may be changed while the month is open; the note is required either way.
    """
    day = Finding.objects.values_list("photo__field_day__date", flat=True).get(pk=finding.pk)
    lock_open_month(day)
    finding = (
        Finding.objects.select_for_update().select_related("photo__field_day").get(pk=finding.pk)
    )
    field_day = finding.photo.field_day
    if ruling not in RULINGS:
        raise ValueError(f"not a ruling: {ruling!r}")
    if not reviewer.is_head_office:
        raise ReviewRefused(_("Only head office rules on photo findings."))
    if field_day.person_id == reviewer.pk:
        raise ReviewRefused(_("Nobody rules on findings about their own photos."))
    if not note.strip():
        raise ReviewRefused(_("Give the reason for the ruling."))
    _check_version(finding, version, status=ruling, ruling_note=note.strip())
    finding.status = ruling
    finding.ruled_by = reviewer
    finding.ruled_at = now
    finding.ruling_note = note.strip()
    finding._history_user = reviewer  # each ruling is a history row: an earlier one stays
    finding.save(update_fields=["status", "ruled_by", "ruled_at", "ruling_note"])
    return finding


# ---- Send back (退回补充, DOMAIN.md §7): returned with a comment, corrected, resubmitted ----

# What a correction changes: the version its form carries is of these and the photos kept.
CORRECTION_FIELDS = ("status", "villages", "households_visited", "diary")


def may_return(user, field_day) -> bool:
    """Head office, or the head of the day's branch, may send another's day back for more."""
    if field_day.person_id == user.pk:
        return False
    if user.is_head_office:
        return True
    if user.role != Role.BRANCH_HEAD:
        return False
    if not hasattr(user, "_head_of_branches"):  # once per request, however many days a list has
        user._head_of_branches = set(user.branches.values_list("pk", flat=True))
    return field_day.branch_id in user._head_of_branches


def returned_to(user):
    """The user's field days returned to them for more, oldest first (for their "today")."""
    return FieldDay.objects.returned_to(user).prefetch_related("villages")


@transaction.atomic
def return_field_day(
    *, field_day, reviewer, note: str, now: datetime.datetime, version: str | None = None
) -> FieldDay:
    """Send a day awaiting review back to its person with what to add or correct.

    A returned day is not counted and holds the month's close up until it is resubmitted
    and reviewed (or head office decides it as it stands).
    """
    lock_open_month(FieldDay.objects.values_list("date", flat=True).get(pk=field_day.pk))
    field_day = FieldDay.objects.select_for_update().get(pk=field_day.pk)
    if not may_return(reviewer, field_day):
        raise ReviewRefused(_("Only head office or the branch head returns this field day."))
    _check_version(field_day, version, status=FieldDay.Status.RETURNED, review_note=note.strip())
    if field_day.status != FieldDay.Status.SUBMITTED:
        raise ReviewRefused(
            _("This field day is %(status)s: only a day awaiting review can be returned.")
            % {"status": field_day.get_status_display()}
        )
    if not note.strip():
        raise ReviewRefused(_("Say what the field day needs before returning it."))
    return _decide(field_day, FieldDay.Status.RETURNED, reviewer=reviewer, note=note, now=now)


def correction_values(field_day, *, photo_ids=None) -> versions.Values:
    values = versions.model_values(field_day, CORRECTION_FIELDS)
    if photo_ids is None:
        photo_ids = [photo.pk for photo in field_day.photos.all()]
    values["photos"] = versions.value(_("Visit photos"), sorted(photo_ids))
    return values


def correction_version(field_day) -> str:
    return versions.version_of(correction_values(field_day))


def resubmit_field_day(
    *,
    field_day,
    person,
    villages: Sequence,
    households_visited: int,
    diary: str,
    photos: Sequence[CheckedPhoto],
    remove_photos: Sequence[int],
    thresholds: evidence.Thresholds,
    now: datetime.datetime,
    version: str | None = None,
) -> FieldDay:
    """The person corrects a returned day and sends it for review again: all or nothing.

    Photos may be added and removed, but a photo found to be falsification stays (it is
    the evidence of the finding) and the day keeps at least one photo. The month must be
    open, checked in this transaction.
    """
    branches = {village.township.branch for village in villages}
    if len(branches) != 1:
        raise ValueError("the villages of a field day belong to one branch")
    earlier = photo_index.earlier_like(
        (checked.facts.phash for checked in photos),
        day=field_day.date,
        thresholds=thresholds,
        exclude_field_day=field_day,
    )
    saved, removed_files = [], []
    try:
        with transaction.atomic():
            lock_open_month(FieldDay.objects.values_list("date", flat=True).get(pk=field_day.pk))
            field_day = FieldDay.objects.select_for_update().get(pk=field_day.pk)
            if field_day.person_id != person.pk:
                raise ReviewRefused(_("Only its own person corrects a field day."))
            stored_photos = list(field_day.photos.all())
            removing = [photo for photo in stored_photos if photo.pk in set(remove_photos)]
            kept = [photo.pk for photo in stored_photos if photo not in removing]
            after = FieldDay(
                status=FieldDay.Status.SUBMITTED,
                households_visited=households_visited,
                diary=diary,
            )
            yours = versions.model_values(after, ("status", "households_visited", "diary"))
            yours["villages"] = versions.value(
                FieldDay._meta.get_field("villages").verbose_name, list(villages)
            )
            yours["photos"] = versions.value(_("Visit photos"), sorted(kept))
            versions.check(version, stored=correction_values(field_day), yours=yours)
            if field_day.status != FieldDay.Status.RETURNED:
                raise ReviewRefused(
                    _("This field day is %(status)s: only a day returned to you is resubmitted.")
                    % {"status": field_day.get_status_display()}
                )
            if Finding.objects.filter(
                photo__in=removing, status=Finding.Status.CONFIRMED_FALSIFICATION
            ).exists():
                raise ReviewRefused(
                    _("A photo found to be falsification is the evidence and stays on the day.")
                )
            if not kept and not photos:
                raise ReviewRefused(_("Keep or add at least one visit photo."))
            for photo in removing:
                removed_files += [photo.image.name, photo.served.name, photo.thumbnail.name]
            Photo.objects.filter(pk__in=[photo.pk for photo in removing]).delete()
            field_day.villages.set(villages)
            field_day.branch = branches.pop()
            _add_photos(
                field_day,
                villages,
                photos,
                earlier=earlier,
                thresholds=thresholds,
                now=now,
                saved=saved,
            )
            field_day.status = FieldDay.Status.SUBMITTED
            field_day.households_visited = households_visited
            field_day.diary = diary
            field_day.submitted_at = now
            # The return's reviewer, time and comment stay in the history row of the return.
            field_day.reviewed_by = None
            field_day.reviewed_at = None
            field_day.review_note = ""
            field_day._history_user = person
            field_day._change_reason = "resubmitted"
            field_day.save()
            files = [name for name in removed_files if name]
            transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return field_day


# ---- The partner of a two-person day (两人一组) says whether they were there ----

PARTNER_ANSWERS = (FieldDay.PartnerAnswer.CONFIRMED, FieldDay.PartnerAnswer.DECLINED)


@transaction.atomic
def answer_as_partner(*, field_day, partner, answer: str, now: datetime.datetime) -> FieldDay:
    """The partner confirms being on the day (and is credited it once confirmed) or declines.

    The answer is given once; the same answer again (a second click) changes nothing.
    """
    if answer not in PARTNER_ANSWERS:
        raise ValueError(f"not a partner's answer: {answer!r}")
    lock_open_month(FieldDay.objects.values_list("date", flat=True).get(pk=field_day.pk))
    field_day = FieldDay.objects.select_for_update().get(pk=field_day.pk)
    if field_day.partner_id != partner.pk or not field_day.partner_answer:
        raise ReviewRefused(_("This field day does not ask you as its partner."))
    if field_day.partner_answer == answer:
        return field_day
    if field_day.partner_answer != FieldDay.PartnerAnswer.PENDING:
        raise ReviewRefused(
            _("You already answered for this day: %(answer)s.")
            % {"answer": field_day.get_partner_answer_display()}
        )
    field_day.partner_answer = answer
    field_day.partner_answered_at = now
    field_day._history_user = partner
    field_day._change_reason = f"partner {answer}"
    field_day.save(update_fields=["partner_answer", "partner_answered_at"])
    return field_day


@transaction.atomic
def rule_on_findings(*, chosen, reviewer, ruling: str, note: str, now) -> list:
    """Rule several findings at once with one reason: all of them or none.

    `chosen` is a list of (finding id, version shown). Any refusal (a closed month, the
    reviewer's own photo, a finding changed since the page was shown) refuses the whole
    batch, so nothing is half-ruled.
    """
    if not chosen:
        raise ReviewRefused(_("Choose at least one finding."))
    ruled = []
    for finding_id, version in chosen:
        finding = Finding.objects.get(pk=finding_id)
        ruled.append(
            rule_on_finding(
                finding=finding,
                reviewer=reviewer,
                ruling=ruling,
                note=note,
                now=now,
                version=version or None,
            )
        )
    return ruled
