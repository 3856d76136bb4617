"""The imported file given back as XLSX, each problem and each change noted on its cell.

The file is read again as the import read it (files.open_archive, within the same
bounds) and written with openpyxl's write-only workbook, so a county's file costs
memory only for its notes. A problem's cell is filled red, a changed cell yellow,
and each carries a comment saying what is wrong or what changes (old → new). Text is
written as text (DOMAIN.md §6): a value starting with = stays a value, not a formula.
"""

import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from . import files
from .rows import ImportResult, printable

PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
CHANGE_FILL = PatternFill("solid", fgColor="FFEB9C")
AUTHOR = "红安进村入户系统"
COMMENT_SIZE = {"width": 300, "height": 120}


def annotated_workbook(fileobj, filename, *, main_sheet, result: ImportResult) -> bytes:
    """The file's sheets with the result's problems and changes noted on their cells."""
    notes = defaultdict(lambda: defaultdict(list))  # (sheet, row) -> column header -> notes
    for p in result.problems:
        notes[p.sheet, p.row][p.column].append(("problem", p.message))
    for c in result.changes:
        if c.row:
            notes[c.sheet, c.row][c.column].append(("change", f"{c.old or '—'} → {c.new or '—'}"))
    workbook = Workbook(write_only=True)
    with files.open_archive(fileobj, filename, main_sheet=main_sheet) as (main, members):
        for sheet in (main, members):
            if sheet is not None:
                _write_sheet(workbook, sheet, notes)
    _write_legend(workbook, result)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook, sheet, notes):
    ws = workbook.create_sheet(sheet.title)
    columns = {}
    for number, values in enumerate(sheet.rows, start=1):
        if number == 1:
            columns = {
                printable(files.text(v)): i for i, v in enumerate(values) if not files.blank(v)
            }
        row_notes = notes.get((sheet.title, number), {})
        by_index = defaultdict(list)
        for column, items in row_notes.items():
            by_index[columns.get(column, 0)] += items
        width = max([len(values), *(i + 1 for i in by_index)])
        cells = []
        for index in range(width):
            value = values[index] if index < len(values) else None
            cells.append(_cell(ws, value, by_index.get(index)))
        ws.append(cells)


def _cell(ws, value, items):
    if isinstance(value, str):
        value = printable(value)
    if not items:
        if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    problem = any(kind == "problem" for kind, _text in items)
    cell.fill = PROBLEM_FILL if problem else CHANGE_FILL
    cell.comment = Comment("\n".join(text for _kind, text in items), AUTHOR, **COMMENT_SIZE)
    return cell


def _write_legend(workbook, result: ImportResult):
    ws = workbook.create_sheet(_("Notes on this check"))
    ws.append([_("Red cells have a problem; the comment says which.")])
    ws.append([_("Yellow cells change what is on file; the comment says from what to what.")])
    if result.stopped_at is not None:
        ws.append(
            [
                _(
                    "Checking stopped at row %(row)s after %(count)s problems; "
                    "the rows after it were not checked."
                )
                % {"row": result.stopped_at, "count": result.problem_count}
            ]
        )
    if result.change_count > len(result.changes):
        ws.append(
            [
                _("Only the first %(shown)s of %(count)s changes are noted.")
                % {"shown": len(result.changes), "count": result.change_count}
            ]
        )
    removed = [c for c in result.changes if not c.row]
    for change in removed:
        ws.append([_cell(ws, text, None) for text in (change.subject, change.old, change.new)])
