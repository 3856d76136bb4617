"""Export of a village's or a branch's archive to XLSX: one sheet per customer type, identifiers masked.

Every text cell has its ID numbers and mobiles masked, wherever they were typed.

Written with openpyxl's write-only workbook, two queries whatever the number of
customers. Text is always written as text: openpyxl would turn a string that
starts with "=" into a formula (DOMAIN.md §6), and a spreadsheet program would
run one starting with = + - @ when the cell is edited or copied to a CSV, so
such values are prefixed with an apostrophe as OWASP recommends.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from . import sheets
from .identity import mask_personal_numbers
from .models import Customer, CustomerType, FamilyMember
from .survey import fields_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named `filename` (every app's XLSX pages answer with it)."""
    return HttpResponse(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_TITLE = 31  # Excel's limit for a sheet name

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


def export_archive(customers) -> ExportedArchive:
    """Write the given customers (a queryset) and their family members as an XLSX file."""
    workbook = Workbook(write_only=True)
    type_sheets = {}
    for value, _label in CustomerType.choices:
        ws = workbook.create_sheet(sheets.label(CustomerType, value)[:MAX_TITLE])
        columns = customer_columns(value)
        ws.append([_text(ws, header) for _name, header in columns])
        type_sheets[value] = (ws, columns)
    member_ws = workbook.create_sheet(sheets.MEMBER_SHEET)
    member_ws.append([_text(member_ws, header) for _name, header in MEMBER_COLUMNS])

    rows = customers.select_related("village", "group").order_by("village__code", "name", "pk")
    count = 0
    for count, customer in enumerate(rows.iterator(chunk_size=2000), start=1):  # noqa: B007
        ws, columns = type_sheets[customer.customer_type]
        ws.append([_cell(ws, _customer_value(customer, name)) for name, _header in columns])

    members = (
        FamilyMember.objects.filter(customer__in=customers)
        .select_related("customer__village")
        .order_by("customer__village__code", "customer__name", "customer_id", "pk")
    )
    for member in members.iterator(chunk_size=2000):
        member_ws.append(
            [_cell(member_ws, _member_value(member, name)) for name, _h in MEMBER_COLUMNS]
        )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportedArchive(data=buffer.getvalue(), customer_count=count)


def _customer_value(customer: Customer, name):
    if name == "village":
        return customer.village.code
    if name == "village_name":
        return customer.village.name
    if name == "group":
        return customer.group.name if customer.group else ""
    if name in MASKED:
        return getattr(customer, MASKED[name])
    return sheets.shown(sheets.COLUMN[name], getattr(customer, name))


def _member_value(member: FamilyMember, name):
    if name == "household":
        return member.customer.masked_id
    if name == "household_name":
        return member.customer.name
    if name == "village":
        return member.customer.village.code
    if name in MASKED:
        return getattr(member, MASKED[name])
    return sheets.shown(sheets.MEMBER_COLUMN[name], getattr(member, name))


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
