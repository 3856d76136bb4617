"""Weekly review: the rulebook, each branch's week, the customers' tiers, overrides and proposals."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models import Branch, Customer, MainIncome, Role

from ..rules import (  # noqa: F401 (re-exported)
    BAND_LABELS,
    TIER_LABELS,
    Band,
    Cadence,
    Reason,
    Thresholds,
    Tier,
    reasons_from_codes,
)

TIER_CHOICES = [(t.value, label) for t, label in TIER_LABELS.items()]
BAND_CHOICES = [(b.value, label) for b, label in BAND_LABELS.items()]


class RulebookQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date):
        """The rulebook version in force on a date; the defaults when none is."""
        return self.filter(effective_from__lte=on).order_by("-effective_from").first() or Rulebook()


class Rulebook(models.Model):
    """Thresholds and cadences of the classification rules, effective from a date."""

    effective_from = models.DateField(_("effective from"), unique=True)
    key_limit = models.PositiveSmallIntegerField(
        _("key follow-up: top N of the branch"), default=50
    )
    golden_max_rank = models.PositiveSmallIntegerField(_("golden customers: ranks 1 to"), default=5)
    chief_max_rank = models.PositiveSmallIntegerField(
        _("section chief maintains ranks up to"), default=20
    )
    key_revisit_days = models.PositiveSmallIntegerField(
        _("key customers: visit every (days)"), default=31
    )
    golden_leader_days = models.PositiveSmallIntegerField(
        _("golden customers: leader visits every (days)"), default=92
    )
    periodic_revisit_days = models.PositiveSmallIntegerField(
        _("periodic revisit: visit every (days)"), default=92
    )
    kalefu_revisit_days = models.PositiveSmallIntegerField(
        _("Kalefu users: visit every (days)"), default=31
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

    objects = RulebookQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("classification rulebook")
        verbose_name_plural = _("classification rulebooks")
        constraints = [
            models.CheckConstraint(
                condition=Q(golden_max_rank__lte=models.F("chief_max_rank"))
                & Q(chief_max_rank__lte=models.F("key_limit")),
                name="rulebook_bands_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.effective_from}"

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(
            key_limit=self.key_limit,
            golden_max_rank=self.golden_max_rank,
            chief_max_rank=self.chief_max_rank,
        )

    @property
    def cadence(self) -> Cadence:
        return Cadence(
            key_days=self.key_revisit_days,
            golden_leader_days=self.golden_leader_days,
            periodic_days=self.periodic_revisit_days,
            kalefu_days=self.kalefu_revisit_days,
        )


class WeekQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(branch__in=branches_visible_to(user))


def branches_visible_to(user):
    """Branches a user may see: the start of every classification query. An account
    manager's are those of their villages; everyone else's, those they oversee."""
    if user.is_authenticated and not user.is_head_office and user.role == Role.ACCOUNT_MANAGER:
        if not user.is_active:
            return Branch.objects.none()
        return Branch.objects.filter(townships__villages__owners=user).distinct()
    return Branch.objects.overseen_by(user)


def branches_reviewed_by(user):
    """Branches whose weekly classification a user confirms: their branch heads (and head office)."""
    if not user.is_authenticated or not user.is_active:
        return Branch.objects.none()
    if user.is_head_office:
        return Branch.objects.all()
    if user.role == Role.BRANCH_HEAD:
        return user.branches.all()
    return Branch.objects.none()


class Week(models.Model):
    """One branch's classification for one week: proposed by the run, then confirmed (locked)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")

    branch = models.ForeignKey(
        Branch, models.CASCADE, related_name="weeks", verbose_name=_("branch")
    )
    week_start = models.DateField(_("week starting"))
    rulebook = models.ForeignKey(Rulebook, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    run_at = models.DateTimeField(_("run at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = WeekQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "branch__code"]
        verbose_name = _("weekly classification")
        verbose_name_plural = _("weekly classifications")
        constraints = [
            models.UniqueConstraint(fields=["branch", "week_start"], name="week_unique_per_branch"),
        ]

    def __str__(self):
        return f"{self.branch} {self.week_start}"

    def get_absolute_url(self):
        return reverse("classification:week", args=[self.pk])

    @property
    def is_locked(self):
        return self.status == self.Status.CONFIRMED


class Classification(models.Model):
    """One customer's tier in one week: what the rules proposed and what stands."""

    class Source(models.TextChoices):
        RULES = "rules", _("Rules")
        OVERRIDE = "override", _("Branch head's decision")

    # No index of their own: the unique (week, customer) and the index (customer, week)
    # lead with them, and every index costs the weekly run's INSERT of the whole branch.
    # No foreign key constraint in the database for the week: its check at commit, one
    # per row, was a quarter of the weekly run (docs/performance.md). Rows are written
    # only by run_week, for the week it holds locked (SELECT … FOR UPDATE) and no code
    # deletes a week but the ORM, whose CASCADE deletes the rows first.
    week = models.ForeignKey(
        Week, models.CASCADE, related_name="rows", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="classifications", db_index=False
    )
    rank = models.PositiveIntegerField(_("rank in branch"), null=True, blank=True)
    rule_tier = models.CharField(_("tier by the rules"), max_length=20, choices=TIER_CHOICES)
    # The reasons as rules.Reason codes (space-separated, in order) and the figures they
    # quote as they were at the run; rendered in the reader's language by `reasons`.
    reason_codes = models.CharField(_("reasons"), max_length=100, blank=True)
    key_limit = models.PositiveSmallIntegerField(
        _("key follow-up: top N of the branch"), null=True, blank=True
    )
    income = models.CharField(
        _("main income source"), max_length=16, choices=MainIncome.choices, blank=True
    )
    tier = models.CharField(_("tier"), max_length=20, choices=TIER_CHOICES)
    source = models.CharField(
        _("decided by"), max_length=10, choices=Source.choices, default=Source.RULES
    )
    band = models.CharField(_("maintained by"), max_length=20, choices=BAND_CHOICES)
    previous_tier = models.CharField(
        _("tier last week"), max_length=20, choices=TIER_CHOICES, blank=True
    )

    class Meta:
        ordering = ["week", "rank", "customer_id"]
        verbose_name = _("customer classification")
        verbose_name_plural = _("customer classifications")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "customer"], name="classification_unique_per_week"
            ),
        ]
        indexes = [models.Index(fields=["customer", "week"], name="classification_customer")]

    def __str__(self):
        return f"{self.customer_id}: {self.tier}"

    @property
    def changed(self):
        return self.previous_tier != self.tier

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons the rules gave, in the active language."""
        return reasons_from_codes(
            self.reason_codes.split(),
            rank=self.rank,
            limit=self.key_limit,
            income=self.get_income_display(),
        )


class Override(models.Model):
    """A branch head's decision on a tier; it stands through later runs until lifted."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="tier_overrides")
    tier = models.CharField(_("tier"), max_length=20, choices=TIER_CHOICES)
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("tier override")
        verbose_name_plural = _("tier overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(lifted_at__isnull=True), name="override_one_active"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.tier}"


class Proposal(models.Model):
    """An account manager proposes another tier, with a reason, for the weekly meeting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="tier_proposals")
    tier = models.CharField(_("proposed tier"), max_length=20, choices=TIER_CHOICES)
    reason = models.CharField(_("reason"), max_length=300)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("tier proposal")
        verbose_name_plural = _("tier proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="pending"), name="proposal_one_pending"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="proposal_has_reason"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.tier}"
