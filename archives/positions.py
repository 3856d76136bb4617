"""Where a customer lives: the phone's own position, recorded on the survey form.

A household has no address a map can read, so the account manager records the phone's
position (navigator.geolocation, with its accuracy) at the door. The fields sit on the
Customer row through this abstract model; the survey form carries them as hidden inputs
and an edit that records nothing keeps what is on file.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

POSITION_FIELDS = ("latitude", "longitude", "position_accuracy", "located_at")


class Positioned(models.Model):
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    position_accuracy = models.PositiveIntegerField(
        _("position accuracy (m)"), null=True, blank=True
    )
    located_at = models.DateTimeField(_("position recorded at"), null=True, blank=True)

    class Meta:
        abstract = True


def position_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Both coordinates or neither, each in its range: the model's Meta adds these."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(
                latitude__isnull=False,
                longitude__isnull=False,
                latitude__gte=-90,
                latitude__lte=90,
                longitude__gte=-180,
                longitude__lte=180,
            ),
            name=f"{prefix}_position_in_range",
        ),
    ]
