"""Scope rows of the project library, the weekly meeting, its export and the dashboard."""

from tests.credit.people import BRANCH_1_LEADERS, HEAD_OFFICE_DEPARTMENTS

CORPORATE_MANAGERS = {"corp_a1", "corp_b1", "corp_c"}


def an_entry(w):
    """corp_a1's prospect in branch 1: seen by corp_a1, branch 1's leaders and head office."""
    from credit.models import ProjectEntry

    entry = ProjectEntry.objects.create(
        branch=w.branch1,
        manager=w.corp_a1,
        month="2026-01-01",
        prospect_name="红安某新材料有限公司",
        products=["流动资金贷款"],
        created_at="2026-01-05T09:00:00+08:00",
        updated_at="2026-01-05T09:00:00+08:00",
    )
    return [entry.pk]


SCOPE: dict = {
    # Managers see their own library; leaders and head office a branch's.
    "credit:projects": (
        lambda w: [],
        CORPORATE_MANAGERS
        | {"branch_head", "branch_head_2"}
        | BRANCH_1_LEADERS
        | HEAD_OFFICE_DEPARTMENTS,
    ),
    "credit:project_create": (lambda w: [], CORPORATE_MANAGERS),
    "credit:project": (an_entry, {"corp_a1"} | BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS),
    "credit:project_move": (an_entry, {"corp_a1"} | BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS),
    "credit:project_meeting": (
        lambda w: [w.branch1.pk],
        BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS,
    ),
    "credit:projects_export": (
        lambda w: [w.branch1.pk],
        BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS,
    ),
    "credit:dashboard": (
        lambda w: [],
        {"branch_head", "branch_head_2"} | BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS,
    ),
}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {"credit:project_move": 405}
