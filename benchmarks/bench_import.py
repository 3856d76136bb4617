"""Importing an archive XLSX of N customers vs. openpyxl's read-only parse of the same file.

The file is written in the import template's layout (archives/sheets.py headers, the
客户 sheet) from N customers on file, their values read from the database, with one
change per row (the contact method), so a real import updates every row. N is every
customer on file (the county: 170,000), or BENCH_IMPORT_ROWS if smaller. Ours is the
dry run (every row checked by the survey form, nothing written) and the real import,
run inside a transaction that is rolled back; the floor reads every cell in read-only
mode.
"""

import datetime
import io
import os
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell


class _Rollback(Exception):
    pass


def _value(customer, column, wanted):
    from archives import sheets

    name = column.name
    if name == "village":
        return customer.village.code
    if name == "group":
        return customer.group.name if customer.group else None
    if name == "archived_on":
        return customer.archived_on
    if name not in wanted:
        return None
    if name == "contact_method":
        return f"微信 {customer.pk}"  # the one change: a real import updates every row
    value = getattr(customer, name)
    if column.kind == "choice":
        return sheets.label(column.choices, value) or None
    if column.kind == "products":
        return "、".join(sheets.label(column.choices, v) for v in value or ()) or None
    if column.kind == "boolean":
        return "是" if value else "否"
    if value in (None, ""):
        return None
    return value


def _cell(ws, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # identifiers stay text
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "0.00"
        return cell
    return value


def build_file(n: int) -> bytes:
    from archives import sheets
    from archives.models import Customer, CustomerType
    from archives.survey import fields_for

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheets.CUSTOMER_SHEET)
    columns = sheets.CUSTOMER_COLUMNS
    ws.append([_cell(ws, c.header) for c in columns])
    wanted = {t: set(fields_for(t)) for t in CustomerType.values}
    customers = Customer.objects.select_related("village", "group").order_by("pk")[:n]
    for customer in customers.iterator(chunk_size=2000):
        type_fields = wanted[customer.customer_type]
        ws.append([_cell(ws, _value(customer, c, type_fields)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(data: bytes) -> int:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            for _value in row:
                cells += 1
    workbook.close()
    return cells


def run(*, Row, median_of):
    from archives.imports import import_archive
    from archives.models import Customer, Role, User

    on_file = Customer.objects.count()
    n = min(on_file, int(os.environ.get("BENCH_IMPORT_ROWS", "0")) or on_file)
    data = build_file(n)
    user = User.objects.filter(role=Role.HEAD_OFFICE).order_by("pk").first()
    today, now = timezone.localdate(), timezone.now()

    def ours(dry_run=True):
        return import_archive(
            io.BytesIO(data),
            filename="bench.xlsx",
            user=user,
            today=today,
            now=now,
            dry_run=dry_run,
        )

    def real():
        try:
            with transaction.atomic():
                result = ours(dry_run=False)
                raise _Rollback(result)
        except _Rollback as rollback:
            return rollback.args[0]

    start = time.perf_counter()
    check = ours()  # a single timed run: the import is the slow side, minutes at county scale
    dry_ms = (time.perf_counter() - start) * 1000
    if not check.ok:
        first = check.problems[0]
        note = f"FILE REJECTED: {check.problem_count} problems, first {first.as_dict()}"
        return [Row(f"archive import {n} rows vs read-only parse", float("nan"), None, note=note)]
    floor_ms = median_of(lambda: parse(data), repeat=3)
    start = time.perf_counter()
    written = real()
    real_ms = (time.perf_counter() - start) * 1000
    return [
        Row(
            f"archive import {n} rows (dry run) vs read-only parse",
            dry_ms,
            floor_ms,
            note=f"{check.updated} updated, {check.unchanged} unchanged; {len(data) // 1024} KiB; one run",
        ),
        Row(
            f"archive import {n} rows (written, rolled back) vs parse",
            real_ms,
            floor_ms,
            note=f"{written.updated} updated, written={written.written}; one run",
        ),
    ]
