"""Reading archive files for import: XLSX or CSV sheets, and cells as text the forms can bind.

openpyxl hands over int, float, Decimal, datetime or str; a CSV only str. Every
cell goes through here, so an ID number typed as a number (which a spreadsheet
keeps to 15 digits) is refused in one place.
"""

import csv
import datetime
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from stdnum.cn import ric

from .. import sheets


class UnreadableFile(Exception):
    """The file cannot be read as an archive at all (the message is for people)."""


@dataclass
class Sheet:
    title: str
    rows: Iterator[tuple]  # cell values; the first row is the header
    size: int  # data rows, as far as the file says


class open_archive:
    """Context manager giving (customer sheet, family sheet or None) of an XLSX or CSV file.

    `main_sheet` names the sheet to read first (the balance import reads 余额); a
    workbook without it gives its first sheet that is not 家庭成员 or 说明.
    """

    def __init__(self, fileobj, filename, *, main_sheet=sheets.CUSTOMER_SHEET):
        self.fileobj = fileobj
        self.suffix = Path(filename).suffix.lower()
        self.main_sheet = main_sheet
        self.workbook = None

    def __enter__(self):
        if self.suffix == ".csv":
            return csv_sheet(self.fileobj, title=self.main_sheet), None
        if self.suffix != ".xlsx":
            raise UnreadableFile(_("Only .xlsx and .csv files can be imported."))
        try:
            self.workbook = load_workbook(self.fileobj, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise UnreadableFile(
                _("This file cannot be opened as an Excel workbook (.xlsx).")
            ) from error
        names = self.workbook.sheetnames
        others = [n for n in names if n not in (sheets.MEMBER_SHEET, sheets.NOTES_SHEET)]
        title = self.main_sheet if self.main_sheet in names else (others or [None])[0]
        if title is None:
            raise UnreadableFile(_("The workbook has no sheet of customers."))
        members = (
            xlsx_sheet(self.workbook[sheets.MEMBER_SHEET]) if sheets.MEMBER_SHEET in names else None
        )
        return xlsx_sheet(self.workbook[title]), members

    def __exit__(self, *exc):
        if self.workbook is not None:
            self.workbook.close()


def xlsx_sheet(ws):
    return Sheet(ws.title, ws.iter_rows(values_only=True), max((ws.max_row or 1) - 1, 0))


def csv_sheet(fileobj, title=sheets.CUSTOMER_SHEET):
    raw = fileobj.read()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told UTF-8
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_("The CSV file is neither UTF-8 nor GBK text."))
    rows = csv.reader(io.StringIO(text, newline=""))
    return Sheet(title, rows, max(text.count("\n") - 1, 0))


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def empty_value(value):
    """Blank, zero or 否: what a filled-in template has in the columns of other types."""
    return blank(value) or sheets.normalize(text(value)) in {
        "0",
        "0.0",
        "0.00",
        *sheets.FALSE_WORDS,
    }


def text(value) -> str:
    """A cell as text; whole numbers stay whole (a float 13812345678.0 reads as 13812345678)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel keeps 15 significant digits; beyond them a float is binary noise (0.1+0.2).
        return format(value, ".15g")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def identifier(value) -> str:
    """ID numbers, codes and mobiles must be text: a number cell keeps only 15 digits."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an integer cell is exact (the check digit still tells a mangled one)
    if isinstance(value, float | Decimal) and value % 1 == 0 and abs(value) < 10**15:
        return str(int(value))  # below 15 digits a number cell is still exact (mobiles)
    raise ValueError(
        _(
            "This column must be formatted as text: a number cell keeps only 15 digits. Format the column as text and type the number again."
        )
    )


def compact(value) -> str:
    """An identifier as the form will store it, for matching (the form checks it properly)."""
    return _compact(text(value)) if not blank(value) else ""


@functools.lru_cache(maxsize=4096)  # a row's identifiers are compacted three or four times
def _compact(text: str) -> str:
    return ric.compact(text)


def boolean(value) -> bool:
    word = sheets.normalize(text(value))
    if word in sheets.TRUE_WORDS:
        return True
    if word in sheets.FALSE_WORDS:
        return False
    raise ValueError(_("Write 是 or 否 (Y/N and 1/0 also work)."))


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def read_date(value) -> datetime.date:
    """A date cell, or a text in one of DATE_FORMATS; any date, past or future."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text(value), fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(_("Write the date as 2024-03-01."))


def parse_date(value, today) -> datetime.date:
    """An archive date: as read_date, and not in the future."""
    value = read_date(value)
    if value > today:
        raise ValueError(_("The archive date cannot be in the future."))
    return value
