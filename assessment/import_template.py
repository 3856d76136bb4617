"""The downloadable ledger template (营销台账导入模板.xlsx): the header row and a 说明 sheet.

Generated from assessment/imports.py, so it always matches what the import
accepts. The 台账 sheet has no example rows (an example staff number would be
unknown); the examples are on the 说明 sheet.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from archives.dropdowns import Dropdowns

from . import imports, ledger
from .models.ledger import PER_ITEM_KINDS, UNITS, LedgerKind

BOLD = Font(bold=True)
FILENAME = "营销台账导入模板.xlsx"

# Example rows for the 说明 sheet, in the column order of imports.COLUMNS.
EXAMPLES = (
    ("1001", "张三（示例）", "2026-11", "定期存款", "", "300000", "", "", ""),
    ("1001", "张三（示例）", "2026-11", "活期存款积数", "", "9000000", "", "", ""),
    ("1001", "张三（示例）", "2026-11", "福卡", "", "", "3", "", ""),
    ("1001", "张三（示例）", "2026-11", "卡乐付", "KLF-0001", "", "", "6", "12000"),
    ("1001", "张三（示例）", "2026-11", "卡乐付", "KLF-0002", "", "", "3", "4000"),
    ("1001", "张三（示例）", "2026-11", "企业网银", "红安县某某公司", "", "", "2", ""),
)


def build_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = imports.SHEET
    sheet.append([c.header for c in imports.COLUMNS])
    for index, column in enumerate(imports.COLUMNS, start=1):
        sheet.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, 2 * len(column.header) + 4)
        if column.name in ("staff_no", "month", "item_ref"):
            # Text, so 0012 keeps its zeros and 2026-11 is not turned into a date.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    kind_column = [c.name for c in imports.COLUMNS].index("kind") + 1
    dropdowns = Dropdowns(workbook)
    dropdowns.add(sheet, kind_column, kinds())

    notes = workbook.create_sheet("说明")
    for rule in rules():
        notes.append([rule])
    notes.append([])
    _heading(notes, [_("Column"), _("Required"), _("What to write")])
    for column in imports.COLUMNS:
        notes.append([column.header, _("yes") if column.required else "", accepted(column)])
    notes.append([])
    _heading(notes, [_("Item"), _("Unit"), _("Columns to fill")])
    for kind in LedgerKind:
        notes.append(["、".join(imports.KIND_LABELS[kind]), str(UNITS[kind]), columns_of(kind)])
    notes.append([])
    _heading(notes, [c.header for c in imports.COLUMNS])
    for example in EXAMPLES:
        notes.append(list(example))
    for letter, width in (("A", 28), ("B", 14), ("C", 80)):
        notes.column_dimensions[letter].width = width
    dropdowns.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def kinds() -> list[str]:
    """The items' drop-down: the label of each item the import reads (imports.KIND_LABELS)."""
    return [imports.kind_label(kind) for kind in LedgerKind]


def _heading(sheet, cells):
    sheet.append(cells)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def rules():
    return [
        _(
            "One row per person, month and item on the 台账 sheet, keyed on the staff number. "
            "Corporate online banking, SMS banking or third-party payment, 卡乐付 and special "
            "merchants take one row per household or terminal, with its number or name."
        ),
        _(
            "Importing a line already in the ledger (same staff number, month, item and number "
            "or name) replaces it: import a month's corrected extract again rather than adding "
            "rows. A closed month cannot be imported into."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the "
            "whole file again. A dry run checks the file without writing anything."
        ),
    ]


def accepted(column):
    """What a cell of this column may hold, in words."""
    descriptions = {
        "staff_no": _("The staff number of a member of staff in the system, as text."),
        "staff_name": _("For people reading the file; not checked."),
        "month": _(
            "The month the figures belong to, such as 2026-11; not in the future and not closed."
        ),
        "kind": _("One of the items in the table below."),
        "item_ref": _(
            "Terminal number, account or household name: required for the items counted one "
            "household or terminal per row; otherwise may be blank."
        ),
        "amount": _(
            "Money items: yuan, not negative, at most 2 decimals; for demand deposits the "
            "month's accumulated daily balance (积数) in yuan·days."
        ),
        "count": _(
            "Cards, households or terminals, a whole number; blank or 1 for a row of one "
            "household or terminal."
        ),
        "avg_tx_count": _("Monthly average number of transactions of the household or terminal."),
        "avg_tx_amount": _("Monthly average transaction amount of the terminal or merchant, yuan."),
    }
    return str(descriptions[column.name])


def columns_of(kind):
    """The columns a row of this item fills, by header."""
    headers = {c.name: c.header for c in imports.COLUMNS}
    names = list(ledger.required_columns_of(kind))
    if kind in PER_ITEM_KINDS:
        names.insert(0, "item_ref")
    return "、".join(headers[n] for n in names)
