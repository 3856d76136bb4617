"""What every file import shares: problems and the result, progress, header and chunked rows.

The archive import (archive.py), the balance import (archives/balances.py) and the
ledger import (assessment/imports.py) build on RowChecker and Row, so all of
them report problems and progress the same way to the same import job (jobs.Job).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import batched

from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .. import sheets
from ..identity import mask_personal_numbers
from . import files

CHUNK = 1000
# Checking stops at the chunk where this many problems are found: the report lists
# them and says the rest of the file was not checked.
ERROR_LIMIT = 1000
CHANGE_LIMIT = 50_000  # changes kept for the annotated file; the count goes on

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str
    message: str

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Change:
    """One field of one record that the import changes (or would, in a dry run)."""

    sheet: str
    row: int
    column: str  # the header as the file has it
    subject: str  # whose field: the customer's name, the ledger line
    old: str
    new: str

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
        }


@dataclass
class ImportResult:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    change_count: int = 0
    changes: list[Change] = field(default_factory=list)
    stopped_at: int | None = None  # the last row checked, when checking stopped at ERROR_LIMIT
    written: bool = False

    @property
    def ok(self):
        return self.problem_count == 0


class RowChecker:
    """The problem report, progress, header and chunked rows that every file import builds on."""

    def __init__(self, *, dry_run, progress, chunk):
        self.chunk = chunk
        self.progress = progress
        self.result = ImportResult(dry_run=dry_run)
        self.total = self.done = 0
        self.error_keys = set()

    # --- reporting -----------------------------------------------------------

    def problem(self, sheet, row, column, message):
        self.result.problem_count += 1
        if len(self.result.problems) < ERROR_LIMIT:
            self.result.problems.append(Problem(sheet, row, printable(column), printable(message)))
        if (sheet, row) not in self.error_keys:
            self.error_keys.add((sheet, row))
            self.result.error_rows += 1

    def change(self, sheet, row, column, subject, old, new):
        """One changed field; ID numbers and mobiles in its values are masked, as in every
        list and export (the change list is shown on a page and written into the file)."""
        self.result.change_count += 1
        if len(self.result.changes) < CHANGE_LIMIT:
            old, new = (mask_personal_numbers(printable(v)) for v in (old, new))
            self.result.changes.append(Change(sheet, row, column, printable(subject), old, new))

    @property
    def stopped(self):
        return self.result.stopped_at is not None

    def advance(self, rows):
        self.done += rows
        self.total = max(self.total, self.done)
        if self.progress:
            self.progress(self.done, self.total)

    def header(self, sheet, model, columns, refused=None):
        """Map the header row to columns; unknown, repeated and missing columns are problems.

        `refused` is (columns this import does not take, the message that says why),
        given for them instead of "unknown column".
        """
        lookup = sheets.header_lookup(model, columns)
        refused_columns, reason = refused or ((), "")
        refused_lookup = sheets.header_lookup(model, refused_columns)
        header = next(sheet.rows, None) or ()
        mapped, headers = [], {}
        for text in header:
            text = "" if text is None else str(text).strip()
            column = lookup.get(sheets.normalize(text)) if text else None
            if text and column is None and sheets.normalize(text) in refused_lookup:
                self.problem(sheet.title, 1, text, reason)
            elif text and column is None:
                self.problem(
                    sheet.title, 1, text, _("Unknown column; the template lists the column names.")
                )
            elif column is not None and column.name in headers:
                self.problem(sheet.title, 1, text, _("This column appears twice."))
                column = None
            elif column is not None:
                headers[column.name] = text
            mapped.append(column)
        for column in columns:
            if column.required and column.name not in headers:
                self.problem(sheet.title, 1, column.header, _("This column is missing."))
        return mapped, {c.name: headers.get(c.name, c.header) for c in columns}

    def rows(self, sheet, mapped, headers=None):
        """Yield chunks of (row number, {column name: cell}) without the blank rows.

        A cell holding a NUL character is the row's problem (no database stores it).
        Once ERROR_LIMIT problems are found, the rest of the file is not read.
        """
        if self.stopped:
            return
        headers = headers or {}
        numbered = enumerate(sheet.rows, start=2)
        for chunk in batched(numbered, self.chunk):
            cells = []
            for n, values in chunk:
                if not any(not files.blank(v) for v in values):
                    continue
                if any(isinstance(v, str) and "\x00" in v for v in values):
                    values = self.without_nul(sheet.title, n, values, mapped, headers)
                cells.append(
                    (n, {c.name: v for c, v in zip(mapped, values, strict=False) if c is not None})
                )
            yield cells
            self.advance(len(chunk))
            if self.result.problem_count >= ERROR_LIMIT:
                self.result.stopped_at = chunk[-1][0]
                return

    def without_nul(self, sheet, row, values, mapped, headers):
        """Report each cell holding a NUL; the row is checked on without them (one message a cell)."""
        clean = list(values)
        for index, value in enumerate(values):
            if isinstance(value, str) and "\x00" in value:
                column = mapped[index] if index < len(mapped) else None
                self.nul(sheet, row, index, headers.get(column.name) if column else "")
                clean[index] = value.replace("\x00", "")
        return clean

    def nul(self, sheet, row, index, header):
        cell = f"{get_column_letter(index + 1)}{row}"
        self.problem(
            sheet,
            row,
            header or cell,
            _(
                "Cell %(cell)s contains a NUL character (code 0), which cannot be stored; "
                "delete it and import again."
            )
            % {"cell": cell},
        )


class Row:
    """The problems of one row, each under the column header the file uses."""

    def __init__(self, importer, sheet, number, headers):
        self.importer, self.sheet, self.number, self.headers = importer, sheet, number, headers
        self.problems = []
        self.columns = set()

    def add(self, name, message):
        self.problems.append((self.headers.get(name, ""), message))
        self.columns.add(name)

    def add_form_errors(self, form):
        for name, messages in form.errors.items():
            if name in self.columns:  # already explained by the cell's conversion
                continue
            for message in messages:
                self.add(name if name != "__all__" else "", message)

    def cleared(self, name, *, required) -> bool:
        """A cell saying 清空: whether its field may be cleared (a required one may not)."""
        if required:
            self.add(name, _("A required field cannot be cleared with “清空”."))
            return False
        return True

    def report(self):
        for column, message in self.problems:
            self.importer.problem(self.sheet, self.number, column, message)

    def convert(self, column, value, village=None):
        """A cell as the form's data; records a problem and returns None if it cannot be."""
        if files.blank(value):
            return None
        try:
            return _convert(self.importer, column, value, village)
        except ValueError as error:
            self.add(column.name, str(error))
            return None


def printable(text) -> str:
    """Text a report can store and a workbook can hold: control characters (NUL…) shown as �.

    PostgreSQL refuses a NUL in text and in JSON, openpyxl any control character.
    """
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(text))


def _convert(importer, column, value, village):
    kind = column.kind
    if kind == "identifier":
        return files.identifier(value)
    if kind == "date":
        return files.parse_date(value, importer.today)
    if kind == "boolean":
        return files.boolean(value)
    if column.name == "group":
        group = importer.groups.get((village.pk, sheets.normalize(files.text(value))))
        if group is None:
            raise ValueError(
                _("Village %(village)s has no group named %(group)s.")
                % {"village": village.name, "group": files.text(value)}
            )
        return group
    if kind in ("choice", "products"):
        lookup = importer.choices[column.choices]
        text = files.text(value)
        parts = [text] if kind == "choice" else sheets.LIST_SEPARATORS.split(text)
        parts = [p.strip() for p in parts if p.strip()]
        codes = [lookup.get(sheets.normalize(p)) for p in parts]
        for part, code in zip(parts, codes, strict=True):
            if code is None:
                raise ValueError(
                    _("“%(value)s” is not an accepted value; use one of: %(choices)s.")
                    % {"value": part, "choices": "、".join(sheets.labels(column.choices))}
                )
        return codes[0] if kind == "choice" else list(dict.fromkeys(codes))
    if kind == "decimal" and isinstance(value, str):
        return re.sub(r"[,，\s]", "", value)
    return files.text(value)
