"""Django admin for the statements: head office versions the rate table here.

Months, rewards, judgements and adjustments are not edited in the admin: their writes go
through assessment/statements.py, which keeps a closed month closed. A rate version in
force in a closed month stays as it was, so the record shows what those months were priced
with; a change of rates is a new version from an open month.
"""

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archives import versions

from ..models.statements import Month, RateVersion, StatementSnapshot, default_rates


def last_closed_month():
    return Month.objects.closed().order_by("-month").values_list("month", flat=True).first()


class RateVersionForm(versions.VersionedModelForm):
    """A rate table; a save from a page older than the table's last change is refused."""

    class Meta:
        model = RateVersion
        fields = ("effective_month", "rates", "note")
        widgets = {"rates": forms.Textarea(attrs={"rows": 36, "cols": 60})}

    def clean_effective_month(self):
        month = self.cleaned_data["effective_month"]
        last = last_closed_month()
        if last and month <= last:
            raise forms.ValidationError(
                _("%(month)s is closed: a new rate table takes effect in an open month.")
                % {"month": f"{month:%Y-%m}"}
            )
        return month

    def stored_values(self, obj):
        return self._one_line_per_rate(super().stored_values(obj))

    def submitted_values(self):
        return self._one_line_per_rate(super().submitted_values())

    def _one_line_per_rate(self, values):
        """The rates as one difference each, not one line holding the whole table."""
        rates = values.pop("rates", None)
        if rates is not None:
            table = json.loads(rates.canonical or "{}")
            label = RateVersion._meta.get_field("rates").verbose_name
            for name, rate in table.items():
                values[f"rates-{name}"] = versions.value(f"{label} {name}", rate)
        return values


@admin.register(RateVersion)
class RateVersionAdmin(admin.ModelAdmin):
    form = RateVersionForm
    list_display = ("effective_month", "note", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

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
