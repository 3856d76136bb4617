"""Scope rows of the corporate lists pages: url name -> (args from the world, roles allowed)."""

from tests.credit.people import (
    BRANCH_1_LEADERS,
    CORPORATE,
    HEAD_OFFICE_DEPARTMENTS,
)

BRANCH_LEADERS = BRANCH_1_LEADERS | {"branch_head_2"}

SCOPE: dict = {
    # Everyone serving corporate customers has the lists page (of their own customers).
    "credit:home": (lambda w: [], CORPORATE),
    # Branch 1's head and deputy run the rules and declare company_1's list.
    "credit:run_lists": (lambda w: [w.branch1.pk], BRANCH_1_LEADERS),
    "credit:declare": (lambda w: [w.company_1.pk], BRANCH_1_LEADERS),
    # Head office's two departments decide declarations and designate.
    "credit:queue": (lambda w: [], HEAD_OFFICE_DEPARTMENTS),
    "credit:confirm": (lambda w: [w.company_1.pk], HEAD_OFFICE_DEPARTMENTS),
    "credit:refuse": (lambda w: [w.company_1.pk], HEAD_OFFICE_DEPARTMENTS),
    "credit:designate": (lambda w: [w.company_1.pk], HEAD_OFFICE_DEPARTMENTS),
    # A branch's lists as a whole: its head and deputy, and head office's departments.
    "credit:lists_export": (lambda w: [w.branch1.pk], BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS),
    "credit:review_due": (lambda w: [], BRANCH_LEADERS | HEAD_OFFICE_DEPARTMENTS),
}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {
    "credit:run_lists": 405,
    "credit:declare": 405,
    "credit:confirm": 405,
    "credit:refuse": 405,
    "credit:designate": 405,
}
# The village home sends the roles without village work to the corporate lists.
ROLE_STATUS: dict = {
    "home": {"deputy_head": 302, "corporate_finance": 302, "credit_management": 302},
}
