"""Reading files for every import: XLSX or CSV sheets, and cells as text the forms can bind.

A workbook is read by python-calamine (Rust: a county's 170,000 rows in seconds,
where openpyxl took minutes); it hands over float, int, bool, date, datetime or
str, and "" for an empty cell; a CSV only str. Every cell goes through here, so an
ID number typed as a number (which a spreadsheet keeps to 15 digits) is refused in
one place. A workbook's zip is inspected before calamine opens it, a CSV is read as
a stream, and the rows of either are counted as they come (bounds.py).
"""

import codecs
import csv
import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook
from stdnum.cn import ric

from .. import sheets
from .bounds import Limits, UnreadableFile, check_zip, entities_refused, too_many_rows

CLEAR = "清空"  # a cell holding exactly this clears an optional field (DOMAIN.md §7)
CSV_CHUNK = 64 * 1024


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

    def __init__(self, fileobj, filename, *, main_sheet=sheets.CUSTOMER_SHEET, limits=None):
        self.fileobj = fileobj
        self.suffix = Path(filename).suffix.lower()
        self.main_sheet = main_sheet
        self.limits = limits or Limits.from_settings()
        self.workbook = None

    def __enter__(self):
        if self.suffix == ".csv":
            return csv_sheet(self.fileobj, title=self.main_sheet, limits=self.limits), None
        if self.suffix != ".xlsx":
            raise UnreadableFile(_("Only .xlsx and .csv files can be imported."))
        check_zip(self.fileobj, self.limits)  # before calamine inflates anything
        try:
            self.workbook = CalamineWorkbook.from_filelike(self.fileobj)
            names = self.workbook.sheet_names
        except Exception as error:  # calamine raises several kinds for a damaged file
            raise unreadable(error) from error
        skipped = (sheets.MEMBER_SHEET, sheets.NOTES_SHEET, sheets.LISTS_SHEET)
        others = [n for n in names if n not in skipped]
        title = self.main_sheet if self.main_sheet in names else (others or [None])[0]
        if title is None:
            raise UnreadableFile(_("The workbook has no sheet of customers."))
        main = xlsx_sheet(self.workbook, title, self.limits)
        members = (
            xlsx_sheet(self.workbook, sheets.MEMBER_SHEET, self.limits)
            if sheets.MEMBER_SHEET in names
            else None
        )
        return main, members

    def __exit__(self, *exc):
        if self.workbook is not None:
            self.workbook.close()


def unreadable(error) -> UnreadableFile:
    """The Chinese reason for a file calamine or the CSV reader gave up on."""
    if isinstance(error, UnreadableFile):
        return error
    if any(isinstance(e, CalamineError) and "entity" in str(e) for e in _chain(error)):
        # calamine never expands an entity a DOCTYPE declares; bounds.check_zip refuses the
        # declarations before, this names the rare file whose declaration it did not see.
        return entities_refused()
    if isinstance(error, UnicodeDecodeError):
        return UnreadableFile(_("The CSV file is neither UTF-8 nor GBK text."))
    return UnreadableFile(_("This file cannot be opened as an Excel workbook (.xlsx)."))


def _chain(error):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def bounded(rows, title, limits: Limits):
    """The rows of a sheet, refused past the row limit; any reading error is UnreadableFile.

    The header is row 1, so a sheet may hold limits.max_rows rows below it.
    """
    number = 0
    try:
        for number, values in enumerate(rows, start=1):
            if number > limits.max_rows + 1:
                raise too_many_rows(title, limits)
            yield values
    except (UnreadableFile, UnicodeDecodeError) as error:
        raise unreadable(error) from error
    except Exception as error:  # calamine and csv raise many kinds for a damaged file
        if any(isinstance(e, CalamineError) and "entity" in str(e) for e in _chain(error)):
            raise unreadable(error) from error
        raise UnreadableFile(
            _("Sheet %(sheet)s is damaged and cannot be read after row %(row)s.")
            % {"sheet": title, "row": number}
        ) from error


def xlsx_sheet(workbook, title, limits: Limits):
    """A sheet's rows from row 1 of the spreadsheet (calamine would skip leading blank rows
    and columns by default; the row numbers of the problem report must be the program's)."""
    try:
        ws = workbook.get_sheet_by_name(title)  # calamine parses the whole sheet here
    except Exception as error:
        raise unreadable(error) from error
    size = ws.end[0] if ws.end else 0  # the last used row, from 0: the header is row 0
    return Sheet(title, bounded(ws.iter_rows(), title, limits), size)


def csv_sheet(fileobj, title=sheets.CUSTOMER_SHEET, *, limits: Limits):
    """A CSV read as a stream: a chunk at a time, never the whole file in memory."""
    first = fileobj.read(CSV_CHUNK)
    # Excel in China saves CSV as GBK unless told UTF-8; the first chunk decides.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(first, final=False)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_("The CSV file is neither UTF-8 nor GBK text."))
    size = _count_lines(fileobj, first, stop=limits.max_rows + 2)
    fileobj.seek(len(first))
    rows = csv.reader(_lines(fileobj, first, encoding))
    return Sheet(title, bounded(rows, title, limits), max(size - 1, 0))


def _count_lines(fileobj, first, *, stop) -> int:
    """Lines of the file for the progress bar; no further than `stop`."""
    count = first.count(b"\n")
    while count < stop and (chunk := fileobj.read(CSV_CHUNK)):
        count += chunk.count(b"\n")
    return count


def _lines(fileobj, first, encoding):
    """The decoded lines, each with its line end, as csv.reader wants them (newline="")."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pending, chunk = "", first
    while chunk:
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
        chunk = fileobj.read(CSV_CHUNK)
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def is_clear(value) -> bool:
    """Whether a cell says 清空: clear the stored value."""
    return isinstance(value, str) and value.strip() == CLEAR


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
