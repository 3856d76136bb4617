"""Staff changes (人员变动): a leaving account manager's work handed to a colleague in one step."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.models import Branch


class Handover(models.Model):
    """What was handed over, by whom and when: the history of the move, kept."""

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="+", verbose_name=_("branch"))
    leaving = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("taken over by")
    )
    villages = models.JSONField(_("villages"), default=list)  # [[id, name], ...]
    customers = models.PositiveIntegerField(_("maintained customers moved"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("done by")
    )
    done_at = models.DateTimeField(_("done at"))

    class Meta:
        ordering = ["-done_at", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self):
        return f"{self.leaving} → {self.successor}"
