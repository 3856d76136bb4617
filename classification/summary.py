"""The branch summary of one week as XLSX: customers by tier × type, for the branch and per village.

Two queries whatever the size of the branch. Cells are written as the archive
export writes them (archives/exports.py): text stays text, never a formula.
Sheet and column headers are fixed Chinese like the archive's files; the tier names
are the catalogue's.
"""

import io
from collections import defaultdict

from django.db.models import Count, Q
from openpyxl import Workbook

from archives import exports, sheets
from archives.models import CustomerType, Village

from .models import Classification
from .rules import TIER_LABELS

SUMMARY_SHEET = "汇总"
VILLAGE_SHEET = "分村明细"
TIERS = tuple(TIER_LABELS)


def type_headers() -> list[str]:
    return [sheets.label(CustomerType, t) for t in CustomerType.values]


def tier_label(tier) -> str:
    return str(TIER_LABELS[tier])


def week_counts(week) -> dict[tuple[int, str, str], int]:
    """(village id, tier, customer type) -> customers, for one week."""
    rows = (
        Classification.objects.filter(week=week)
        .values_list("customer__village", "tier", "customer__customer_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(village, tier, ctype): n for village, tier, ctype, n in rows}


def export_week_summary(week) -> bytes:
    counts = week_counts(week)
    # The branch's villages, and any village a classified customer has since moved to.
    villages = Village.objects.filter(
        Q(township__branch=week.branch_id) | Q(pk__in={v for v, _t, _c in counts})
    ).order_by("code")
    by_tier = defaultdict(int)
    for (_village, tier, ctype), n in counts.items():
        by_tier[tier, ctype] += n

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(SUMMARY_SHEET)
    _append(ws, "支行", week.branch.name)
    _append(ws, "周", week.week_start)
    _append(ws, "状态", week.get_status_display())
    _append(ws)
    _append(ws, "层级", *type_headers(), "合计")
    for tier in TIERS:
        values = [by_tier[tier, t] for t in CustomerType.values]
        _append(ws, tier_label(tier), *values, sum(values))
    column_totals = [sum(by_tier[tier, t] for tier in TIERS) for t in CustomerType.values]
    _append(ws, "合计", *column_totals, sum(column_totals))

    detail = workbook.create_sheet(VILLAGE_SHEET)
    _append(detail, "行政村编码", "行政村", "层级", *type_headers(), "合计")
    for village in villages.iterator():
        for tier in TIERS:
            values = [counts.get((village.pk, tier, t), 0) for t in CustomerType.values]
            _append(detail, village.code, village.name, tier_label(tier), *values, sum(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append(ws, *values):
    ws.append([exports._cell(ws, value) for value in values])
