"""Scope rows of the contacts, visits, cadences and diary pages (DOMAIN.md §5.4).

Those who log (a corporate manager, a branch's head and deputy head) have their own
activities, cadences and diary; head office does not. Compliance: a branch's head and
deputy head, head office's two departments.
"""

from tests.credit.people import BRANCH_1_LEADERS, CORPORATE, HEAD_OFFICE_DEPARTMENTS

LOGGERS = CORPORATE - HEAD_OFFICE_DEPARTMENTS
OVERSEERS = {"branch_head", "branch_head_2", "deputy_head"} | HEAD_OFFICE_DEPARTMENTS

SCOPE: dict = {
    "credit:activities": (lambda w: [], LOGGERS),
    "credit:activity_new": (lambda w: [], LOGGERS),
    "credit:my_cadences": (lambda w: [], LOGGERS),
    "credit:diary": (lambda w: [], LOGGERS),
    "credit:compliance": (lambda w: [], OVERSEERS),
    "credit:branch_compliance": (
        lambda w: [w.branch1.pk],
        BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS,
    ),
}
ALLOWED_STATUS: dict = {}
