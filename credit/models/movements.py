"""The follow-up (稳存跟踪) of a large cross-bank outflow of a corporate customer (DOMAIN.md §5.5).

The movement itself is archives.Movement (the extract's row, shared with the village
side); the follow-up is recorded once by the customer's A manager and then kept.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.models import Movement

from .archive import CorporateCustomer


class FundsBack(models.TextChoices):
    YES = "yes", _("Expected back")
    NO = "no", _("Not expected back")
    UNSURE = "unsure", _("Not known yet")


class MovementFollowUp(models.Model):
    movement = models.OneToOneField(
        Movement, models.PROTECT, related_name="credit_follow_up", verbose_name=_("movement")
    )
    customer = models.ForeignKey(
        CorporateCustomer, models.PROTECT, related_name="movement_follow_ups"
    )
    learnt = models.TextField(_("what was learnt"), max_length=1000)
    action = models.TextField(_("action taken"), max_length=1000)
    funds_back = models.CharField(
        _("are the funds expected back?"), max_length=8, choices=FundsBack.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("large outflow follow-up")
        verbose_name_plural = _("large outflow follow-ups")

    def __str__(self):
        return f"{self.movement_id}"
