"""Pages of the project library: the manager's entries (phone), naming a target, an entry
and its moves, the branch's weekly progress meeting and its monthly export."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.exports import xlsx_response

from .. import project_exports, projects
from .. import project_rules as pr
from ..forms.projects import MoveForm, TargetForm
from ..models import CorporateCustomer, ProjectEntry
from ..teams import branches_overseen
from .lists import not_post


def _month_param(request, today: datetime.date) -> datetime.date:
    raw = request.GET.get("month", "")
    if not raw:
        return pr.month_of(today)
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007 (a month)
    except ValueError:
        raise Http404 from None


def library(request):
    """A manager's own entries (cards on the phone); leaders and head office see a branch's."""
    user = request.user
    if not (user.corporate_manager or branches_overseen(user).exists()):
        raise Http404
    today = timezone.localdate()
    month = _month_param(request, today)
    entries = ProjectEntry.objects.visible_to(user)
    branch = None
    if not user.corporate_manager:
        branches = branches_overseen(user)
        chosen = request.GET.get("branch")
        if chosen and not chosen.isdigit():
            raise Http404
        branch = get_object_or_404(branches, pk=chosen) if chosen else branches.first()
        entries = entries.filter(branch=branch)
    entries = projects.with_history(entries.filter(month=month)).order_by("manager", "pk")
    entries = list(entries)
    named = sum(1 for e in entries if e.manager_id == user.pk)
    return render(
        request,
        "credit/projects.html",
        {
            "entries": entries,
            "month": month,
            "today": today,
            "branch": branch,
            "named": named,
            "target": pr.MONTHLY_TARGETS,
            "flagged": user.corporate_manager and pr.month_flagged(named),
            "can_name": user.corporate_manager,
            "previous_month": pr.month_of(month - datetime.timedelta(days=1)),
        },
    )


def name_target(request):
    user = request.user
    if not user.corporate_manager:
        raise Http404
    customers = CorporateCustomer.objects.visible_to(user).order_by("name")
    form = TargetForm(request.POST or None, customers=customers)
    if request.method == "POST" and form.is_valid():
        try:
            entry = projects.name_target(
                user=user,
                customer=form.cleaned_data["customer"],
                prospect_name=form.cleaned_data["prospect_name"],
                prospect_credit_code=form.cleaned_data["prospect_credit_code"],
                products=form.product_list(),
                next_step=form.cleaned_data["next_step"],
                next_step_due=form.cleaned_data["next_step_due"],
                today=timezone.localdate(),
                now=timezone.now(),
            )
        except projects.ProjectRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Target %(name)s named.") % {"name": entry.target})
            return redirect("credit:project", entry.pk)
    return render(request, "credit/project_form.html", {"form": form})


def entry(request, pk):
    entry = get_object_or_404(
        projects.with_history(ProjectEntry.objects.visible_to(request.user)), pk=pk
    )
    today = timezone.localdate()
    can_move = entry.manager_id == request.user.pk and pr.is_open(entry.stage)
    return render(
        request,
        "credit/project.html",
        {
            "entry": entry,
            "late": pr.is_late(entry.stage, entry.next_step_due, today),
            "form": MoveForm(entry=entry) if can_move else None,
        },
    )


def move(request, pk):
    entry = get_object_or_404(ProjectEntry.objects.visible_to(request.user), pk=pk)
    if response := not_post(request):
        return response
    form = MoveForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            projects.move_stage(
                entry=entry,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                shown_stage=form.cleaned_data["shown_stage"],
                note=form.cleaned_data["note"],
                next_step=form.cleaned_data["next_step"],
                next_step_due=form.cleaned_data["next_step_due"],
                today=timezone.localdate(),
                now=timezone.now(),
            )
        except projects.ProjectRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Stage moved."))
    else:
        messages.error(request, _("Check the move: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("credit:project", entry.pk)


def meeting(request, branch_pk):
    """The branch's weekly progress meeting: per manager, what was named, moved and is late."""
    branch = get_object_or_404(branches_overseen(request.user), pk=branch_pk)
    today = timezone.localdate()
    year, week = pr.iso_week_of(today)
    raw = request.GET.get("week", "")
    if raw:
        try:
            year, week = (int(part) for part in raw.split("-W"))
            pr.iso_week_bounds(year, week)
        except ValueError:
            raise Http404 from None
    monday, sunday = pr.iso_week_bounds(year, week)
    rows = projects.meeting_rows(branch, year=year, week=week, today=today)
    previous = monday - datetime.timedelta(days=7)
    following = monday + datetime.timedelta(days=7)
    return render(
        request,
        "credit/project_meeting.html",
        {
            "branch": branch,
            "rows": rows,
            "week": f"{year}-W{week:02d}",
            "monday": monday,
            "sunday": sunday,
            "today": today,
            "target": pr.MONTHLY_TARGETS,
            "previous_week": "{}-W{:02d}".format(*pr.iso_week_of(previous)),
            "next_week": "{}-W{:02d}".format(*pr.iso_week_of(following)),
            "month": pr.month_of(min(today, sunday)),
        },
    )


def export(request, branch_pk):
    """The branch's library for a month as XLSX (a plain download: a month is small)."""
    branch = get_object_or_404(branches_overseen(request.user), pk=branch_pk)
    month = _month_param(request, timezone.localdate())
    entries = projects.with_history(
        ProjectEntry.objects.filter(branch=branch, month=month)
    ).order_by("manager__staff_no", "manager", "pk")
    data = project_exports.library_workbook(entries)
    filename = _("%(branch)s project library %(month)s") % {
        "branch": branch.name,
        "month": month.strftime("%Y%m"),
    }
    return xlsx_response(data, filename + ".xlsx")


urlpatterns = [
    path("projects/", library, name="projects"),
    path("projects/new/", name_target, name="project_create"),
    path("projects/<int:pk>/", entry, name="project"),
    path("projects/<int:pk>/move/", move, name="project_move"),
    path("branches/<int:branch_pk>/projects/meeting/", meeting, name="project_meeting"),
    path("branches/<int:branch_pk>/projects/export/", export, name="projects_export"),
]
