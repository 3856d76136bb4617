"""Follow-up: who maintains a customer (分层维护), the dedicated manager, and the visits logged."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.models import Customer, Role


class Maintainer(models.Model):
    """Who maintains a customer now (分层维护), recomputed at each weekly confirmation."""

    class Duty(models.TextChoices):
        LEADER = "leader", _("Assigned leader")
        CHIEF = "chief", _("Assigned section chief")
        BRANCH_HEAD = "branch_head", _("Branch head")
        DEDICATED = "dedicated", _("Dedicated account manager")
        AREA = "area", _("Area account manager")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="maintainers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="maintained")
    duty = models.CharField(_("duty"), max_length=12, choices=Duty.choices)
    since = models.DateField(_("since"))

    class Meta:
        ordering = ["customer", "duty"]
        verbose_name = _("maintainer")
        verbose_name_plural = _("maintainers")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user", "duty"], name="maintainer_unique"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.user_id} {self.duty}"


class DedicatedManager(models.Model):
    """The account manager dedicated to a key customer; chosen by the branch head."""

    customer = models.OneToOneField(Customer, models.CASCADE, related_name="dedicated_manager")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="dedicated_customers",
        limit_choices_to={"role": Role.ACCOUNT_MANAGER},
    )

    class Meta:
        verbose_name = _("dedicated account manager")
        verbose_name_plural = _("dedicated account managers")

    def __str__(self):
        return f"{self.customer_id}: {self.user_id}"


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(customer__in=Customer.objects.visible_to(user))


class Visit(models.Model):
    """A revisit of a customer: who went, with whom, what was learnt and what comes next."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="visits")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnered_visits",
        verbose_name=_("partner"),
    )
    learnt = models.TextField(_("what was learnt"), blank=True)
    needs = models.CharField(_("needs"), max_length=300, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["customer", "-visited_on"], name="visit_customer_date")]

    def __str__(self):
        return f"{self.customer_id} {self.visited_on}"


class FollowUp(models.Model):
    """A customer's follow-up as it stands, kept current where it changes.

    The tier and rank of the customer's latest confirmed week, the start of its first
    maintainer's duty and its last visit: written when a week is confirmed and when a
    visit is recorded (classification/followup.py), so "my customers", "revisits due" and
    the revisit rates read these columns instead of searching every week's history.
    """

    customer = models.OneToOneField(
        Customer, models.CASCADE, primary_key=True, related_name="follow_up"
    )
    # NULL, not "": a customer never classified reads as NULL whether or not it has a row.
    tier = models.CharField(_("tier"), max_length=20, blank=True, null=True)  # noqa: DJ001
    rank = models.PositiveIntegerField(_("rank in branch"), null=True, blank=True)
    week = models.ForeignKey(
        "classification.Week", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The earliest start among the customer's maintainers (None: no maintainer rows).
    since = models.DateField(_("maintained since"), null=True, blank=True)
    last_visit = models.DateField(_("last visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["tier", "last_visit"], name="followup_tier_visit"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.tier} {self.last_visit}"
