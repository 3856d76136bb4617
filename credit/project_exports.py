"""A branch's project library of a month as XLSX (DOMAIN.md §5.4), one row per entry.

Cells go through archives' safe cells: text stays text (never a formula, DOMAIN.md §6)
and any ID number or mobile typed into a note or next step is masked. The customer's
name and credit code are identifiers, written as text unmasked. Headers are fixed
Chinese, like credit/exports.py: a file format that circulates.
"""

import io

from django.utils import timezone
from openpyxl import Workbook

from archives.exports import safe_cell, text_cell

from . import projects

HEADERS = (
    "客户经理",
    "客户名称",
    "统一社会信用代码",
    "客户类型",
    "目标产品",
    "阶段",
    "下一步",
    "下一步期限",
    "阶段变动记录",
)
IDENTIFIERS = 3
EXISTING, PROSPECT = "存量客户", "潜在客户"


def history_text(entry) -> str:
    """Each move on a line: when, who, from → to, note."""
    lines = []
    for change in entry.changes.all():
        at = timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M")
        line = (
            f"{at} {change.by} {projects.stage_label(change.from_stage)}"
            f" → {projects.stage_label(change.to_stage)}"
        )
        lines.append(f"{line}：{change.note}" if change.note else line)
    return "\n".join(lines)


def library_workbook(entries) -> bytes:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("项目库")
    ws.append([text_cell(ws, header) for header in HEADERS])
    for entry in entries:
        identifiers = [str(entry.manager), entry.target, entry.target_code]
        ws.append(
            [text_cell(ws, v) if v else None for v in identifiers]
            + [
                safe_cell(ws, v)
                for v in (
                    EXISTING if entry.customer_id else PROSPECT,
                    "、".join(entry.products),
                    projects.stage_label(entry.stage),
                    entry.next_step,
                    entry.next_step_due,
                    history_text(entry),
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
