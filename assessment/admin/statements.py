"""Django admin for the statements: head office versions the rate table here.

Months, rewards, judgements and adjustments are not edited in the admin: their writes go
through assessment/statements.py, which keeps a closed month closed. A rate version in
force in a closed month stays as it was, so the record shows what those months were priced
with; a change of rates is a new version from an open month.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archives import versions

from ..models.statements import (
    RATE_FIELDS,
    Month,
    RateVersion,
    StatementSnapshot,
    default_rates,
    validate_rates,
)
from ..rate_labels import GROUPS, LABELS


def last_closed_month():
    return Month.objects.closed().order_by("-month").values_list("month", flat=True).first()


def _rate_field(name):
    """One labelled number per rate: whole numbers for days and counts, else up to 6 decimals."""
    label = LABELS[name]
    if RATE_FIELDS[name].type is int:
        return forms.IntegerField(label=label, min_value=0)
    return forms.DecimalField(label=label, min_value=0, max_digits=16, decimal_places=6)


def _plain(value) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text


class RateVersionForm(versions.VersionedModelForm):
    """A rate table as one labelled field per figure (no JSON); a stale save is refused."""

    class Meta:
        model = RateVersion
        fields = ("effective_month", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start = self.initial.get("rates") if self.instance.pk is None else self.instance.rates
        rates = {**default_rates(), **(start or {})}
        for name in LABELS:
            self.initial.setdefault(name, _plain(rates[name]))
        if self.instance.pk is not None:  # the version covers the rates too
            self.initial["version"] = versions.version_of(self.stored_values(self.instance))

    def clean_effective_month(self):
        month = self.cleaned_data["effective_month"]
        last = last_closed_month()
        if last and month <= last:
            raise forms.ValidationError(
                _("%(month)s is closed: a new rate table takes effect in an open month.")
                % {"month": f"{month:%Y-%m}"}
            )
        return month

    def clean(self):
        data = super().clean()
        if not any(name in self.errors for name in LABELS):
            rates = {name: _plain(data[name]) for name in LABELS if data.get(name) is not None}
            validate_rates(rates)
            self.instance.rates = rates
        return data

    def versioned_fields(self):
        return ["effective_month", "note"]

    def stored_values(self, obj):
        values = super().stored_values(obj)
        rates = {**default_rates(), **(obj.rates or {})}
        for name, label in LABELS.items():
            values[f"rates-{name}"] = versions.value(label, _plain(rates[name]))
        return values

    def submitted_values(self):
        values = super().submitted_values()
        for name, label in LABELS.items():
            raw = self.cleaned_data.get(name)
            values[f"rates-{name}"] = versions.value(label, "" if raw is None else _plain(raw))
        return values


for _name in LABELS:  # declared, so the admin's fieldsets may name them
    RateVersionForm.base_fields[_name] = RateVersionForm.declared_fields[_name] = _rate_field(_name)


def changes_between(previous: dict, current: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) of every figure that differs from the version before."""
    before, after = {**default_rates(), **previous}, {**default_rates(), **current}
    return [
        (str(label), _plain(before[name]), _plain(after[name]))
        for name, label in LABELS.items()
        if Decimal(str(before[name])) != Decimal(str(after[name]))
    ]


@admin.register(RateVersion)
class RateVersionAdmin(admin.ModelAdmin):
    form = RateVersionForm
    list_display = ("effective_month", "changes", "note", "created_by", "created_at")
    readonly_fields = ("changes", "created_by", "created_at")

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ("effective_month", "note", "version", "changes")}),
            *[(label, {"fields": [name for name, _label in fields]}) for label, fields in GROUPS],
            (_("Entered"), {"fields": ("created_by", "created_at")}),
        ]

    @admin.display(description=_("Changed from the version before"))
    def changes(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        previous = (
            RateVersion.objects.filter(effective_month__lt=obj.effective_month)
            .order_by("-effective_month")
            .first()
        )
        diffs = changes_between(previous.rates if previous else default_rates(), obj.rates)
        return "；".join(f"{label} {a} → {b}" for label, a, b in diffs) or _("no change")

    def get_changeform_initial_data(self, request):
        # A new version starts from the rates in force, to change only what changes.
        latest = RateVersion.objects.order_by("-effective_month").first()
        rates = latest.rates if latest else default_rates()
        return {**super().get_changeform_initial_data(request), "rates": rates}

    def _priced_a_closed_month(self, obj):
        last = last_closed_month()
        return obj is not None and last is not None and obj.effective_month <= last

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._priced_a_closed_month(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._priced_a_closed_month(obj)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Month)
class MonthAdmin(ReadOnlyAdmin):
    list_display = ("month", "census_phase", "status", "closed_by", "closed_at")


@admin.register(StatementSnapshot)
class StatementSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("month", "person", "role", "branch", "field_days", "payout")
    list_filter = ("month", "branch")
    list_select_related = ("person", "branch")
