"""The whole bank's statements of an open month, computed and written to XLSX, vs. a write-only dump.

The month is seed_demo's open month (2026-10: a month of field days, photos and ledger
lines for everyone). On a database seeded before seed_demo wrote field work, a modest
month is added first — confirmed field days and a few ledger lines for every account
manager — inside a transaction rolled back at the end. The floor is a bare openpyxl
write-only workbook with the same sheets, rows and columns (numbers and short strings).
"""

import datetime
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook

MONTH = datetime.date(2026, 10, 1)
FIELD_DAYS = 15  # confirmed days per account manager in the month
LEDGER_KINDS = ("fixed_deposit", "loan_principal_recovered", "loan_interest_recovered")
COUNTED = ("fuka_cards", "vip_cards")


class _Rollback(Exception):
    pass


def _add_month_data():
    from archives.models import Role, User
    from assessment.models import FieldDay, LedgerEntry

    managers = list(
        User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True).prefetch_related("branches")
    )
    now = timezone.now()
    days, lines = [], []
    for n, person in enumerate(managers):
        branch = min(person.branches.all(), key=lambda b: b.code, default=None)
        if branch is None:
            continue
        for d in range(FIELD_DAYS):
            days.append(
                FieldDay(
                    person=person,
                    date=MONTH + datetime.timedelta(days=(d * 2 + n) % 31),
                    branch=branch,
                    households_visited=8 + d % 5,
                    diary="走访农户，宣传产品。",
                    status=FieldDay.Status.CONFIRMED,
                )
            )
        for k, kind in enumerate(LEDGER_KINDS):
            lines.append(
                LedgerEntry(
                    person=person,
                    month=MONTH,
                    kind=kind,
                    amount=Decimal(10000 * (k + 1) + n),
                    created_at=now,
                )
            )
        for k, kind in enumerate(COUNTED):
            lines.append(
                LedgerEntry(
                    person=person, month=MONTH, kind=kind, count=3 + k + n % 4, created_at=now
                )
            )
    FieldDay.objects.bulk_create(days, batch_size=2000)
    LedgerEntry.objects.bulk_create(lines, batch_size=2000)
    return len(days), len(lines)


def _shape(data: bytes):
    """(sheet title, rows, columns) of each sheet of a workbook."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    shape = []
    for ws in workbook.worksheets:
        rows = cols = 0
        for row in ws.iter_rows(values_only=True):
            rows += 1
            cols = max(cols, len(row))
        shape.append((ws.title, rows, cols))
    workbook.close()
    return shape


def _dump(shape) -> bytes:
    workbook = Workbook(write_only=True)
    for title, rows, cols in shape:
        ws = workbook.create_sheet(title)
        for r in range(rows):
            ws.append([(r * cols + c) * 1.25 if c % 2 else f"文本{c}" for c in range(cols)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(*, Row, median_of):
    from assessment.exports import month_workbook
    from assessment.models import FieldDay, LedgerEntry
    from assessment.statements import month_statements

    rows = []
    try:
        with transaction.atomic():
            days = FieldDay.objects.in_month(MONTH).count()
            lines = LedgerEntry.objects.of_month(MONTH).count()
            if not days:
                days, lines = _add_month_data()

            def ours():
                return month_workbook(month_statements(MONTH))

            result = month_statements(MONTH)
            shape = _shape(ours())
            cells = sum(r * c for _t, r, c in shape)
            ours_ms = median_of(ours, repeat=3)
            floor_ms = median_of(lambda: _dump(shape), repeat=3)
            compute_ms = median_of(lambda: month_statements(MONTH), repeat=3)
            rows.append(
                Row(
                    "statements + XLSX vs write-only dump",
                    ours_ms,
                    floor_ms,
                    note=(
                        f"{len(result.rows)} statements, {len(shape)} sheets, {cells} cells; "
                        f"{days} field days, {lines} ledger lines; compute alone {compute_ms:.0f} ms"
                    ),
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows
