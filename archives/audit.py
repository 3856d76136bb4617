"""The access log of personal data: who saw a full ID number, exported or searched, and failed logins.

Append-only: a row is written once and never changed or deleted through the ORM
(save of an existing row, delete, and the QuerySet's update and delete raise); on
PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0012).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import mask_personal_numbers


class AppendOnly(Exception):
    """The access log keeps every row as written."""


class AccessAction(models.TextChoices):
    FULL_ID_VIEWED = "full_id_viewed", _("Full ID number viewed")
    EXPORTED = "exported", _("Archive exported")
    SEARCHED = "searched", _("ID number or mobile searched")
    LOGIN_FAILED = "login_failed", _("Failed login")


class PersonalDataAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("the personal data access log is append-only")

    def delete(self):
        raise AppendOnly("the personal data access log is append-only")

    def filtered(self, *, user=None, customer=None, action="", since=None, until=None):
        """The rows matching the head-office page's filters (each one optional)."""
        rows = self
        if user is not None:
            rows = rows.filter(user=user)
        if customer is not None:
            rows = rows.filter(customer=customer)
        if action:
            rows = rows.filter(action=action)
        if since is not None:
            rows = rows.filter(at__date__gte=since)
        if until is not None:
            rows = rows.filter(at__date__lte=until)
        return rows


class PersonalDataAccess(models.Model):
    """One access to personal data, or one failed login: who, what, from where, when."""

    at = models.DateTimeField(_("time"))
    # No database constraint and nothing done on delete: the log outlives the user or
    # customer it names, and deleting them must never touch (or be blocked by) it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # As typed at a failed login; the user's name otherwise (kept if the user goes).
    username = models.CharField(_("user name"), max_length=150, blank=True)
    customer = models.ForeignKey(
        "archives.Customer",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        indexes = [
            models.Index(fields=["-at"], name="access_recent"),
            models.Index(fields=["user", "-at"], name="access_by_user"),
            models.Index(fields=["customer", "-at"], name="access_by_customer"),
            models.Index(fields=["action", "-at"], name="access_by_action"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("the personal data access log is append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("the personal data access log is append-only")


def client_address(request) -> str | None:
    """The address the request came from, as the server saw it (REMOTE_ADDR).

    Behind an HTTP proxy this is the proxy's address: X-Forwarded-For is not read here,
    as a client could set it itself.
    """
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record_access(
    *,
    action: str,
    now: datetime.datetime,
    request=None,
    user=None,
    username: str = "",
    customer=None,
    detail: str = "",
    address: str | None = None,
) -> PersonalDataAccess:
    """Write one row of the access log; `detail` is stored with any ID number or mobile masked.

    The address is the request's; `address` gives it for work done after the request (a job).
    """
    if user is not None and not user.is_authenticated:
        user = None
    return PersonalDataAccess.objects.create(
        at=now,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        customer=customer,
        action=action,
        address=client_address(request) if request is not None else address,
        detail=mask_personal_numbers(detail)[:200],
    )


def record_failed_login(sender, credentials, request=None, **kwargs):
    """Receiver of user_login_failed: every failed login is a row, known user name or not.

    A signal because a failed login is cross-cutting: whichever login view or backend
    refused it (the login page, the admin's), the log keeps it.
    """
    username = str(credentials.get("username", ""))
    user = get_user_model().objects.filter(username=username).first() if username else None
    record_access(
        action=AccessAction.LOGIN_FAILED,
        now=timezone.now(),
        request=request,
        user=user,
        username=mask_personal_numbers(username),
    )
