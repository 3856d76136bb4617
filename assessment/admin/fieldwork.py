"""Django admin for field work: head office edits the photo-evidence thresholds here.

Field days, photos and findings are not edited in the admin: their writes go through
assessment/fieldwork.py, which keeps a closed month closed.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archives import versions

from ..models.fieldwork import EvidenceSettings

THRESHOLDS = (
    "max_distance_km",
    "max_device_accuracy_m",
    "hash_threshold",
    "reuse_lookback_days",
    "max_upload_mb",
    "max_pixels",
)


@admin.register(EvidenceSettings)
class EvidenceSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "max_distance_km",
        "max_device_accuracy_m",
        "hash_threshold",
        "reuse_lookback_days",
        "max_upload_mb",
        "max_pixels",
        "last_change",
    )
    readonly_fields = ("last_change",)

    @admin.display(description=_("Last change"))
    def last_change(self, obj):
        """The thresholds' last save against the one before it (their history keeps each)."""
        if obj is None or obj.pk is None:
            return "—"
        records = list(obj.history.order_by("-history_date", "-history_id")[:2])
        if not records:
            return "—"
        before = records[1].instance if len(records) > 1 else EvidenceSettings()
        when = records[0].history_date.strftime("%Y-%m-%d %H:%M")
        who = records[0].history_user or "—"
        return f"{when} · {who} · " + versions.changes_text(
            versions.changes(before, records[0].instance, THRESHOLDS)
        )

    def has_add_permission(self, request):
        # One row: the pages read the latest; without one, the defaults apply.
        return super().has_add_permission(request) and not EvidenceSettings.objects.exists()
