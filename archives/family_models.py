"""Family members of a household's survey (一户一张采集表): a repeating list on the form."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Relation
from .identity import mask_id, mask_phone


class FamilyMember(models.Model):
    customer = models.ForeignKey(
        "archives.Customer", models.CASCADE, related_name="members", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=30)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, editable=False)
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    works_away = models.BooleanField(_("works away"), default=False)
    away_location = models.CharField(_("where they work"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "pk"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "id_number"],
                condition=~Q(id_number=""),
                name="family_member_unique_id_in_household",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id(self):
        return mask_id(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)
