"""Charts over time: the whole bank for head office, a branch for those who see it."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from archives.charts import bars_svg, svg
from archives.models import Role

from .. import charts as chart_data
from ..models import branches_visible_to

CHART_ROLES = (Role.BRANCH_HEAD, Role.SECTION_CHIEF, Role.LEADER)


def chart_page(request):
    user = request.user
    if not (user.is_head_office or user.role in CHART_ROLES):
        raise Http404
    visible = branches_visible_to(user).order_by("code")
    chosen = request.GET.get("branch")
    if chosen:
        branch = get_object_or_404(visible, pk=chosen)
        counted = visible.filter(pk=branch.pk)
    elif user.is_head_office:
        branch, counted = None, visible
    else:
        branch = visible.first()
        if branch is None:
            raise Http404
        counted = visible.filter(pk=branch.pk)
    today = timezone.localdate()
    charts = [
        # Built and escaped by archives.charts.
        {
            "chart": chart,
            "svg": mark_safe((bars_svg if getattr(chart, "bars", False) else svg)(chart)),
        }
        for chart in chart_data.charts(counted, today)
    ]
    return render(
        request,
        "classification/charts.html",
        {"branches": visible, "branch": branch, "charts": charts, "today": today},
    )
