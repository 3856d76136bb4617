"""Forms of field work: log a field day with its photos, review it, rule on a finding."""

import dataclasses
import datetime
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from archives.models import User, Village
from archives.versions import VersionField

from .. import evidence, fieldwork
from ..fieldwork import RULINGS, CheckedPhoto, limits_of
from ..models.fieldwork import FieldDay, Finding

MAX_PHOTOS = 20
# The phone's location sent with each photo by static/js/field_day.js: one hidden field
# of each name per photo, in the photos' order (empty when the phone gave none).
DEVICE_FIELDS = ("device_latitude", "device_longitude", "device_accuracy_m")
MICRODEGREE = Decimal("0.000001")


def device_positions(data, count: int) -> list[evidence.DevicePosition | None]:
    """The phone's location of each of `count` photos, from the form's hidden fields.

    None sent (the page ran without its script) is no location for any photo; a photo
    whose three fields are empty had none. Anything else that does not read is refused:
    a location silently dropped would leave a photo unchecked.
    """
    columns = [data.getlist(name) if hasattr(data, "getlist") else [] for name in DEVICE_FIELDS]
    if not any(columns):
        return [None] * count
    if any(len(column) != count for column in columns):
        raise forms.ValidationError(
            _("The phone's locations do not match the photos: send the form again."),
            code="device_count",
        )
    positions = []
    for latitude, longitude, accuracy in zip(*columns, strict=True):
        if not (latitude or longitude or accuracy):
            positions.append(None)
            continue
        try:
            position = evidence.DevicePosition(
                latitude=Decimal(latitude).quantize(MICRODEGREE, rounding=ROUND_HALF_UP),
                longitude=Decimal(longitude).quantize(MICRODEGREE, rounding=ROUND_HALF_UP),
                accuracy_m=math.ceil(Decimal(accuracy)),
            )
            valid = (
                -90 <= position.latitude <= 90
                and -180 <= position.longitude <= 180
                and 0 <= position.accuracy_m <= 10_000_000
            )
        except (InvalidOperation, ValueError, OverflowError):
            valid = False
        if not valid:
            raise forms.ValidationError(
                _("A phone location could not be read: send the form again."),
                code="device_position",
            )
        positions.append(position)
    return positions


class MultiplePhotoInput(forms.FileInput):
    """One file input that takes several photos and, on a phone, opens the camera."""

    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """A list of uploads, each one checked to be a real photo within head office's limits."""

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"})

    def __init__(self, *, limits: evidence.Limits | None = None, **kwargs):
        self.limits = limits
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(max)s photos a day."), code="too_many", params={"max": MAX_PHOTOS}
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(
                    CheckedPhoto(upload, evidence.inspect_image(upload, limits=self.limits))
                )
            except evidence.ImageRefused as refused:
                errors.append(
                    forms.ValidationError(
                        _("Photo “%(name)s”: %(reason)s"),
                        code="not_a_photo",
                        params={"name": upload.name, "reason": str(refused)},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return checked


class FieldDayForm(forms.Form):
    """A day in the villages as its person logs it on the phone."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages visited"),
        queryset=Village.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the villages you visited.")},
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who visited with you (visits are made in pairs)."),
    )
    households_visited = forms.IntegerField(
        label=_("Households visited"), min_value=0, max_value=1000, initial=0
    )
    diary = forms.CharField(
        label=_("Work diary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": _("Write the day's work diary.")},
    )
    photos = MultiplePhotoField(
        label=_("Visit photos"),
        help_text=_(
            "Take them with the phone's camera: the time and place they carry are checked."
        ),
        error_messages={"required": _("Add at least one visit photo.")},
    )

    def __init__(self, *args, person, today: datetime.date, evidence_settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.today = today
        self.fields["date"].initial = today
        self.fields["villages"].queryset = (
            Village.objects.visible_to(person)
            .select_related("township__branch")
            .order_by("township__branch__code", "code")
        )
        staff = User.objects.filter(is_active=True).exclude(pk=person.pk)
        if not person.is_head_office:
            staff = staff.filter(branches__in=person.branches.all()).distinct()
        self.fields["partner"].queryset = staff.order_by("display_name", "username")
        self.fields["photos"].limits = limits_of(evidence_settings)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError(_("A field day cannot be in the future."))
        if fieldwork.month_is_closed(day):
            raise forms.ValidationError(
                _("%(month)s is closed: no more field days can be logged in it."),
                params={"month": f"{day:%Y-%m}"},
            )
        if FieldDay.objects.filter(person=self.person, date=day).exists():
            raise forms.ValidationError(
                _("You have already logged %(date)s."), params={"date": day.isoformat()}
            )
        return day

    def clean(self):
        cleaned = super().clean()
        photos = cleaned.get("photos")
        if photos:
            positions = device_positions(self.data, len(photos))
            cleaned["photos"] = [
                CheckedPhoto(checked.file, dataclasses.replace(checked.facts, device=position))
                for checked, position in zip(photos, positions, strict=True)
            ]
        return cleaned

    def clean_villages(self):
        villages = list(self.cleaned_data["villages"])
        if len({village.township.branch_id for village in villages}) > 1:
            raise forms.ValidationError(
                _("The villages of one field day must belong to one branch.")
            )
        return villages


class FieldDayReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (FieldDay.Status.CONFIRMED, _("Confirm")),
            (FieldDay.Status.REJECTED, _("Do not count")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = VersionField()


class FindingRulingForm(forms.Form):
    ruling = forms.ChoiceField(
        label=_("Ruling"),
        choices=[(value, Finding.Status(value).label) for value in RULINGS],
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give the reason for the ruling.")},
    )
    version = VersionField()


class FieldDayReturnForm(forms.Form):
    """Send a day back to its person: the comment says what to add or correct."""

    note = forms.CharField(
        label=_("What the day needs"),
        max_length=200,
        error_messages={"required": _("Say what the field day needs before returning it.")},
    )
    version = VersionField()


class FieldDayCorrectionForm(forms.Form):
    """A returned day as its person corrects it: villages, households, diary, photos."""

    villages = FieldDayForm.base_fields["villages"]
    households_visited = forms.IntegerField(
        label=_("Households visited"), min_value=0, max_value=1000
    )
    diary = FieldDayForm.base_fields["diary"]
    remove_photos = forms.TypedMultipleChoiceField(
        label=_("Remove these photos"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = MultiplePhotoField(
        label=_("Add visit photos"),
        required=False,
        help_text=_(
            "Take them with the phone's camera: the time and place they carry are checked."
        ),
    )
    version = VersionField()

    def __init__(self, *args, field_day, evidence_settings, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "villages": list(field_day.villages.all()),
                "households_visited": field_day.households_visited,
                "diary": field_day.diary,
                "version": fieldwork.correction_version(field_day),
            },
        )
        super().__init__(*args, **kwargs)
        self.field_day = field_day
        self.fields["villages"].queryset = (
            Village.objects.visible_to(field_day.person)
            .select_related("township__branch")
            .order_by("township__branch__code", "code")
        )
        self.fields["remove_photos"].choices = [
            (photo.pk, photo.original_name) for photo in field_day.photos.all()
        ]
        self.fields["photos"].limits = limits_of(evidence_settings)

    clean_villages = FieldDayForm.clean_villages

    def clean(self):
        data = super().clean()
        removing = set(data.get("remove_photos") or [])
        kept = [photo for photo in self.field_day.photos.all() if photo.pk not in removing]
        if not kept and not data.get("photos") and "photos" not in self.errors:
            self.add_error("photos", _("Keep or add at least one visit photo."))
        return data


# What head office writes most often; the fields still take any text (a <datalist>).
RULING_REASONS = (
    gettext_lazy("Same household photographed again on another visit: not a falsification"),
    gettext_lazy("The phone's clock was wrong; the diary and the villages agree"),
    gettext_lazy("The position drifted on a weak signal; the village is right"),
    gettext_lazy("Photo reused to stand for a visit not made: falsification"),
    gettext_lazy("Taken on another day than the one logged: falsification"),
)
RETURN_REASONS = (
    gettext_lazy("Add photos of the households visited"),
    gettext_lazy("The diary is too short: say whom you met and what they need"),
    gettext_lazy("The households visited do not match the photos"),
    gettext_lazy("Choose the villages you actually went to"),
)
