"""Exports written by their jobs vs. an XlsxWriter dump of the same cells (issue 15.2).

Archive: the branch with the most customers, exported as its job's runner does
(`archives.exports.export_archive`: the two queries, masking, labels, formats) and
once end to end as a job (`jobs.services.run`: the file stored, the access log row).
Statements: the month's XLSX (`assessment.exports.month_workbook`) from the computed
statements, and computed and written together as bench_statements does.

The floor of each is XlsxWriter in constant memory writing the very cells of our file
(read back once with openpyxl) as plain rows: no formats, no masking, no database.
"""

import io
import statistics
import time

from django.db import transaction
from openpyxl import load_workbook
from xlsxwriter import Workbook

from benchmarks.bench_statements import MONTH, _add_month_data, _Rollback


def _cells(data: bytes):
    """[(sheet title, [row values])] of a workbook, as the floor writes them again."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheets = [(ws.title, list(ws.iter_rows(values_only=True))) for ws in workbook.worksheets]
    workbook.close()
    return sheets


def _dump(sheets) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    for title, rows in sheets:
        ws = workbook.add_worksheet(title)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    workbook.close()
    return buffer.getvalue()


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def paired(ours, floor, repeat=3):
    """(ours ms, floor ms, ratio): medians of runs taken in turn, ours then the floor.

    On a shared, loaded machine the load moves within a minute; pairs see the same one,
    so the median of the pairs' ratios says more than the ratio of two medians.
    """
    ours(), floor()
    pairs = [(_timed(ours), _timed(floor)) for _ in range(repeat)]
    return (
        statistics.median(o for o, _f in pairs),
        statistics.median(f for _o, f in pairs),
        statistics.median(o / f for o, f in pairs),
    )


def _size(sheets) -> str:
    rows = sum(len(r) for _t, r in sheets)
    cells = sum(1 for _t, rs in sheets for row in rs for v in row if v is not None)
    return f"{len(sheets)} sheets, {rows} rows, {cells} cells"


def _busiest_branch():
    from django.db.models import Count

    from archives.models import Branch

    return (
        Branch.objects.annotate(n=Count("townships__villages__customers"))
        .order_by("-n", "pk")
        .first()
    )


def _archive_rows(*, Row, median_of):
    from archives import exports
    from archives.models import Customer, User
    from jobs import services
    from jobs.models import Job

    branch = _busiest_branch()
    customers = Customer.objects.filter(village__township__branch=branch)
    data = exports.export_archive(customers).data
    sheets = _cells(data)
    ours_ms, floor_ms, ratio = paired(
        lambda: exports.export_archive(customers), lambda: _dump(sheets)
    )

    def read_only():  # the runner's customer query, as tuples, nothing written
        for _c in customers.values_list(*exports.CUSTOMER_PATHS).iterator(chunk_size=2000):
            pass

    query_ms = median_of(read_only, repeat=3)
    rows = [
        Row(
            f"archive export, {branch.name} vs XlsxWriter dump",
            ours_ms,
            floor_ms,
            note=f"median of pairs {ratio:.2f}; {customers.count()} customers; {_size(sheets)}; "
            f"customer rows read alone {query_ms:.0f} ms; {len(data) // 1024} KiB",
        )
    ]
    with transaction.atomic():  # the job's row, file and access-log row are not kept
        head = User.objects.filter(role="head_office", is_active=True).order_by("pk").first()
        job = Job.objects.create(
            kind="archive_export",
            subject=branch.name,
            params={"branch": branch.pk},
            created_by=head,
        )
        start = time.perf_counter()
        services.run(job.pk)
        job_ms = (time.perf_counter() - start) * 1000
        job.refresh_from_db()
        if job.status != Job.Status.DONE:
            raise RuntimeError(f"the export job ended {job.status}: {job.message}")
        job.result_file.delete(save=False)
        transaction.set_rollback(True)
    rows.append(
        Row(
            f"archive export job end to end, {branch.name}",
            job_ms,
            floor_ms,
            note="one run: runner, file stored, access log; floor as above",
        )
    )
    return rows


def _statement_rows(*, Row, median_of):
    from assessment.exports import month_workbook
    from assessment.models import FieldDay, LedgerEntry
    from assessment.statements import month_statements

    rows = []
    try:
        with transaction.atomic():
            if not FieldDay.objects.in_month(MONTH).exists():
                _add_month_data()
            lines = LedgerEntry.objects.of_month(MONTH).count()
            result = month_statements(MONTH)
            sheets = _cells(month_workbook(result))
            write_ms, floor_ms, ratio = paired(
                lambda: month_workbook(result), lambda: _dump(sheets), repeat=5
            )
            both_ms = median_of(lambda: month_workbook(month_statements(MONTH)), repeat=3)
            compute_ms = median_of(lambda: month_statements(MONTH), repeat=3)
            size = f"{len(result.rows)} statements, {lines} ledger lines; {_size(sheets)}"
            rows.append(
                Row(
                    "month XLSX written vs XlsxWriter dump",
                    write_ms,
                    floor_ms,
                    note=f"median of pairs {ratio:.2f}; {size}",
                )
            )
            rows.append(
                Row(
                    "statements + month XLSX vs compute + XlsxWriter dump",
                    both_ms,
                    compute_ms + floor_ms,
                    note=f"compute alone {compute_ms:.0f} ms",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows


def run(*, Row, median_of):
    return _archive_rows(Row=Row, median_of=median_of) + _statement_rows(
        Row=Row, median_of=median_of
    )
