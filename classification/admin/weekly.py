"""Django admin of the weekly review: head office edits the rulebook (versioned by effective date)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from archives import versions

from ..models import Rulebook

RULE_FIELDS = (
    "key_limit",
    "golden_max_rank",
    "chief_max_rank",
    "key_revisit_days",
    "golden_leader_days",
    "periodic_revisit_days",
    "kalefu_revisit_days",
)


@admin.register(Rulebook)
class RulebookAdmin(admin.ModelAdmin):
    list_display = (
        "effective_from",
        "key_limit",
        "golden_max_rank",
        "chief_max_rank",
        "key_revisit_days",
        "periodic_revisit_days",
        "changes",
        "note",
    )
    readonly_fields = ("changes", "created_by", "created_at")

    @admin.display(description=_("Changed from the version before"))
    def changes(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        previous = (
            Rulebook.objects.filter(effective_from__lt=obj.effective_from)
            .order_by("-effective_from")
            .first()
        )
        return versions.changes_text(versions.changes(previous or Rulebook(), obj, RULE_FIELDS))

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
