"""The village summary (一村一总结): the manager's notes on a village whose census is done."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The five parts of the summary the rules name (DOMAIN.md §2; seeds: 落实一村一总结).
NOTE_FIELDS = ("situation", "economy", "income_sources", "financial_needs", "services")


class VillageSummary(models.Model):
    village = models.OneToOneField(
        "archives.Village", models.CASCADE, related_name="summary", verbose_name=_("village")
    )
    situation = models.TextField(_("basic situation"), blank=True)
    economy = models.TextField(_("economic features"), blank=True)
    income_sources = models.TextField(_("income sources"), blank=True)
    financial_needs = models.TextField(_("financial needs"), blank=True)
    services = models.TextField(_("services provided"), blank=True)
    updated_by = models.ForeignKey(
        "archives.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("village summary")
        verbose_name_plural = _("village summaries")

    def __str__(self):
        return str(self.village)
