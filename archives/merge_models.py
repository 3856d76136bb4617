"""The audit row of a merge: two records of one person made one (archives/merge.py).

The merged record is deleted once everything pointing at it has moved to the kept one;
this row says who merged what, when, and what moved. Its history rows (simple_history,
under the merged record's old id) stay, and the kept record's page shows them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerMerge(models.Model):
    kept = models.ForeignKey(
        "archives.Customer", models.PROTECT, related_name="merges", verbose_name=_("kept record")
    )
    # The merged record's id: its history rows are found by it after it is gone.
    merged_pk = models.PositiveBigIntegerField(_("merged record number"))
    merged_name = models.CharField(_("merged record's name"), max_length=80)
    merged_village = models.CharField(_("merged record's village"), max_length=60)
    # {"app.Model": count} of the rows moved, and of the rows dropped because the kept record
    # already had one where only one may be (e.g. one classification a week).
    moved = models.JSONField(_("rows moved"), default=dict)
    dropped = models.JSONField(_("rows dropped"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"))

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        constraints = [
            models.UniqueConstraint(fields=["merged_pk"], name="customer_merge_once"),
        ]

    def __str__(self):
        return f"{self.merged_name} → {self.kept_id}"
