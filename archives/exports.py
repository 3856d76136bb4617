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
from operator import attrgetter

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from . import sheets
from .identity import mask_personal_numbers
from .models import Branch, CustomerType, FamilyMember, Role
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


def exportable_branches(user):
    """Branches whose whole archive a user may export: their own, or every one for head office."""
    if not (user.is_authenticated and user.is_active):
        return Branch.objects.none()
    if user.is_head_office:
        return Branch.objects.all()
    if user.role in (Role.BRANCH_HEAD, Role.SECTION_CHIEF, Role.LEADER):
        return user.branches.all()
    return Branch.objects.none()


# Masked on export: a list that leaves the bank must not carry full personal identifiers.
MASKED = {"id_number": "masked_id", "phone": "masked_phone"}


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

    `progress(done, total)` is called every PROGRESS_EVERY rows, customers then members.
    """
    members = FamilyMember.objects.filter(customer__in=customers)
    total = customers.count() + members.count() if progress else 0
    book = Book()
    type_sheets = {}
    for value, _label in CustomerType.choices:
        ws = book.sheet(sheets.label(CustomerType, value))
        columns = customer_columns(value)
        ws.header([header for _name, header in columns])
        type_sheets[value] = (ws, [_customer_getter(name) for name, _header in columns])
    member_ws = book.sheet(sheets.MEMBER_SHEET)
    member_ws.header([header for _name, header in MEMBER_COLUMNS])
    member_getters = [_member_getter(name) for name, _header in MEMBER_COLUMNS]

    rows = customers.select_related("village", "group").order_by("village__code", "name", "pk")
    count = 0
    for count, customer in enumerate(rows.iterator(chunk_size=2000), start=1):
        ws, getters = type_sheets[customer.customer_type]
        ws.append([get(customer) for get in getters])
        if progress and count % PROGRESS_EVERY == 0:
            progress(count, total)

    member_count = 0
    ordered = members.select_related("customer__village").order_by(
        "customer__village__code", "customer__name", "customer_id", "pk"
    )
    for member_count, member in enumerate(ordered.iterator(chunk_size=2000), start=1):
        member_ws.append([get(member) for get in member_getters])
        if progress and (count + member_count) % PROGRESS_EVERY == 0:
            progress(count + member_count, total)
    if progress:
        progress(count + member_count, total)
    return ExportedArchive(data=book.close(), customer_count=count, member_count=member_count)


def _shown(column, name):
    """The getter of a column: the value as a file shows it (labels for choices, 是/否)."""
    if column.kind in ("choice", "products", "boolean"):
        return lambda record: sheets.shown(column, getattr(record, name))
    return attrgetter(name)


def _customer_getter(name):
    if name == "village":
        return lambda customer: customer.village.code
    if name == "village_name":
        return lambda customer: customer.village.name
    if name == "group":
        return lambda customer: customer.group.name if customer.group else ""
    if name in MASKED:
        return attrgetter(MASKED[name])
    return _shown(sheets.COLUMN[name], name)


def _member_getter(name):
    if name == "household":
        return lambda member: member.customer.masked_id
    if name == "household_name":
        return lambda member: member.customer.name
    if name == "village":
        return lambda member: member.customer.village.code
    if name in MASKED:
        return attrgetter(MASKED[name])
    return _shown(sheets.MEMBER_COLUMN[name], name)


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
