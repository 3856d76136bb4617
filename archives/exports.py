"""Export of a village's or a branch's archive to XLSX: one sheet per customer type, identifiers masked.

The export runs as a job (archives/tasks.py, "archive_export") and writes through
archives/xlsx.py: XlsxWriter in constant memory, two queries for the rows whatever the
number of customers (and two counts for the progress). Every text cell has its ID
numbers and mobiles masked, wherever they were typed; text is always written as text
and one starting with = + - @ is prefixed with an apostrophe (archives/xlsx.py).

`safe_cell` and `text_cell` are the same rules for openpyxl's write-only sheets, which
the smaller spreadsheets of the other apps (credit's lists, a dashboard) still use.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from . import sheets
from .identity import mask_id, mask_personal_numbers, mask_phone
from .models import CustomerType, FamilyMember
from .survey import fields_for
from .xlsx import DATE_FORMAT, FORMULA_STARTS, MONEY_FORMAT, Book

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 1000  # rows between two progress reports


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named `filename` (every app's XLSX pages answer with it)."""
    return HttpResponse(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def customer_columns(customer_type):
    """The columns of one type's sheet: where, then the type's survey fields, then the archive date."""
    names = [n for n in fields_for(customer_type) if n not in ("customer_type", "group")]
    return [
        ("village", sheets.COLUMN["village"].header),
        ("village_name", "行政村"),
        ("group", sheets.COLUMN["group"].header),
        *((n, sheets.COLUMN[n].header) for n in names),
        ("archived_on", sheets.COLUMN["archived_on"].header),
    ]


MEMBER_COLUMNS = [
    ("household", sheets.MEMBER_COLUMN["household"].header),
    ("household_name", "户主姓名"),
    ("village", sheets.COLUMN["village"].header),
    *((c.name, c.header) for c in sheets.MEMBER_COLUMNS if c.name != "household"),
]


@dataclass(frozen=True)
class ExportedArchive:
    data: bytes
    customer_count: int
    member_count: int = 0


def export_archive(customers, progress=None) -> ExportedArchive:
    """Write the given customers (a queryset) and their family members as an XLSX file.

    Rows are read as tuples of the columns written (no model instances: a third of the
    time went to building them). `progress(done, total)` is called every PROGRESS_EVERY
    rows, customers then members.
    """
    members = FamilyMember.objects.filter(customer__in=customers)
    total = customers.count() + members.count() if progress else 0
    book = Book()
    type_sheets = {}
    for value, _label in CustomerType.choices:
        ws = book.sheet(sheets.label(CustomerType, value))
        columns = customer_columns(value)
        ws.header([header for _name, header in columns])
        type_sheets[value] = (ws, [CUSTOMER_SOURCES[name] for name, _header in columns])
    member_ws = book.sheet(sheets.MEMBER_SHEET)
    member_ws.header([header for _name, header in MEMBER_COLUMNS])
    member_sources = [MEMBER_SOURCES[name] for name, _header in MEMBER_COLUMNS]

    rows = customers.order_by("village__code", "name", "pk").values_list(*CUSTOMER_PATHS)
    count = 0
    for count, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        ws, sources = type_sheets[row[0]]
        ws.append([row[i] if shown is None else shown(row[i]) for i, shown in sources])
        if progress and count % PROGRESS_EVERY == 0:
            progress(count, total)

    member_count = 0
    ordered = members.order_by(
        "customer__village__code", "customer__name", "customer_id", "pk"
    ).values_list(*MEMBER_PATHS)
    for member_count, row in enumerate(ordered.iterator(chunk_size=2000), start=1):
        member_ws.append(
            [row[i] if shown is None else shown(row[i]) for i, shown in member_sources]
        )
        if progress and (count + member_count) % PROGRESS_EVERY == 0:
            progress(count + member_count, total)
    if progress:
        progress(count + member_count, total)
    return ExportedArchive(data=book.close(), customer_count=count, member_count=member_count)


def _sources(columns, special):
    """(the paths to read, {column name: (index in a row read, how it is shown or None)}).

    `special` maps a column that is not a field of its own to (path, shown); identifiers
    are masked, choices shown by their labels and yes-no as 是/否 (sheets.shown).
    """
    paths, sources = [], {}
    for name, column in columns.items():
        path, shown = special.get(name, (name, None))
        if path == name and name in MASKED:
            shown = MASKED[name]
        elif path == name and column is not None and column.kind in SHOWN_KINDS:
            shown = partial(sheets.shown, column)
        if path not in paths:
            paths.append(path)
        sources[name] = (paths.index(path), shown)
    return paths, sources


# Masked on export: a list that leaves the bank must not carry full personal identifiers.
MASKED = {"id_number": mask_id, "phone": mask_phone}
SHOWN_KINDS = ("choice", "products", "boolean")
CUSTOMER_PATHS, CUSTOMER_SOURCES = _sources(
    {
        "customer_type": None,  # first: which sheet the row goes to
        **{
            name: sheets.COLUMN.get(name)
            for value in CustomerType.values
            for name, _header in customer_columns(value)
        },
    },
    {
        "village": ("village__code", None),
        "village_name": ("village__name", None),
        "group": ("group__name", None),
    },
)
MEMBER_PATHS, MEMBER_SOURCES = _sources(
    {name: sheets.MEMBER_COLUMN.get(name) for name, _header in MEMBER_COLUMNS},
    {
        "household": ("customer__id_number", mask_id),
        "household_name": ("customer__name", None),
        "village": ("customer__village__code", None),
    },
)


# ---- openpyxl's write-only cells, for the other apps' smaller spreadsheets -----------------


def _cell(ws, value):
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    # Any ID number or mobile typed into a free-text field ("other contact", a note) is
    # masked like the identifier columns: no export carries one in full.
    return _text(ws, mask_personal_numbers(str(value)))


def _text(ws, value: str):
    """A text cell that stays text: never a formula, never an error value.

    openpyxl writes any other str as text, so a plain str is returned (a write-only
    sheet then reuses one cell for it); only an error literal such as "#N/A" needs a
    cell typed as text.
    """
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if value not in ERROR_CODES:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


# Public names for the other apps' spreadsheets (assessment/exports.py): the same safe cells.
safe_cell = _cell
text_cell = _text
