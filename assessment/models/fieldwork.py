"""Field days with their visit photos, the findings the photos raise, and head office's rulings."""

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models import VILLAGE_OVERSIGHT_ROLES, Branch, Village

from ..evidence import BAND_BITS, HASH_BANDS, MAX_INDEXED_THRESHOLD

__all__ = [
    "EvidenceSettings",
    "FieldDay",
    "FieldDayQuerySet",
    "Finding",
    "FindingQuerySet",
    "Photo",
    "month_bounds",
]


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day of the month holding `month` and first day of the next one."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


class EvidenceSettings(models.Model):
    """Head office's thresholds for checking photos; the defaults apply until a row exists."""

    max_distance_km = models.DecimalField(
        _("greatest distance from a claimed village (km)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    hash_threshold = models.PositiveSmallIntegerField(
        _("near-identical photo: greatest Hamming distance"),
        default=6,
        # The photo index finds every photo within this many bits (evidence.band_radius).
        validators=[
            MaxValueValidator(
                MAX_INDEXED_THRESHOLD,
                message=_(
                    "The photo index finds near-identical photos up to %(limit_value)s bits "
                    "apart: enter %(limit_value)s or less."
                ),
            )
        ],
        help_text=_(
            "Two photos whose perceptual hashes differ in this many bits or fewer are the same photo."
        ),
    )
    reuse_lookback_days = models.PositiveIntegerField(
        _("photos compared for reuse: days back"),
        null=True,
        blank=True,
        default=730,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A new photo is compared with the photos of field days up to this many days "
            "before its own (and any after it); empty: every photo the bank holds."
        ),
    )
    max_upload_mb = models.PositiveSmallIntegerField(
        _("largest photo (MB)"), default=10, validators=[MinValueValidator(1)]
    )
    max_pixels = models.PositiveIntegerField(
        _("most pixels in a photo"), default=40_000_000, validators=[MinValueValidator(1_000_000)]
    )
    max_device_accuracy_m = models.PositiveIntegerField(
        _("coarsest phone location used for the distance check (m)"),
        default=500,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A photo without GPS is placed where the phone said it was when the photo was added; "
            "a location less precise than this never raises a “too far” finding."
        ),
    )

    # Each save kept: the admin shows the last change against the one before it.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("photo evidence settings")
        verbose_name_plural = _("photo evidence settings")

    def __str__(self):
        return str(_("photo evidence settings"))

    @classmethod
    def current(cls):
        """The latest row head office saved, or the defaults."""
        return cls.objects.order_by("-pk").first() or cls()

    @property
    def max_upload_bytes(self):
        return self.max_upload_mb * 1024 * 1024


class FieldDayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Field days a user may see: their own and those naming them as partner, their branches'
        (heads, chiefs, leaders), all for head office."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_head_office:
            return self
        # The partner named on a day sees it too: they are asked to confirm being there.
        own = Q(person=user) | Q(partner=user)
        if user.role in VILLAGE_OVERSIGHT_ROLES:
            return self.filter(own | Q(branch__in=user.branches.all()))
        return self.filter(own)

    def in_month(self, month: datetime.date):
        first, following = month_bounds(month)
        return self.filter(date__gte=first, date__lt=following)

    def confirmed(self):
        return self.filter(status=FieldDay.Status.CONFIRMED)

    def returned_to(self, user):
        """The user's days sent back to them for more (退回补充), oldest first."""
        return self.filter(person=user, status=FieldDay.Status.RETURNED).order_by("date", "pk")

    def naming_partner(self, user):
        """Days logged by someone else that name the user as their partner."""
        return self.filter(partner=user).exclude(partner_answer=FieldDay.PartnerAnswer.NONE)

    def credited_days_by_person(self) -> dict[int, int]:
        """{person id: days}: their own days and the days they confirmed as partner (2 queries).

        A date counts once per person: a partner who also logged the same day gets one day.
        """
        own = self.order_by().values_list("person_id", "date")
        partnered = (
            self.order_by()
            .filter(partner_answer=FieldDay.PartnerAnswer.CONFIRMED, partner__isnull=False)
            .values_list("partner_id", "date")
        )
        dates = defaultdict(set)
        for person, day in [*own, *partnered]:
            dates[person].add(day)
        return {person: len(days) for person, days in dates.items()}

    def with_photo_counts(self):
        return self.annotate(
            photo_count=Count("photos", distinct=True),
            open_finding_count=Count(
                "photos__findings",
                filter=Q(photos__findings__status=Finding.Status.OPEN),
                distinct=True,
            ),
        )

    def totals_by_person(self):
        """Days (trips for leaders and chiefs) and households visited, one row per person."""
        return (
            self.order_by()
            .values("person")
            .annotate(days=Count("pk"), households=models.Sum("households_visited"))
        )


class FieldDay(models.Model):
    """One day in the villages (下乡) by one person, with the diary entry and photos.

    Leaders and section chiefs log their trips (下乡次数) the same way: a trip is a field
    day logged by them, with the households visited counting towards their minimums.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        # Sent back to its person with a comment (退回补充): corrected and resubmitted,
        # it awaits review again. Never counted, and it holds the month's close up.
        RETURNED = "returned", _("Returned for more")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class PartnerAnswer(models.TextChoices):
        # No partner, or a day logged before partners were asked: nothing to credit.
        NONE = "", _("Not asked")
        PENDING = "pending", _("Not yet confirmed by the partner")
        CONFIRMED = "confirmed", _("Confirmed by the partner")
        DECLINED = "declined", _("Declined by the partner")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="field_days",
        verbose_name=_("staff member"),
    )
    date = models.DateField(_("date"))
    # The branch the day was spent in, taken from the villages claimed: it is what the
    # branch head and the leaders of that branch see, and where penalties are counted.
    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="field_days", verbose_name=_("branch")
    )
    villages = models.ManyToManyField(
        Village, related_name="field_days", verbose_name=_("villages visited")
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnered_field_days",
        verbose_name=_("partner"),
    )
    # The partner says whether they were there; once confirmed, the day is theirs too
    # (counted in their field days when head office confirms it).
    partner_answer = models.CharField(
        _("partner's answer"),
        max_length=10,
        choices=PartnerAnswer.choices,
        blank=True,
        default=PartnerAnswer.NONE,
    )
    partner_answered_at = models.DateTimeField(_("partner answered at"), null=True, blank=True)
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    diary = models.TextField(_("work diary"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True)

    # Every decision on the day is a history row: a later one never erases an earlier one.
    history = HistoricalRecords(related_name="decisions")
    objects = FieldDayQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "person"]
        verbose_name = _("field day")
        verbose_name_plural = _("field days")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "date"], name="field_day_one_per_person_per_day"
            ),
            models.CheckConstraint(
                condition=~Q(partner=models.F("person")), name="field_day_partner_not_self"
            ),
        ]
        indexes = [models.Index(fields=["date", "status"], name="field_day_date_status")]

    def __str__(self):
        return f"{self.person} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("assessment:field_day", args=[self.pk])


PHOTO_EXTENSIONS = {"jpg", "png", "webp"}


def photo_upload_to(instance, filename):
    """A server-made name: the uploader's file name never reaches the disk.

    The caller passes a name whose extension is the format Pillow found in the file.
    """
    extension = filename.rpartition(".")[2].lower()
    if extension not in PHOTO_EXTENSIONS:
        extension = "jpg"
    today = timezone.localdate()
    return f"photos/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"


HEX_DIGITS = "0123456789abcdef"


def hash_band(index: int):
    """The `index`th 16-bit band of the hex phash as an integer, computed by the database.

    Plain SQL on SQLite and PostgreSQL alike (substr, lower, instr / strpos): each hex
    digit's place in "0123456789abcdef", four digits a band. evidence.hash_bands is the
    same in Python.
    """
    width = BAND_BITS // 4
    first = index * width + 1
    digits = [
        StrIndex(Value(HEX_DIGITS), Lower(Substr("phash", position, 1))) - 1
        for position in range(first, first + width)
    ]
    value = digits[0]
    for digit in digits[1:]:
        value = value * 16 + digit
    return value


def band_field(index: int) -> models.GeneratedField:
    return models.GeneratedField(
        expression=hash_band(index),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=format_lazy("{} {}", _("perceptual hash band"), index + 1),
    )


class Photo(models.Model):
    """A visit photo (入户照片) as uploaded, with what its EXIF says about when and where."""

    field_day = models.ForeignKey(
        FieldDay, models.CASCADE, related_name="photos", verbose_name=_("field day")
    )
    image = models.FileField(_("image"), upload_to=photo_upload_to, max_length=200)
    # What the pages show, made once when the photo is stored (assessment/fieldwork.py):
    # upright JPEGs without EXIF or GPS, the whole picture and a thumbnail. A view only
    # reads them; it never decodes the upload again.
    served = models.FileField(
        _("copy shown"), upload_to=photo_upload_to, max_length=200, blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=photo_upload_to, max_length=200, blank=True
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Where the phone's browser said it was when the photo was added (phones strip GPS
    # from photos picked through a file input): the place checked when the EXIF has none.
    device_latitude = models.DecimalField(
        _("phone location latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    device_longitude = models.DecimalField(
        _("phone location longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    device_accuracy_m = models.PositiveIntegerField(
        _("phone location accuracy (m)"), null=True, blank=True
    )
    phash = models.CharField(_("perceptual hash"), max_length=16, db_index=True)
    # The hash's four bands, each indexed, kept by the database from phash: photos near a
    # hash are found through them (assessment/photo_index.py, evidence.band_radius).
    phash_band0 = band_field(0)
    phash_band1 = band_field(1)
    phash_band2 = band_field(2)
    phash_band3 = band_field(3)
    # No capture time and no place (in the EXIF or from the phone): nothing to check it
    # against, so the photo is shown as unverified rather than raising a finding.
    unverified = models.BooleanField(_("unverified (no EXIF)"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["field_day", "pk"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        indexes = [
            models.Index(fields=[f"phash_band{i}"], name=f"photo_phash_band{i}")
            for i in range(HASH_BANDS)
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("assessment:photo", args=[self.pk])

    @property
    def place_source(self) -> str:
        """Where the place checked came from: "exif", "device" or "" (none)."""
        if self.latitude is not None:
            return "exif"
        if self.device_latitude is not None:
            return "device"
        return ""


class FindingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Finding.Status.OPEN)

    def in_month(self, month: datetime.date):
        """Findings on field days of the month (the month the falsification happened)."""
        first, following = month_bounds(month)
        return self.filter(photo__field_day__date__gte=first, photo__field_day__date__lt=following)

    def confirmed_falsifications(self, month: datetime.date | None = None):
        """Findings head office confirmed as falsification (弄虚作假), each one a −200 penalty."""
        qs = self.filter(status=Finding.Status.CONFIRMED_FALSIFICATION)
        return qs.in_month(month) if month else qs

    def count_by_person(self) -> dict[int, int]:
        """{person id: number of findings}, in one query."""
        rows = (
            self.order_by()
            .values("photo__field_day__person")
            .annotate(n=Count("pk"))
            .values_list("photo__field_day__person", "n")
        )
        return dict(rows)

    def count_by_branch(self) -> dict[int, int]:
        """{branch id: number of findings}, in one query (two in a branch costs the branch head)."""
        rows = (
            self.order_by()
            .values("photo__field_day__branch")
            .annotate(n=Count("pk"))
            .values_list("photo__field_day__branch", "n")
        )
        return dict(rows)


class Finding(models.Model):
    """Something a photo says that does not fit its field day, for head office to rule on."""

    class Kind(models.TextChoices):
        OTHER_DAY = "other_day", _("Taken on another day")
        TOO_FAR = "too_far", _("Taken too far from the villages")
        REUSED = "reused", _("Photo used before")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        CONFIRMED_FALSIFICATION = "confirmed_falsification", _("Confirmed falsification")

    photo = models.ForeignKey(
        Photo, models.CASCADE, related_name="findings", verbose_name=_("photo")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200)
    related_photo = models.ForeignKey(
        Photo,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("similar earlier photo"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("found at"), default=timezone.now)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ruled by"),
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    ruling_note = models.CharField(_("ruling note"), max_length=200, blank=True)

    # Every ruling is a history row: ruling again keeps the earlier ruling, who and when.
    history = HistoricalRecords(related_name="rulings")
    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["photo", "kind"]
        verbose_name = _("photo finding")
        verbose_name_plural = _("photo findings")
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "kind"], name="finding_one_per_kind_per_photo"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(ruled_at__isnull=False),
                name="finding_ruling_has_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.detail}"
