"""The four lists (DOMAIN.md §5.2): runs that propose, each customer's list as it stands,
and every change of list with who, when, from → to and why.

The system proposes (ListRun, ListProposal); the branch declares; strategic and quality
are confirmed by corporate finance, then by credit management (either may refuse with
a reason); basic and potential are the branch's decision. Head office may designate a
customer strategic. A list is due for review 12 months after it was last confirmed.
"""

import builtins

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.models import Branch

from .. import rules
from .archive import CorporateCustomer

LIST_CHOICES = [(k.value, label) for k, label in rules.LIST_LABELS.items()]
# Lists that need both head-office departments' confirmation.
CONFIRMED_BY_HEAD_OFFICE = (rules.CreditList.STRATEGIC.value, rules.CreditList.QUALITY.value)


class ListRun(models.Model):
    """One run of the rules over a branch's customers, with the thresholds in force that day."""

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="credit_list_runs")
    run_on = models.DateField(_("thresholds as of"))
    run_at = models.DateTimeField(_("run at"))
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-run_at", "-pk"]
        verbose_name = _("list run")
        verbose_name_plural = _("list runs")

    def __str__(self):
        return f"{self.branch} {self.run_at:%Y-%m-%d %H:%M}"


class ListProposal(models.Model):
    """What a run proposes for one customer, with the criteria met and their figures."""

    run = models.ForeignKey(ListRun, models.CASCADE, related_name="proposals")
    customer = models.ForeignKey(CorporateCustomer, models.CASCADE, related_name="proposals")
    list = models.CharField(_("proposed list"), max_length=12, choices=LIST_CHOICES)
    # [{"list", "number", "text"}]; builtins.list, as `list` here is the field above.
    criteria = models.JSONField(_("criteria met"), default=builtins.list)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["run", "customer"]
        verbose_name = _("list proposal")
        verbose_name_plural = _("list proposals")
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="proposal_one_per_run")
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.list}"


class ListState(models.Model):
    """A customer's list as it stands, and a declaration on its way through head office."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        DECLARED = "declared", _("Declared by the branch, awaiting corporate finance")
        FINANCE_CONFIRMED = (
            "finance_confirmed",
            _("Confirmed by corporate finance, awaiting credit management"),
        )
        REFUSED = "refused", _("Refused by head office")

    customer = models.OneToOneField(
        CorporateCustomer, models.CASCADE, primary_key=True, related_name="list_state"
    )
    # The list in force ("" while none was ever confirmed) and since when.
    list = models.CharField(_("list"), max_length=12, choices=LIST_CHOICES, blank=True)
    confirmed_on = models.DateField(_("last confirmed on"), null=True, blank=True)
    # A declaration waiting for head office (strategic or quality), or the last refused.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested = models.CharField(
        _("declared list"), max_length=12, choices=LIST_CHOICES, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Head office's reason when it designated the customer strategic (the rules count it).
    designation = models.CharField(_("head office's designation"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("customer's list")
        verbose_name_plural = _("customers' lists")

    def __str__(self):
        return f"{self.customer_id}: {self.list} ({self.status})"


class ListChange(models.Model):
    """One step of a customer's list: declared, confirmed, refused, designated (append-only)."""

    class Step(models.TextChoices):
        DECLARED = "declared", _("Declared by the branch")
        DECIDED = "decided", _("Decided by the branch")
        FINANCE_CONFIRMED = "finance_confirmed", _("Confirmed by corporate finance")
        CREDIT_CONFIRMED = "credit_confirmed", _("Confirmed by credit management")
        REFUSED = "refused", _("Refused by head office")
        DESIGNATED = "designated", _("Designated strategic by head office")

    customer = models.ForeignKey(CorporateCustomer, models.CASCADE, related_name="list_changes")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    from_list = models.CharField(_("from"), max_length=12, choices=LIST_CHOICES, blank=True)
    to_list = models.CharField(_("to"), max_length=12, choices=LIST_CHOICES, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change of list")
        verbose_name_plural = _("changes of list")

    def __str__(self):
        return f"{self.customer_id}: {self.from_list} → {self.to_list} ({self.step})"
