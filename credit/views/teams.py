"""Pages of the corporate teams: a branch's service teams and its managers' loads."""

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import allocation, rules, teams


def _number(value) -> str:
    """A count as a whole number; a mean or a load to two decimals."""
    whole = value == value.to_integral_value()
    return format(value.quantize(rules.ONE) if whole else rules.to_fen(value), "f")


def _spread_lines(spread: allocation.BranchLoads) -> list[tuple]:
    """(label, lowest, highest, mean, difference) as text, for each figure compared."""
    compared = (
        (_("Corporate customers as A role"), spread.corporate, _number),
        (_("Retail customers maintained"), spread.retail, _number),
        (_("Credit total of A customers"), spread.credit, rules.money),
        (_("Load"), spread.load, _number),
    )
    return [
        (label, fmt(s.lowest), fmt(s.highest), fmt(s.mean), fmt(s.difference))
        for label, s, fmt in compared
        if s is not None
    ]


def branch(request, branch_pk):
    """One branch: each customer's team (incomplete first), each manager's load and the spread."""
    branch = get_object_or_404(teams.branches_overseen(request.user), pk=branch_pk)
    on = timezone.localdate()
    thresholds = rules.thresholds_on(on)
    kind = rules.BranchKind(branch.kind)
    rows = teams.branch_teams(branch, on)
    loads = teams.branch_loads(branch, on)
    context = {
        "branch": branch,
        "branch_kind": rules.BRANCH_KIND_LABELS[kind],
        "lower": rules.money(thresholds.team_lower, plain=True),
        "upper": rules.money(allocation.team_upper(kind, thresholds), plain=True),
        "per_manager": thresholds.corporate_per_manager,
        "retail_per_manager": thresholds.retail_per_manager,
        "on": on,
        "rows": rows,
        "incomplete": sum(row.incomplete for row in rows),
        "loads": loads,
        "spread": _spread_lines(loads.spread),
    }
    return render(request, "credit/teams.html", context)


urlpatterns = [
    path("branches/<int:branch_pk>/teams/", branch, name="teams"),
]
