"""Submissions sent with a key (the phone's outbox): what each one filed, so a resend files nothing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One form sent with a `submission_key` and saved: the page its save led to.

    Written in the same transaction as the record the form saved (archives.submissions.once),
    so a Submission exists exactly when the write committed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(_("submission key"))
    created_at = models.DateTimeField(_("sent at"))
    url = models.CharField(_("result"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_unique_user_key"),
        ]

    def __str__(self):
        return str(self.key)
