"""The corporate dashboard: head office sees every branch, a branch's leaders their own."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from .. import dashboard as board
from .. import project_rules as pr
from ..teams import branches_overseen


def dashboard(request):
    branches = branches_overseen(request.user).order_by("code", "pk")
    if not branches.exists():
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "credit/dashboard.html",
        {
            "sections": board.dashboard(branches, today),
            "today": today,
            "month": pr.month_of(today),
            "quarter": pr.quarter_of(today),
            "quarter_end": pr.quarter_end(today),
            "monthly_target": pr.MONTHLY_TARGETS,
            "quarterly_target": pr.QUARTERLY_CREDIT_STARTS,
        },
    )


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
]
