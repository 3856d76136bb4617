"""Django admin of the weekly review: head office edits the rulebook (versioned by effective date)."""

from django.contrib import admin

from ..models import Rulebook


@admin.register(Rulebook)
class RulebookAdmin(admin.ModelAdmin):
    list_display = (
        "effective_from",
        "key_limit",
        "golden_max_rank",
        "chief_max_rank",
        "key_revisit_days",
        "periodic_revisit_days",
        "note",
    )
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
