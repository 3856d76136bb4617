"""Scope rows of the corporate archive pages: url name -> (args from the world, roles allowed).

company_1 (branch 1) is seen by COMPANY_1; edited by its A role (corp_a1) and branch 1's
head and deputy head; its team is set by the head and the deputy head. Anyone who leads
a branch's corporate work or is a corporate account manager files customers in their
own branch (a manager becomes the new customer's A role).
"""

from tests.credit.people import BRANCH_1_LEADERS, COMPANY_1, CORPORATE

FILE_CUSTOMERS = {"branch_head", "branch_head_2", "deputy_head", "corp_a1", "corp_b1", "corp_c"}

SCOPE: dict = {
    "credit:customers": (lambda w: [], CORPORATE),
    "credit:customer_create": (lambda w: [], FILE_CUSTOMERS),
    "credit:customer": (lambda w: [w.company_1.pk], COMPANY_1),
    "credit:customer_edit": (lambda w: [w.company_1.pk], {"corp_a1"} | BRANCH_1_LEADERS),
    "credit:team_edit": (lambda w: [w.company_1.pk], BRANCH_1_LEADERS),
}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {}
