"""Scope rows of the corporate teams pages: url name -> (args from the world, roles allowed)."""

from tests.credit.people import BRANCH_1_LEADERS, HEAD_OFFICE_DEPARTMENTS

SCOPE: dict = {
    # A branch's teams and loads: its head and deputy head, head office's two departments.
    "credit:teams": (lambda w: [w.branch1.pk], BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS),
}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {}
