"""Months and their close, the versioned rate table, head office's inputs and the locked statements."""

import dataclasses
import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archives.models import Branch, Role

from .. import pricing

__all__ = [
    "Adjustment",
    "BranchJudgement",
    "Month",
    "MonthQuerySet",
    "RateVersion",
    "RateVersionQuerySet",
    "Reward",
    "StatementSnapshot",
    "default_rates",
    "validate_rates",
]

FIRST_DAY = Q(month__day=1)


def first_day_only(name):
    return models.CheckConstraint(condition=FIRST_DAY, name=name)


class MonthQuerySet(models.QuerySet):
    def closed(self):
        return self.filter(status=Month.Status.CLOSED)

    def of(self, day: datetime.date) -> "Month":
        """The month holding `day`: its row, or an unsaved open month when none exists yet."""
        first = day.replace(day=1)
        return self.filter(month=first).first() or Month(month=first)


class Month(models.Model):
    """An assessment month: open while data comes in, closed (locked) once head office closes it."""

    class Status(models.TextChoices):
        # "Open" alone is a finding awaiting a ruling (待认定); a month is not yet closed.
        OPEN = "open", pgettext_lazy("assessment month", "Open")
        CLOSED = "closed", pgettext_lazy("assessment month", "Closed")

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    census_phase = models.BooleanField(
        _("census phase"),
        default=False,
        help_text=_(
            "In the census phase (普查建档) account managers need 20 field days and branch heads 15."
        ),
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = MonthQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("assessment month")
        verbose_name_plural = _("assessment months")
        constraints = [
            first_day_only("month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="month_closed_has_who_and_when",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("assessment:month", args=[self.month.year, self.month.month])

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def args(self):
        """The URL arguments of the month's pages: year and month number."""
        return [self.month.year, self.month.month]


# ---- Rates --------------------------------------------------------------------------

RATE_FIELDS = {f.name: f for f in dataclasses.fields(pricing.RateTable)}


def default_rates() -> dict[str, str]:
    """DOMAIN.md's rates and thresholds, as the JSON a rate version stores."""
    return {name: str(getattr(pricing.RateTable(), name)) for name in RATE_FIELDS}


def validate_rates(rates) -> None:
    """Keys must be rate-table fields; values non-negative numbers (whole for day and count thresholds)."""
    if not isinstance(rates, dict):
        raise ValidationError(_("The rates must be an object of name and value pairs."))
    errors = []
    for name, value in rates.items():
        field = RATE_FIELDS.get(name)
        if field is None:
            errors.append(
                ValidationError(
                    _("%(name)s is not a rate of the assessment."), params={"name": name}
                )
            )
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or isinstance(value, bool):
            errors.append(
                ValidationError(
                    _("%(name)s must be a number of zero or more."), params={"name": name}
                )
            )
        elif field.type is int and number != number.to_integral_value():
            errors.append(
                ValidationError(_("%(name)s must be a whole number."), params={"name": name})
            )
    if errors:
        raise ValidationError(errors)


class RateVersionQuerySet(models.QuerySet):
    def in_force(self, month: datetime.date) -> "RateVersion":
        """The version in force in the month holding `month`; DOMAIN.md's rates before any version."""
        first = month.replace(day=1)
        version = self.filter(effective_month__lte=first).order_by("-effective_month").first()
        return version or RateVersion(effective_month=first, rates=default_rates())


class RateVersion(models.Model):
    """Every rate and threshold of the statements, in force from a month until the next version."""

    effective_month = models.DateField(
        _("effective from month"), unique=True, help_text=_("The first day of the month.")
    )
    rates = models.JSONField(
        _("rates"),
        default=default_rates,
        help_text=_(
            "Name and value of each rate; a rate left out keeps the value of DOMAIN.md. "
            "Amounts in yuan, shares as fractions (0.001 is 1‰)."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = RateVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_month"]
        verbose_name = _("rate table")
        verbose_name_plural = _("rate tables")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_month__day=1), name="rate_version_month_is_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.effective_month:%Y-%m}"

    def clean(self):
        if self.effective_month and self.effective_month.day != 1:
            raise ValidationError({"effective_month": _("Give the first day of the month.")})
        validate_rates(self.rates)

    def table(self) -> pricing.RateTable:
        """The stored rates as the pricing module's RateTable (missing ones at their default)."""
        values = {}
        for name, value in (self.rates or {}).items():
            field = RATE_FIELDS.get(name)
            if field is not None:
                values[name] = (
                    int(Decimal(str(value))) if field.type is int else Decimal(str(value))
                )
        return pricing.RateTable(**values)


# ---- Head office's inputs to a month ----------------------------------------------------


class BranchJudgement(models.Model):
    """Head office's judgement of a branch's month: slow or poorly organised costs the fund."""

    month = models.DateField(_("month"))
    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="judgements", verbose_name=_("branch")
    )
    judged_slow = models.BooleanField(_("slow or poorly organised"), default=False)
    note = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("judged by")
    )
    at = models.DateTimeField(_("judged at"))

    class Meta:
        ordering = ["-month", "branch"]
        verbose_name = _("branch judgement")
        verbose_name_plural = _("branch judgements")
        constraints = [
            models.UniqueConstraint(fields=["month", "branch"], name="judgement_one_per_branch"),
            first_day_only("judgement_month_is_first_day"),
            models.CheckConstraint(condition=~Q(note=""), name="judgement_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.branch} {self.month:%Y-%m}"


class Reward(models.Model):
    """A reward for a major contribution, entered by head office with its reason."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="rewards",
        verbose_name=_("staff member"),
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-month", "person", "pk"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            first_day_only("reward_month_is_first_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="reward_is_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="reward_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.amount}"


class Adjustment(models.Model):
    """A correction of a closed month, paid (or taken back) in a later open month."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="adjustments",
        verbose_name=_("staff member"),
    )
    month = models.DateField(_("paid in month"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Positive to pay more, negative to take back."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    corrects_month = models.DateField(_("corrects month"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-month", "person", "pk"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        constraints = [
            first_day_only("adjustment_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(corrects_month__day=1), name="adjustment_corrects_first_day"
            ),
            models.CheckConstraint(
                condition=Q(corrects_month__lt=models.F("month")),
                name="adjustment_corrects_an_earlier_month",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.amount}"


# ---- What a close writes ------------------------------------------------------------------


def money(verbose_name):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2)


class StatementSnapshot(models.Model):
    """One person's statement as it stood when the month was closed: read, never recomputed."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="statement_snapshots",
        verbose_name=_("staff member"),
    )
    month = models.DateField(_("month"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branch = models.ForeignKey(
        Branch,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    field_days = models.PositiveSmallIntegerField(_("confirmed field days"))
    minimum_field_days = models.PositiveSmallIntegerField(
        _("minimum field days"), null=True, blank=True
    )
    field_days_short = models.PositiveSmallIntegerField(_("field days short"), default=0)
    subsidy = money(_("subsidy"))
    piece_rate = money(_("piece rates"))
    fund = money(_("assessment fund"))
    deductions = money(_("deductions"))
    fund_payout = money(_("fund paid out"))
    excess_deductions = money(_("deductions beyond the fund"))
    rewards = money(_("rewards"))
    adjustments = money(_("adjustments"))
    payout = money(_("payout"))
    # [{"section", "code", "label", "quantity", "rate", "amount", "rule", "refs"}], with
    # the numbers as decimal strings: the statement's lines exactly as priced.
    lines = models.JSONField(_("lines"), default=list)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["month", "branch", "person"]
        verbose_name = _("locked statement")
        verbose_name_plural = _("locked statements")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="snapshot_one_per_month"),
            first_day_only("snapshot_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m}"
