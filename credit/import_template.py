"""The downloadable figures template (对公经营数据导入模板.xlsx): headers, an example row, a 说明 sheet.

Generated from credit/imports.py, so it always matches what the figures import accepts.
The example row carries the template's example credit code, which the import refuses
with "delete it", so a template sent back unchanged writes nothing.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from archives.dropdowns import Dropdowns, yes_no
from archives.sheets import NOTES_SHEET

from . import imports

FILE_NAME = "对公经营数据导入模板.xlsx"
BOLD = Font(bold=True)
EXAMPLE = {
    "key": imports.EXAMPLE_CODE,
    "customer_name": "某某实业有限公司（示例，导入前删除此行）",
    "period": "2026-10",
    "exposure": 210000000,
    "deposits": 52000000,
    "settlement_share": 55,
    "funds_return_rate": 25.5,
    "online_banking_opened": "是",
    "online_banking_settlement": "是",
    "payroll_headcount": 160,
    "payroll_monthly": 850000,
    "pos_monthly": 0,
    "credit_cards": 25,
    "products": "代发工资、企业网银、POS收单",
}
TEXT_KINDS = ("identifier", "month", "products")  # typed as text, never read as numbers


def build_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = imports.SHEET
    sheet.append([c.header for c in imports.COLUMNS])
    # Written as text: openpyxl would make a string starting with = a formula (DOMAIN.md §6).
    sheet.append([EXAMPLE[c.name] for c in imports.COLUMNS])
    for index, column in enumerate(imports.COLUMNS, start=1):
        sheet.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.header) + 4)
        if column.kind in TEXT_KINDS:
            # Text format for the whole column: a code stays 18 characters, 2026-10 a month.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(2, index).number_format = "@"
    sheet.freeze_panes = "A2"
    dropdowns = Dropdowns(workbook)
    for index, column in enumerate(imports.COLUMNS, start=1):
        if column.kind == "boolean":
            dropdowns.add(sheet, index, yes_no())

    notes = workbook.create_sheet(NOTES_SHEET)
    for rule in rules():
        notes.append([rule])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font = BOLD
    for column in imports.COLUMNS:
        notes.append(
            [
                column.header,
                _("yes") if column.required else "",
                accepted(column),
                str(EXAMPLE[column.name]),
            ]
        )
    for letter, width in (("A", 20), ("B", 8), ("C", 80), ("D", 30)):
        notes.column_dimensions[letter].width = width
    dropdowns.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rules():
    return [
        _(
            "One row per customer and period on the 经营数据 sheet, keyed on the unified social credit code of a corporate customer already on file. Delete the example row before importing."
        ),
        _(
            "A blank cell keeps what that period has on file (nothing, for a period not on file yet); 清空 clears a figure; a column left out of the file keeps what is on file."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the whole file again. A dry run checks the file without writing anything."
        ),
    ]


def accepted(column):
    """What a cell of this column may hold, in words."""
    kinds = {
        "decimal": _("A number of yuan, not negative, at most 2 decimals (12,345.60 is read too)."),
        "percent": _("A percentage from 0 to 100, at most 2 decimals, such as 55 for 55%."),
        "boolean": _("是 or 否 (Y/N and 1/0 also work); it cannot be cleared."),
        "integer": _("A whole number, not negative."),
        "products": _(
            "The products used, separated by 、 or , or ; (the count is derived from them)."
        ),
    }
    if column.name == "key":
        return _(
            "Text, not a number cell: the customer's 18-character unified social credit code as on file."
        )
    if column.name == "customer_name":
        return _("For people reading the file; not checked.")
    if column.name == "period":
        return _(
            "The month the figures are for, such as 2026-10 (a date stands for its month); not in the future."
        )
    return kinds[column.kind]
