"""A survey's review state (DOMAIN.md §7): returned to its author, resubmitted, confirmed, rejected.

Its own row beside the customer, so the archive's fields, imports, coverage counts and
classification never read it: a survey's review changes none of them. A survey filed by
someone without a row is awaiting review.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SurveyReview(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for more")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    customer = models.OneToOneField(
        "archives.Customer", models.CASCADE, related_name="review", verbose_name=_("customer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    note = models.CharField(_("review note"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        "archives.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)

    # Every state is a history row: returned, resubmitted, confirmed, rejected.
    history = HistoricalRecords(related_name="states")

    class Meta:
        verbose_name = _("survey review")
        verbose_name_plural = _("survey reviews")

    def __str__(self):
        return f"{self.customer_id} {self.status}"
