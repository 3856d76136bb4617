"""Contacts, visits and meetings with corporate customers (DOMAIN.md §5.4), the cadences
head office sets for them (versioned by effective date) and the work diary."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import cadence_rules as cr
from .archive import CorporateCustomer

KIND_CHOICES = [(k.value, label) for k, label in cr.KIND_LABELS.items()]


class Activity(models.Model):
    """A contact, visit or meeting: who took part, the customers concerned, what came of it."""

    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    day = models.DateField(_("date"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="corporate_activities",
        verbose_name=_("who took part"),
    )
    customers = models.ManyToManyField(
        CorporateCustomer,
        related_name="activities",
        blank=True,
        verbose_name=_("customers concerned"),
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    plan = models.TextField(_("plan of the event"), max_length=2000, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("contact or visit")
        verbose_name_plural = _("contacts and visits")
        indexes = [models.Index(fields=["day"], name="activity_day")]

    def __str__(self):
        return f"{self.day} {self.kind}"

    @property
    def kind_label(self):
        return cr.KIND_LABELS[cr.Kind(self.kind)]


class CadenceBookQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date):
        """The cadence book in force on a date (None before the first)."""
        return self.filter(effective_from__lte=on).order_by("-effective_from").first()


class CadenceBook(models.Model):
    """The cadences of §5.4 as head office sets them, effective from a date."""

    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = CadenceBookQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("cadence book")
        verbose_name_plural = _("cadence books")

    def __str__(self):
        return f"{self.effective_from}"

    def rules(self) -> list[cr.Cadence]:
        return [row.as_rule() for row in self.cadences.all()]


class Cadence(models.Model):
    """One row: who does how many of what a period, for which customers."""

    book = models.ForeignKey(CadenceBook, models.CASCADE, related_name="cadences")
    who = models.CharField(
        _("who"), max_length=20, choices=[(k.value, v) for k, v in cr.WHO_LABELS.items()]
    )
    kind = models.CharField(_("activity"), max_length=20, choices=KIND_CHOICES)
    targets = models.CharField(
        _("for which customers"),
        max_length=20,
        choices=[(k.value, v) for k, v in cr.TARGETS_LABELS.items()],
    )
    count = models.PositiveSmallIntegerField(_("at least"), default=1)
    period = models.CharField(
        _("per"), max_length=10, choices=[(k.value, v) for k, v in cr.PERIOD_LABELS.items()]
    )

    class Meta:
        ordering = ["book", "pk"]
        verbose_name = _("cadence")
        verbose_name_plural = _("cadences")
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=1), name="cadence_count_positive")
        ]

    def __str__(self):
        return str(self.as_rule().label)

    def as_rule(self) -> cr.Cadence:
        return cr.Cadence(
            key=self.pk,
            who=cr.Who(self.who),
            kind=cr.Kind(self.kind),
            targets=cr.Targets(self.targets),
            count=self.count,
            period=cr.Period(self.period),
        )


class DiaryEntry(models.Model):
    """A person's work diary for a day: the day's summary and the next day's plan."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="diary_entries")
    day = models.DateField(_("date"))
    summary = models.TextField(_("today's summary"), max_length=2000)
    plan = models.TextField(_("tomorrow's plan"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("work diary entry")
        verbose_name_plural = _("work diary entries")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="diary_one_per_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"
