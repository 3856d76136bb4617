"""A branch's four lists as XLSX: one sheet per list and one for the customers on none.

The rows are the lists page's (credit.lists.list_rows), so the file says what the page
says. Cells go through archives' safe cells: text stays text (never a formula, DOMAIN.md
§6) and any ID number or mobile typed into a reason is masked. Headers are fixed
Chinese, like archives/sheets.py: a file format that circulates, not interface text.
"""

import datetime
import io

from openpyxl import Workbook

from archives.exports import safe_cell, text_cell

from . import facts, rules

SHEETS = {
    rules.CreditList.STRATEGIC.value: "战略客户",
    rules.CreditList.QUALITY.value: "优质客户",
    rules.CreditList.BASIC.value: "基础客户",
    rules.CreditList.POTENTIAL.value: "潜力客户",
    rules.CreditList.UNLISTED.value: "未入名单",
}
HEADERS = (
    "客户名称",
    "统一社会信用代码",
    "管户责任人（A角）",
    "行业",
    "上年度日均授信敞口（元）",
    "日均存款（元）",
    "满足的条件",
    "名单确认日期",
    "定期复核日期",
)
# Name, credit code, manager, industry: identifiers written as they are (an all-digit
# credit code must not be masked as if it were an ID number); the rest is masked.
IDENTIFIERS = 4
NEVER_CONFIRMED = "未确认，应复核"
CRITERIA_SEPARATOR = "；"


def lists_workbook(rows, *, today: datetime.date) -> bytes:
    """The workbook of `rows` (list_rows of one branch), each on the sheet of its list."""
    figures = facts.latest_figures([row.customer.pk for row in rows], today)
    workbook = Workbook(write_only=True)
    sheets = {}
    for value, title in SHEETS.items():
        ws = workbook.create_sheet(title)
        ws.append([text_cell(ws, header) for header in HEADERS])
        sheets[value] = ws
    for row in rows:
        ws = sheets[row.in_force]
        values = row_values(row, figures.get(row.customer.pk))
        ws.append(
            [text_cell(ws, v) if v else None for v in values[:IDENTIFIERS]]
            + [safe_cell(ws, v) for v in values[IDENTIFIERS:]]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_values(row, figures) -> list:
    customer = row.customer
    return [
        customer.name,
        customer.credit_code,
        row.a_manager,
        customer.industry.name if customer.industry else "",
        figures.exposure if figures is not None else None,
        figures.deposits if figures is not None else None,
        CRITERIA_SEPARATOR.join(row.criteria),
        row.state.confirmed_on if row.confirmed else None,
        row.due_on if row.due_on is not None else NEVER_CONFIRMED,
    ]
