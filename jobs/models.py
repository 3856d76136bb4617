"""The one record of background work: what runs, how far it got, and how it ended."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs a user may follow (their kinds, each kind's scope); any other is a 404."""
        from .registry import visible_filter

        return self.filter(visible_filter(user))

    def stale(self, *, now: datetime.datetime, minutes: int):
        """Running jobs whose worker has not been heard of for `minutes`."""
        return self.filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=now - datetime.timedelta(minutes=minutes)
        )


def input_upload_to(instance, filename):
    """A random name for an uploaded file: the uploader's name (the job's subject) never
    reaches the disk, and nobody can guess another upload's path."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    extension = f".{extension}" if extension.isalnum() and len(extension) <= 5 else ""
    return f"jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Job(models.Model):
    """One piece of background work of a registered kind (jobs/registry.py).

    The kind's runner reads its input (an uploaded file, parameters) and leaves a
    summary in `result`, the rows it refused in `errors`, and possibly a file to
    download. `heartbeat_at` moves with every progress report: a running job whose
    heartbeat stops is reaped to failed (jobs/services.py), so none stays running.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # What the job works on, as its page names it: a file name, a month.
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Mode 0600 (FILE_UPLOAD_PERMISSIONS); deleted UPLOAD_RETENTION_DAYS after the job
    # finished by `manage.py purge_uploads` (services.purge_uploads), which job_worker runs.
    input_file = models.FileField(_("file"), upload_to=input_upload_to, blank=True)
    # A job started from another one's result, e.g. the import that confirms a dry run.
    started_from = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("started from"),
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("why it stopped"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/results/%Y/%m/", blank=True)
    # [{"sheet", "row", "column", "message"}]: the first problems found in the input.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="job_kind_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self):
        return f"{self.kind_label} {self.subject}".strip()

    def get_absolute_url(self):
        return reverse("jobs:job", args=[self.pk])

    @property
    def kind_label(self):
        from .registry import label_of

        return label_of(self.kind)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, 100 * self.done // self.total)


class ScheduledRun(models.Model):
    """The state of one scheduled entry (jobs/schedule.py): when it last ran, how that
    ended, and when it is due again. The row is the claim: a tick sets `running_since`
    with a conditional UPDATE, so two workers never run one entry at once."""

    class Outcome(models.TextChoices):
        NEVER = "never", pgettext_lazy("scheduled run", "Not run yet")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=40, unique=True)
    next_due = models.DateTimeField(_("next run"))
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last outcome"), max_length=10, choices=Outcome.choices, default=Outcome.NEVER
    )
    # What the last run reported (done), or why it failed.
    message = models.TextField(_("message"), blank=True)
    # Someone asked for a run now from the schedule page (whom, for the page).
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self):
        return self.key


class ScheduledFailure(models.Model):
    """A scheduled run that failed, kept for the schedule page's recent failures."""

    key = models.CharField(_("key"), max_length=40)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    message = models.TextField(_("why it failed"))

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = _("scheduled run failure")
        verbose_name_plural = _("scheduled run failures")
        indexes = [models.Index(fields=["key", "-finished_at"], name="schedfail_key_recent")]

    def __str__(self):
        return f"{self.key} {self.finished_at:%Y-%m-%d %H:%M}"
