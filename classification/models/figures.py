"""Head office's figures per branch, kept so that a page of many branches does not group
every customer of the bank on each request (classification/figures.py keeps them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from archives.models import Branch


class BranchFigures(models.Model):
    """A branch's dashboard and revisit-rate figures, as computed for one day.

    Valid while `day` is today and no FiguresChange of the branch is as recent as
    `started_at` (the moment the computation began reading).
    """

    branch = models.OneToOneField(Branch, models.CASCADE, primary_key=True, related_name="+")
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("computed from"))
    # The week whose tiers the dashboard figures count (latest confirmed, else proposed).
    week_id = models.IntegerField(null=True)
    dashboard = models.JSONField(default=dict)
    revisit = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("branch figures")
        verbose_name_plural = _("branch figures")

    def __str__(self):
        return f"{self.branch_id} {self.day}"


class FiguresChange(models.Model):
    """Something a branch's figures count changed at `at` (append-only, kept two days)."""

    branch = models.ForeignKey(Branch, models.CASCADE, related_name="+", db_constraint=False)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["branch", "at"], name="figures_change_branch_at")]

    def __str__(self):
        return f"{self.branch_id} {self.at}"
