"""Who gets each corporate credit page (the rows of tests/archives/test_scope.py).

A customer (company_1, branch 1) is seen by its team (corp_a1 as A, corp_b1 as B1), the
head and the deputy head in charge of its branch, and head office's corporate finance
and credit management; everyone else gets 404. Each concept keeps its rows in its own
module below; this one gathers them.
"""

from tests.credit import (
    scope_archive,
    scope_cadence,
    scope_figures,
    scope_lists,
    scope_movements,
    scope_projects,
    scope_teams,
)

CREDIT_SCOPE: dict = {}
CREDIT_ALLOWED_STATUS: dict = {}
# url name -> {role: status} where one role's allowed answer is not the URL's (a redirect).
CREDIT_ROLE_STATUS: dict = {}
for _module in (
    scope_archive,
    scope_cadence,
    scope_figures,
    scope_lists,
    scope_movements,
    scope_projects,
    scope_teams,
):
    CREDIT_SCOPE.update(_module.SCOPE)
    CREDIT_ALLOWED_STATUS.update(_module.ALLOWED_STATUS)
    CREDIT_ROLE_STATUS.update(getattr(_module, "ROLE_STATUS", {}))
