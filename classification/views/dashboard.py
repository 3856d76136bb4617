"""Dashboards for branch heads, head office and (read only) assigned chiefs and leaders,
and the branch summary export of one week."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.exports import xlsx_response
from archives.models import Branch, CustomerType

from .. import dashboard, figures, summary
from ..models import Rulebook, Week
from ..rules import TIER_LABELS


def _context(today):
    rulebook = Rulebook.objects.in_force(today)
    return rulebook, {
        "today": today,
        "key_days": rulebook.key_revisit_days,
        "tier_labels": [TIER_LABELS[t] for t in dashboard.TIERS],
        "targets": {
            "coverage": dashboard.COVERAGE_TARGET,
            "connection": dashboard.CONNECTION_TARGET,
            "revisit": dashboard.REVISIT_TARGET,
        },
    }


def overview(request):
    """Every branch the user oversees, one line each, and their total."""
    branches = Branch.objects.overseen_by(request.user)
    if not branches.exists():
        raise Http404
    today = timezone.localdate()
    rulebook, context = _context(today)
    lines = figures.branch_lines(branches, today=today, rulebook=rulebook)
    context.update(lines=lines, total=dashboard.total(lines))
    return render(request, "classification/dashboard.html", context)


def branch(request, pk):
    """One branch: its villages, customers by tier × type, and key customers overdue."""
    branch = get_object_or_404(
        dashboard.with_weeks(Branch.objects.overseen_by(request.user)), pk=pk
    )
    today = timezone.localdate()
    rulebook, context = _context(today)
    week = dashboard.chosen_weeks([branch]).get(branch.pk)
    lines = dashboard.village_lines(branch, week, today=today, rulebook=rulebook)
    type_labels = [label for _value, label in CustomerType.choices]
    context.update(
        branch=branch,
        week=week,
        lines=lines,
        total=dashboard.total(lines),
        type_labels=type_labels,
        matrix=[
            (TIER_LABELS[tier], list(zip(type_labels, cells, strict=True)), row_total)
            for tier, cells, row_total in dashboard.tier_by_type(week)
        ],
        overdue=list(dashboard.overdue_key_customers(week, today=today, rulebook=rulebook)),
    )
    return render(request, "classification/dashboard_branch.html", context)


def week_summary(request, pk):
    """Customers by tier × type × village of one week, as XLSX, for whoever sees the week."""
    week = get_object_or_404(Week.objects.visible_to(request.user).select_related("branch"), pk=pk)
    filename = (
        _("%(branch)s tier summary %(date)s")
        % {"branch": week.branch.name, "date": week.week_start.strftime("%Y%m%d")}
        + ".xlsx"
    )
    return xlsx_response(summary.export_week_summary(week), filename)
