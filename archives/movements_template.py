"""The downloadable movement template (大额资金流水导入模板.xlsx): the header row and a 说明 sheet,
generated from archives/movements.py so it always matches what the import accepts."""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import movements

BOLD = Font(bold=True)
EXAMPLE = {
    "account": "1820100000012345",
    "date": datetime.date(2026, 12, 3),
    "sequence": "20261203000123",
    "identifier": "91421122MA4XXXXXX0",
    "customer_name": "红安示例建材有限公司（示例）",
    "direction": "支",
    "counterparty_bank": "中国工商银行武汉分行",
    "cross_bank": "是",
    "amount": "12000000.00",
}


def build_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = movements.SHEET
    sheet.append([c.header for c in movements.COLUMNS])
    for index, column in enumerate(movements.COLUMNS, start=1):
        sheet.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.header) + 4)
        if column.kind == "identifier":
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
    for column in movements.COLUMNS:
        example = EXAMPLE[column.name]
        notes.append(
            [
                column.header,
                _("yes") if column.required else "",
                accepted(column),
                example.isoformat() if isinstance(example, datetime.date) else str(example),
            ]
        )
    for letter, width in (("A", 16), ("B", 8), ("C", 80), ("D", 30)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rules():
    return [
        _(
            "One row per movement on the 资金流水 sheet. Account, date and transaction number together name a movement: importing the same extract again adds nothing."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the whole file again. A dry run checks the file without writing anything."
        ),
    ]


def accepted(column):
    texts = {
        "account": _("Text: the customer's account number."),
        "date": _("The movement's date such as 2026-12-03, not in the future."),
        "sequence": _(
            "Text: the core-banking transaction number, unique within the account and day."
        ),
        "identifier": _(
            "Text: the unified social credit code of a corporate customer, or the ID number or credit code of a village customer."
        ),
        "customer_name": _("For people reading the file; not checked."),
        "direction": _("收 (into the account) or 支 (out of it)."),
        "counterparty_bank": _("The bank of the other party."),
        "cross_bank": _(
            "是 or 否. Blank: cross-bank when the counterparty bank is given and is not this bank."
        ),
        "amount": _("Yuan, above 0, at most 2 decimals."),
    }
    return texts[column.name]
