"""Importing an archive XLSX of N customers and their families vs. calamine's floors.

The file is written in the import template's layout (archives/sheets.py headers: the
客户 sheet and the 家庭成员 sheet, ≈3 family rows a household as in a real county) from
N customers on file and their members, their values read from the database, with one
change per customer row (the contact method), so a real import updates every customer.
N is the customers on file up to the largest file the import takes (IMPORT_MAX_ROWS a
sheet: a quarter of it, 62,500 customers with their ≈190,000 family rows; a whole
county's 510,000 family rows are refused, and a county imports in parts), or
BENCH_IMPORT_ROWS if smaller.
Ours is the dry run (every row checked, nothing written) against calamine's parse of
the same file, and the real import, run inside a transaction that is rolled back,
against the parse plus set-based writes of the same rows (import_floor.py).
"""

import datetime
import io
import os
import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import import_floor


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


def build_file(n: int) -> tuple[bytes, int]:
    """The file, and the number of family rows in it."""
    from archives import sheets
    from archives.choices import PERSON_HOUSEHOLD_TYPES
    from archives.models import Customer, CustomerType
    from archives.survey import HAS_FAMILY, fields_for

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheets.CUSTOMER_SHEET)
    columns = sheets.IMPORT_COLUMNS  # balances are the core-banking import's alone
    ws.append([_cell(ws, c.header) for c in columns])
    wanted = {t: set(fields_for(t)) for t in CustomerType.values}
    customers = Customer.objects.select_related("village", "group").order_by("pk")[:n]
    households = {}  # ID number -> the customer whose family the sheet lists (a household wins)
    for customer in customers.iterator(chunk_size=2000):
        type_fields = wanted[customer.customer_type]
        ws.append([_cell(ws, _value(customer, c, type_fields)) for c in columns])
        if (
            customer.customer_type in HAS_FAMILY
            and customer.id_number
            and (
                customer.customer_type in PERSON_HOUSEHOLD_TYPES
                or customer.id_number not in households
            )
        ):
            households[customer.id_number] = customer.pk
    return _with_members(workbook, households)


def _with_members(workbook, households) -> tuple[bytes, int]:
    from archives import sheets
    from archives.models import FamilyMember

    ws = workbook.create_sheet(sheets.MEMBER_SHEET)
    columns = sheets.MEMBER_COLUMNS
    ws.append([_cell(ws, c.header) for c in columns])
    head = {pk: number for number, pk in households.items()}
    members = FamilyMember.objects.filter(customer_id__in=list(head)).order_by("customer_id", "pk")
    count = 0
    for member in members.iterator(chunk_size=5000):
        values = []
        for column in columns:
            if column.name == "household":
                value = head[member.customer_id]
            elif column.name == "relation":
                value = sheets.label(column.choices, member.relation)
            elif column.kind == "boolean":
                value = "是" if getattr(member, column.name) else "否"
            else:
                value = getattr(member, column.name) or None
            values.append(_cell(ws, value))
        ws.append(values)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def run(*, Row, median_of):
    from archives.imports import import_archive
    from archives.models import Customer, Role, User

    on_file = min(Customer.objects.count(), settings.IMPORT_MAX_ROWS // 4)
    n = min(on_file, int(os.environ.get("BENCH_IMPORT_ROWS", "0")) or on_file)
    data, family_rows = build_file(n)
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
        return [Row(f"archive import {n} rows vs calamine parse", float("nan"), None, note=note)]
    parse_ms = median_of(lambda: import_floor.parse(data), repeat=3)
    _profile(min(n, int(os.environ.get("BENCH_PROFILE_ROWS", "3000"))), user, today, now)
    start = time.perf_counter()
    written = real()
    real_ms = (time.perf_counter() - start) * 1000
    floor_ms, floor_rows = _floor_write(data, now)
    return [
        Row(
            f"archive import {n}+{family_rows} rows (dry run) vs calamine parse",
            dry_ms,
            parse_ms,
            note=f"{check.updated} updated, {check.unchanged} unchanged; {len(data) // 1024} KiB; one run",
        ),
        Row(
            f"archive import {n}+{family_rows} (written) vs parse+set writes",
            real_ms,
            floor_ms,
            note=f"{written.updated} updated, floor {floor_rows}; rolled back; one run each",
        ),
    ]


def _profile(n, user, today, now):
    """Where a dry run of the first n rows spends its time: printed above the table."""
    import cProfile
    import pstats

    from archives.imports import import_archive

    if n <= 0:
        return
    data, _family_rows = build_file(n)
    profile = cProfile.Profile()
    profile.runcall(
        import_archive,
        io.BytesIO(data),
        filename="bench.xlsx",
        user=user,
        today=today,
        now=now,
        dry_run=True,
    )
    print(f"profile of a dry run of {n} rows and their families (tottime, top 20):")
    pstats.Stats(profile).sort_stats("tottime").print_stats(20)


def _floor_write(data, now):
    """One timed run of the parse plus set-based writes, rolled back as ours is."""
    start = time.perf_counter()
    try:
        with transaction.atomic():
            raise _Rollback(import_floor.parse_and_write(data, now))
    except _Rollback as rollback:
        return (time.perf_counter() - start) * 1000, rollback.args[0]
