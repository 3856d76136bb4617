"""The downloadable balance template (余额导入模板.xlsx): the header row and a 说明 sheet.

Generated from archives/balances.py, so it always matches what the balance import
accepts. The 余额 sheet has no example row (an example ID would be an unknown
customer); the example is on the 说明 sheet.
"""

import datetime

from django.utils.translation import gettext as _

from . import balances, template_book
from .imports.template import EXAMPLE_ID

EXAMPLE = {
    "key": EXAMPLE_ID,
    "customer_name": "张三（示例）",
    "deposit_balance": 20000,
    "loan_balance": 50000,
    "deposit_maturity": datetime.date(2027, 3, 1),
    "loan_maturity": datetime.date(2027, 6, 30),
    "interest_due_on": datetime.date(2026, 12, 20),
    "balances_as_of": datetime.date(2026, 11, 30),
}


def build_template() -> bytes:
    return template_book.build(
        title=balances.SHEET,
        columns=balances.COLUMNS,
        example=EXAMPLE,
        rules=rules(),
        accepted=accepted,
        example_width=22,
    )


def rules():
    return [
        _(
            "One row per customer on the 余额 sheet, keyed on the ID number (people) or the unified social credit code (organisations) of a customer already in the archive."
        ),
        _(
            "A blank amount is 0 and a blank date is none; a column left out of the file keeps what is on file."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the whole file again. A dry run checks the file without writing anything."
        ),
    ]


def accepted(column):
    """What a cell of this column may hold, in words."""
    if column.name == "key":
        return _(
            "Text, not a number cell: the customer's 18-character ID number or credit code as in the archive."
        )
    if column.name == "customer_name":
        return _("For people reading the file; not checked.")
    if column.name == "balances_as_of":
        return _(
            "The date of the extract, not in the future and not older than the balances on file."
        )
    if column.kind == "decimal":
        return _("A number of yuan, not negative, at most 2 decimals; blank means 0.")
    return _("A date such as 2024-03-01; blank means none.")
