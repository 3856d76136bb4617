"""The project library (项目库, DOMAIN.md §5.4) and new SME credit customers.

An account manager names target customers each month: an existing corporate customer
or a prospect (a name, maybe its credit code). Each entry moves through the stages
(project_rules.Stage) and keeps every move (StageChange). A CreditStart records a
customer whose credit started at a list run, once, for its A manager at the time.
"""

import builtins

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archives.identity import validate_credit_code
from archives.models import Branch

from .. import project_rules as pr
from ..project_rules import STAGE_LABELS, Stage
from .archive import CorporateCustomer

STAGE_CHOICES = [(s.value, label) for s, label in STAGE_LABELS.items()]


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see their own entries; branch leaders their branch's; head office all."""
        from .archive import BRANCH_ROLES, HEAD_OFFICE_ROLES

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role in HEAD_OFFICE_ROLES:
            return self
        if user.role in BRANCH_ROLES:
            return self.filter(branch__in=user.branches.all())
        if user.corporate_manager:
            return self.filter(manager=user)
        return self.none()


class ProjectEntry(models.Model):
    """One target customer named by a manager in a month, and where it stands."""

    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="project_entries", verbose_name=_("branch")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="project_entries",
        verbose_name=_("account manager"),
    )
    month = models.DateField(_("month named"), help_text=_("The first day of the month."))
    customer = models.ForeignKey(
        CorporateCustomer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="project_entries",
        verbose_name=_("existing customer"),
    )
    prospect_name = models.CharField(_("prospect"), max_length=100, blank=True)
    prospect_credit_code = models.CharField(
        _("prospect's unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    products = models.JSONField(_("products aimed at"), default=builtins.list)
    stage = models.CharField(
        _("stage"), max_length=10, choices=STAGE_CHOICES, default=Stage.CONTACTED.value
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = models.DateField(_("next step's deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("named at"))
    updated_at = models.DateTimeField(_("updated at"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "manager", "pk"]
        verbose_name = _("project library entry")
        verbose_name_plural = _("project library entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(prospect_name=""),
                name="project_customer_or_prospect",
            ),
            # A target is named once a month by a manager (a double submit names nothing more).
            models.UniqueConstraint(
                fields=["manager", "month", "customer"],
                condition=Q(customer__isnull=False),
                name="project_customer_once_a_month",
            ),
            models.UniqueConstraint(
                fields=["manager", "month", "prospect_name"],
                condition=Q(customer__isnull=True),
                name="project_prospect_once_a_month",
            ),
        ]
        indexes = [models.Index(fields=["branch", "month"], name="project_branch_month")]

    def __str__(self):
        return f"{self.target} ({self.month:%Y-%m})"

    @property
    def target(self) -> str:
        return self.customer.name if self.customer_id else self.prospect_name

    @property
    def is_open(self) -> bool:
        return pr.is_open(self.stage)

    @property
    def target_code(self) -> str:
        return self.customer.credit_code if self.customer_id else self.prospect_credit_code


class StageChange(models.Model):
    """One move of an entry's stage: who, when, from → to, note (append-only)."""

    entry = models.ForeignKey(ProjectEntry, models.CASCADE, related_name="changes")
    from_stage = models.CharField(_("from"), max_length=10, choices=STAGE_CHOICES)
    to_stage = models.CharField(_("to"), max_length=10, choices=STAGE_CHOICES)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["at"], name="stage_change_at")]

    def __str__(self):
        return f"{self.entry_id}: {self.from_stage} → {self.to_stage}"


class CreditStart(models.Model):
    """A customer whose credit started (was potential or had none): a new SME credit
    customer of its A manager at the time. Once per customer (the constraint makes a
    second run count nothing)."""

    customer = models.ForeignKey(
        CorporateCustomer, models.CASCADE, related_name="credit_starts", verbose_name=_("customer")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_starts",
        verbose_name=_("A manager"),
    )
    branch = models.ForeignKey(Branch, models.PROTECT, related_name="credit_starts")
    started_on = models.DateField(_("credit started on"))

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("credit start")
        verbose_name_plural = _("credit starts")
        constraints = [
            models.UniqueConstraint(fields=["customer"], name="credit_start_once_per_customer")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.started_on}"
