"""Large fund movements (DOMAIN.md §5.5): the daily core-banking movement extract and head
office's thresholds.

They live on the ground floor because both the corporate side (credit/) and the village
side (classification/) read them and may not import each other. A movement keeps the raw
customer identifier of the extract (a credit code or an ID number); credit/ matches its
corporate customers by credit code, and the import links a village customer (archives
Customer) when the identifier names exactly one.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class Direction(models.TextChoices):
    IN = "in", _("Inflow")
    OUT = "out", _("Outflow")


class Movement(models.Model):
    """One movement of the extract; (account, date, sequence) is the extract's natural key,
    so importing the same extract again writes no second row."""

    account = models.CharField(_("account"), max_length=40)
    date = models.DateField(_("movement date"))
    sequence = models.CharField(_("transaction number"), max_length=40)
    identifier = models.CharField(_("customer identifier"), max_length=18, db_index=True)
    customer_name = models.CharField(_("customer name"), max_length=100, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    counterparty_bank = models.CharField(_("counterparty bank"), max_length=100, blank=True)
    cross_bank = models.BooleanField(_("cross-bank"))
    amount = models.DecimalField(
        _("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    # The village customer the identifier names, when exactly one does.
    customer = models.ForeignKey(
        "archives.Customer",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("village customer"),
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["-date", "-amount", "pk"]
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date", "sequence"], name="movement_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="movement_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["date", "amount"], name="movement_date_amount")]

    def __str__(self):
        return f"{self.account} {self.date} {self.sequence}"


class MovementRulesQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date):
        """The thresholds in force on a date; the defaults when no version is."""
        return (
            self.filter(effective_from__lte=on).order_by("-effective_from").first()
            or MovementRules()
        )


class MovementRules(models.Model):
    """Head office's thresholds for large movements, effective from a date (§5.5)."""

    effective_from = models.DateField(_("effective from"), unique=True)
    corporate_notice_above = models.DecimalField(
        _("corporate notice: movements above (yuan)"), default=Decimal(10_000_000), **MONEY
    )
    corporate_follow_up_from = models.DecimalField(
        _("corporate follow-up: cross-bank outflows of at least (yuan)"),
        default=Decimal(10_000_000),
        **MONEY,
    )
    village_key_from = models.DecimalField(
        _("key village customers: movements of at least (yuan)"),
        default=Decimal(500_000),
        **MONEY,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MovementRulesQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("large movement thresholds")
        verbose_name_plural = _("large movement thresholds")

    def __str__(self):
        return f"{self.effective_from}"

    @property
    def thresholds(self):
        from .movement_rules import Thresholds

        return Thresholds(
            notice_above=self.corporate_notice_above,
            follow_up_from=self.corporate_follow_up_from,
            village_from=self.village_key_from,
        )


class Schedule:
    """The threshold versions, read once: the thresholds in force on any day."""

    def __init__(self):
        self.versions = list(MovementRules.objects.order_by("effective_from"))

    def on(self, day: datetime.date):
        found = MovementRules()
        for version in self.versions:
            if version.effective_from <= day:
                found = version
        return found.thresholds

    def lowest(self, name: str):
        return min(getattr(v.thresholds, name) for v in [MovementRules(), *self.versions])
