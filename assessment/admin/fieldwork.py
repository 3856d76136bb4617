"""Django admin for field work: head office edits the photo-evidence thresholds here.

Field days, photos and findings are not edited in the admin: their writes go through
assessment/fieldwork.py, which keeps a closed month closed.
"""

from django.contrib import admin

from ..models.fieldwork import EvidenceSettings


@admin.register(EvidenceSettings)
class EvidenceSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "max_distance_km",
        "max_device_accuracy_m",
        "hash_threshold",
        "max_upload_mb",
        "max_pixels",
    )

    def has_add_permission(self, request):
        # One row: the pages read the latest; without one, the defaults apply.
        return super().has_add_permission(request) and not EvidenceSettings.objects.exists()
