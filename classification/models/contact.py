"""Contact (联络): the text messages planned each month for key customers, and product news."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archives.identity import mask_phone
from archives.models import Customer, Role

from .weekly import branches_visible_to


class ProductNews(models.Model):
    """Head office's product news for a month; every key customer gets it that month."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    text = models.CharField(
        _("text"),
        max_length=300,
        help_text=_("Sent as written. One text message holds 70 Chinese characters."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("product news")
        verbose_name_plural = _("product news")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="product_news_month_first_day"),
            models.CheckConstraint(condition=~Q(text=""), name="product_news_has_text"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.text[:20]}"


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Messages to customers a user may see: the start of every outbox query."""
        if getattr(user, "role", None) == Role.ACCOUNT_MANAGER and not user.is_superuser:
            return self.filter(customer__in=Customer.objects.visible_to(user))
        return self.filter(customer__village__township__branch__in=branches_visible_to(user))

    def due(self, today: datetime.date):
        """Queued messages whose day has come, oldest first: what a send run picks up."""
        return self.filter(status=Message.Status.QUEUED, scheduled_for__lte=today).order_by(
            "scheduled_for", "pk"
        )


class Message(models.Model):
    """One text message to one customer, kept with its outcome whatever happens to it."""

    class Kind(models.TextChoices):
        PRODUCT_NEWS = "product_news", _("Product news")
        DEPOSIT_MATURITY = "deposit_maturity", _("Fixed deposit matures")
        LOAN_MATURITY = "loan_maturity", _("Loan falls due")
        INTEREST_DUE = "interest_due", _("Interest due")
        HOLIDAY_GREETING = "holiday_greeting", _("Holiday greeting")
        BIRTHDAY_GREETING = "birthday_greeting", _("Birthday greeting")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("text message", "Queued")
        SENT = "sent", pgettext_lazy("text message", "Sent")
        FAILED = "failed", pgettext_lazy("text message", "Failed")
        SKIPPED = "skipped", pgettext_lazy("text message", "Skipped")

    class SkipReason(models.TextChoices):
        NO_MOBILE = "no_mobile", _("No mobile number on file")
        BAD_MOBILE = "bad_mobile", _("The number on file is not a valid mobile number")
        PASSED = "passed", _("The date had passed when the month was planned")

    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="contact_messages", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind of message"), max_length=20, choices=Kind.choices)
    # What the message is about, e.g. "birthday:2026:42", "holiday:2026-spring_festival:42",
    # "loan_maturity:2026-12-15:42": unique per customer, so no greeting goes out twice.
    dedupe_key = models.CharField(_("occasion key"), max_length=80)
    plan_month = models.DateField(_("planned for month"))
    occasion_on = models.DateField(_("occasion date"))
    scheduled_for = models.DateField(_("send on"))
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    skip_reason = models.CharField(
        _("why skipped"), max_length=12, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_for", "customer_id", "pk"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="message_due"),
            models.Index(fields=["plan_month", "kind"], name="message_month_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "dedupe_key"], name="message_unique_occasion_per_customer"
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | Q(status="skipped"),
                name="message_has_mobile_unless_skipped",
            ),
            models.CheckConstraint(
                condition=~Q(status="skipped") | ~Q(skip_reason=""),
                name="message_skipped_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(plan_month__day=1), name="message_plan_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.customer_id} ({self.scheduled_for})"

    @property
    def masked_phone(self):
        return mask_phone(self.phone)
