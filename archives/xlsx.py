"""Spreadsheets written fast: XlsxWriter in constant memory, text kept text, identifiers masked.

The exports that run as jobs (an archive, a month's statements) write through `Book`.
XlsxWriter writes each row straight to a temporary file (constant memory: a county's
archive never sits in memory as cells) and is about three times faster than
openpyxl's write-only mode for the same cells (issue 15). Its `write()` would take a
string starting with "=" for a formula and one like "http://…" for a link, so every
cell is written by its type here and every str with `write_string`. As openpyxl's
safe cells (archives/exports.py) did: a text starting with = + - @ is prefixed with
an apostrophe (OWASP), so a spreadsheet program never runs it when the cell is
edited or copied to a CSV; any ID number or mobile typed into a text is masked.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter

from .identity import mask_personal_numbers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_TITLE = 31  # Excel's limit for a sheet name

OPTIONS = {
    "constant_memory": True,
    # Every cell is written by its type (Sheet.append); these only guard a write() by mistake.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


@dataclass(frozen=True, slots=True)
class Number:
    """A number with its own format (a quantity, a rate), where Decimal means money."""

    value: Decimal | int | float
    number_format: str


def safe_text(value: str) -> str:
    """A text as a cell holds it: never taken for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Book:
    """One XLSX workbook written row by row; `close()` returns its bytes."""

    def __init__(self):
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, OPTIONS)
        self._formats = {}
        self.money = self.format(MONEY_FORMAT)
        self.date = self.format(DATE_FORMAT)

    def format(self, number_format: str):
        if number_format not in self._formats:
            self._formats[number_format] = self.workbook.add_format({"num_format": number_format})
        return self._formats[number_format]

    def sheet(self, title: str) -> "Sheet":
        return Sheet(self, self.workbook.add_worksheet(title[:MAX_TITLE]))

    def close(self) -> bytes:
        self.workbook.close()
        return self._buffer.getvalue()


class Sheet:
    """A worksheet filled from the top: `header` for headings, `append` for values."""

    def __init__(self, book: Book, worksheet):
        self.book = book
        self.worksheet = worksheet
        self.row = 0
        # Texts seen on this sheet, masked and made safe once: labels, villages, 是/否 repeat.
        self._texts: dict[str, str] = {}

    def header(self, texts) -> None:
        """A row of headings: text, made safe, not masked (they are ours)."""
        write = self.worksheet.write_string
        for column, text in enumerate(texts):
            write(self.row, column, safe_text(text))
        self.row += 1

    def append(self, values) -> None:
        """A row of values: Decimal as money, dates as dates, int as numbers, the rest as text.

        None and "" leave the cell empty. Text has its ID numbers and mobiles masked.
        """
        ws, row, book, texts = self.worksheet, self.row, self.book, self._texts
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = safe_text(mask_personal_numbers(value))
                    ws.write_string(row, column, text)
            elif value is None:
                continue
            elif kind is Decimal:
                ws.write_number(row, column, float(value), book.money)
            elif kind is int:
                ws.write_number(row, column, value)
            elif kind is Number:
                ws.write_number(row, column, float(value.value), book.format(value.number_format))
            elif isinstance(value, datetime.date):
                ws.write_datetime(row, column, value, book.date)
            elif isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(row, column, int(value))
            elif isinstance(value, Decimal):
                ws.write_number(row, column, float(value), book.money)
            else:  # anything else as its text, as openpyxl's safe cells did
                self._text(column, str(value))
        self.row += 1
        if len(texts) > 50_000:  # free text rarely repeats: keep the cache small
            texts.clear()

    def _text(self, column, value: str) -> None:
        if value:
            self.worksheet.write_string(self.row, column, safe_text(mask_personal_numbers(value)))
