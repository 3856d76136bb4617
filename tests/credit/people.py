"""The people of the corporate rulebook in the test world (tests/conftest.py), as role sets."""

HEAD_OFFICE_DEPARTMENTS = {"corporate_finance", "credit_management"}
BRANCH_1_LEADERS = {"branch_head", "deputy_head"}
# company_1 (branch 1): its team, branch 1's head and deputy, head office's departments.
COMPANY_1 = {"corp_a1", "corp_b1"} | BRANCH_1_LEADERS | HEAD_OFFICE_DEPARTMENTS
# Everyone with corporate pages of their own (maybe empty).
CORPORATE = {
    "corp_a1",
    "corp_b1",
    "corp_c",
    "branch_head",
    "branch_head_2",
    "deputy_head",
} | HEAD_OFFICE_DEPARTMENTS
