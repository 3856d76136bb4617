"""A one-sheet import template: the header row, typed columns, and a 说明 sheet.

The core-banking imports (balances, movements) build their downloadable templates with
it, each from its own columns, so a template always matches what its import accepts.
"""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .dropdowns import Dropdowns

BOLD = Font(bold=True)


def build(*, title, columns, example, rules, accepted, example_width=22, lists=None) -> bytes:
    """The workbook: `title`'s header row (bold, frozen; identifier columns formatted as
    text so an 18-digit number stays whole, date columns as dates; a drop-down on each
    column `lists` names, column name -> the labels the import accepts) and a 说明 sheet
    with the `rules` and, per column, whether it is required, `accepted(column)` and its
    `example`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([c.header for c in columns])
    dropdowns = Dropdowns(workbook)
    for index, column in enumerate(columns, start=1):
        if column.name in (lists or {}):
            dropdowns.add(sheet, index, lists[column.name])
        sheet.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.header) + 4)
        if column.kind == "identifier":
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    for rule in rules:
        notes.append([rule])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font = BOLD
    for column in columns:
        value = example[column.name]
        notes.append(
            [
                column.header,
                _("yes") if column.required else "",
                accepted(column),
                value.isoformat() if isinstance(value, datetime.date) else str(value),
            ]
        )
    for letter, width in (("A", 16), ("B", 8), ("C", 80), ("D", example_width)):
        notes.column_dimensions[letter].width = width
    dropdowns.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
