"""The downloadable balance template (余额导入模板.xlsx): the header row and a 说明 sheet.

Generated from archives/balances.py, so it always matches what the balance import
accepts. The 余额 sheet has no example row (an example ID would be an unknown
customer); the example is on the 说明 sheet.
"""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import balances
from .imports.template import EXAMPLE_ID

BOLD = Font(bold=True)
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
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = balances.SHEET
    sheet.append([c.header for c in balances.COLUMNS])
    for index, column in enumerate(balances.COLUMNS, start=1):
        sheet.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.header) + 4)
        if column.kind == "identifier":
            # Text format for the whole column, so an ID typed in stays 18 digits.
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    for rule in rules():
        notes.append([rule])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font = BOLD
    for column in balances.COLUMNS:
        example = EXAMPLE[column.name]
        notes.append(
            [
                column.header,
                _("yes") if column.required else "",
                accepted(column),
                example.isoformat() if isinstance(example, datetime.date) else str(example),
            ]
        )
    for letter, width in (("A", 16), ("B", 8), ("C", 80), ("D", 22)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
