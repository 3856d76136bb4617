"""Pages of cadence compliance and of the work diary (DOMAIN.md §5.4).

Compliance: per branch and per person, the share of (customer, cadence) obligations met
in the last complete period and the current one (the branch's leaders, head office).
The diary: one's own entry of today; the branch's working days without an entry.
"""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import versions

from .. import cadences, diary, teams
from ..forms.activity import DiaryForm


def compliance_branches(request):
    branches = teams.branches_overseen(request.user).order_by("name")
    if not branches.exists():
        raise Http404
    today = timezone.localdate()
    figures = cadences.cadence_compliance(branches, today)
    return render(
        request,
        "credit/compliance_branches.html",
        {"today": today, "rows": list(figures.values())},
    )


def compliance_branch(request, branch_pk):
    branch = get_object_or_404(teams.branches_overseen(request.user), pk=branch_pk)
    today = timezone.localdate()
    figures = cadences.cadence_compliance([branch], today)[branch.pk]
    # The month so far, up to yesterday: today's diary may still be written.
    start, end = today.replace(day=1), today - datetime.timedelta(days=1)
    gaps = diary.diary_gaps(branch, start, end)
    return render(
        request,
        "credit/compliance_branch.html",
        {
            "branch": branch,
            "today": today,
            "figures": figures,
            "month_start": start,
            "gaps_end": end,
            "gaps": sorted(gaps.items(), key=lambda item: (-len(item[1]), item[0].username)),
        },
    )


def diary_today(request):
    user = request.user
    if not cadences.may_log(user):
        raise Http404
    today = timezone.localdate()
    entry = diary.entry_of(user, today)
    initial = {"summary": entry.summary, "plan": entry.plan, "version": diary.version_of(entry)}
    form = DiaryForm(request.POST or None, initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            diary.save_entry(
                user,
                day=today,
                today=today,
                summary=data["summary"],
                plan=data["plan"],
                version=data["version"],
            )
        except versions.StaleEdit as refused:
            stale = refused
            versions.keep_input(form, refused)
        else:
            messages.success(request, _("Saved today's diary."))
            return redirect("credit:diary")
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    recent = user.diary_entries.filter(day__gte=today - datetime.timedelta(days=14))
    return render(
        request,
        "credit/diary.html",
        {"form": form, "stale": stale, "today": today, "entry": entry, "recent": recent},
        status=409 if stale else 200,
    )


urlpatterns = [
    path("cadences/branches/", compliance_branches, name="compliance"),
    path("branches/<int:branch_pk>/cadences/", compliance_branch, name="branch_compliance"),
    path("diary/", diary_today, name="diary"),
]
