"""A month's statements as the bank's spreadsheet (XLSX) and as printable Chinese PDF statements.

Both take the rows of `statements.month_statements`, so a closed month exports its
snapshots and an open one what it would pay today. Spreadsheet numbers are numbers
(money as 0.00) and text stays text, written by XlsxWriter in constant memory
(archives/xlsx.py, DOMAIN.md §6).
The PDF embeds WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei: reportlab's built-in
CID fonts are not embedded and show boxes on a viewer without a Chinese font.
"""

import io
import re
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from archives import pdf
from archives.identity import mask_personal_numbers
from archives.models import User
from archives.xlsx import MAX_TITLE, Book, Number

from . import quotas
from .statements import SECTION_LABELS, TOTALS, MonthStatements, StatementRow

TITLE = "红安农商银行 进村入户考核月报表"
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
PLAIN_FORMAT = "0.########"  # quantities and rates: as many decimals as they have

# Columns of a branch's summary sheet: header, and the value of a row.
SUMMARY_COLUMNS = (
    ("工号", lambda r: r.person.staff_no or ""),
    ("姓名", lambda r: str(r.person)),
    ("岗位", lambda r: str(r.role_label)),
    ("支行", lambda r: r.branch.name if r.branch else "总行"),
    ("确认下乡天数", lambda r: r.field_days),
    ("最低下乡天数", lambda r: r.statement.minimum_field_days),
    ("定额补助", lambda r: r.statement.subsidy),
    ("计件工资", lambda r: r.statement.piece_rate),
    ("考核资金", lambda r: r.statement.fund),
    ("扣减", lambda r: r.statement.deductions),
    ("考核资金发放", lambda r: r.statement.fund_payout),
    ("超出考核资金的扣减", lambda r: r.statement.excess_deductions),
    ("奖励", lambda r: r.statement.rewards),
    ("调整", lambda r: r.statement.adjustments),
    ("应发合计", lambda r: r.statement.payout),
)
MONEY_FROM = 6  # columns from here on are money and are summed in the last row
LINE_HEADERS = ("工号", "姓名", "支行", "类别", "项目", "数量", "单价", "金额", "计算依据")
LINES_SHEET = "明细"
OVERVIEW_SHEET = "全行汇总"


def sheet_title(name: str, taken: set[str]) -> str:
    # Excel refuses a name that begins or ends with an apostrophe, and compares names
    # without regard to case (XlsxWriter checks both).
    title = SHEET_NAME_FORBIDDEN.sub("_", name)[:MAX_TITLE].strip("'") or "_"
    base, n = title, 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f"({n})"
        title, n = base[: MAX_TITLE - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def month_workbook(result: MonthStatements, progress=None) -> bytes:
    """The month as XLSX: an overview, a summary sheet per branch, then every line."""
    book = Book()
    groups = result.by_branch()
    total = len(result.rows)
    done = 0
    taken = {OVERVIEW_SHEET, LINES_SHEET}

    overview = book.sheet(OVERVIEW_SHEET)
    status = "已结账" if result.is_closed else "未结账（试算）"
    overview.header([f"{TITLE} {result.month.month:%Y年%m月} {status}"])
    overview.header(("支行", "人数", *(h for h, _ in SUMMARY_COLUMNS[MONEY_FROM:])))
    for group in groups:
        totals = group.totals
        name = group.branch.name if group.branch else "总行"
        overview.append([name, len(group.rows), *(totals[key] for key in TOTALS)])

    for group in groups:
        ws = book.sheet(sheet_title(group.branch.name if group.branch else "总行", taken))
        ws.header([header for header, _value in SUMMARY_COLUMNS])
        for row in group.rows:
            ws.append([value(row) for _header, value in SUMMARY_COLUMNS])
            done += 1
            if progress and done % 20 == 0:
                progress(done, total)
        totals = group.totals
        ws.append(["合计", *([None] * (MONEY_FROM - 1)), *(totals[key] for key in TOTALS)])

    lines = book.sheet(LINES_SHEET)
    lines.header(LINE_HEADERS)
    for row in result.rows:
        staff_no = row.person.staff_no or ""
        person = str(row.person)
        branch = row.branch.name if row.branch else "总行"
        for line in row.statement.lines:
            lines.append(
                [
                    staff_no,
                    person,
                    branch,
                    str(SECTION_LABELS[line.section]),
                    line.label,
                    Number(line.quantity, PLAIN_FORMAT),
                    Number(line.rate, PLAIN_FORMAT),
                    line.amount,
                    line.rule,
                ]
            )
    if progress:
        progress(total, total)
    return book.close()


# ---- PDF ----------------------------------------------------------------------------------

FONT = pdf.FONT
_register_font = pdf.register_font
_styles = pdf.styles


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def plain(value: Decimal) -> str:
    """A rate as written on paper: no exponent, no trailing zeros (0.028 stays 0.028)."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return format(value.normalize(), "f")


QUANTITY_PLACES = Decimal("0.01")


def quantity(value: Decimal) -> str:
    """A quantity as written on the sheet people sign: at most two decimals, halves up.

    Demand deposits count in units of 10,000 yuan of accumulated balance, which divide
    into long fractions (3.48083333…); the amount is computed from the exact value,
    the page and the PDF show it rounded.
    """
    value = Decimal(value)
    if value != value.to_integral_value():
        value = value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
    return plain(value)


class _Done(Flowable):
    """Drawn after each person's statement: reports the progress of a long PDF."""

    def __init__(self, callback, done, total):
        super().__init__()
        self.callback, self.done, self.total = callback, done, total

    def wrap(self, *args):
        return (0, 0)

    def draw(self):
        self.callback(self.done, self.total)


GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f1ee")),
    ]
)


def _quota_row(quota) -> list[str] | None:
    """Leaders' and section chiefs' trips and households against their minimums (含)."""
    if quota is None or quota.min_households is None:
        return None
    short = lambda met: "" if met else "，未达标"  # noqa: E731
    return [
        "下乡次数",
        f"{quota.trips} 次（最低 {quota.min_trips} 次{short(quota.trips_met)}）",
        "入户数",
        f"{quota.households} 户（最低 {quota.min_households} 户{short(quota.households_met)}）",
    ]


def _statement_flowables(row: StatementRow, result: MonthStatements, styles, quota=None):
    s = row.statement
    month = result.month.month
    status = "已结账" if result.is_closed else "未结账（试算，以结账数为准）"
    # Free text (a reward's reason, an adjustment's note) with any ID number or mobile masked.
    p = lambda text, style="cell": Paragraph(  # noqa: E731
        escape(mask_personal_numbers(str(text))), styles[style]
    )
    minimum = f"（最低 {s.minimum_field_days} 天）" if s.minimum_field_days else ""
    info = Table(
        [
            ["姓名", str(row.person), "工号", row.person.staff_no or "—"],
            ["岗位", str(row.role_label), "支行", row.branch.name if row.branch else "总行"],
            ["考核月份", f"{month:%Y年%m月}", "确认下乡天数", f"{row.field_days} 天{minimum}"],
            *filter(None, [_quota_row(quota)]),
        ],
        colWidths=[22 * mm, 68 * mm, 26 * mm, 64 * mm],
    )
    info.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f6f8")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f3f6f8")),
            ]
        )
    )
    body = [["类别", "项目", "数量", "单价", "金额（元）", "计算依据"]]
    for line in s.lines:
        body.append(
            [
                p(SECTION_LABELS[line.section]),
                p(line.label),
                quantity(line.quantity),
                plain(line.rate),
                yuan(line.amount),
                p(line.rule),
            ]
        )
    lines = Table(
        body,
        colWidths=[18 * mm, 36 * mm, 20 * mm, 18 * mm, 22 * mm, 66 * mm],
        repeatRows=1,
    )
    lines.setStyle(GRID)
    lines.setStyle(TableStyle([("ALIGN", (2, 1), (4, -1), "RIGHT")]))
    totals = Table(
        [
            ["定额补助", yuan(s.subsidy), "计件工资", yuan(s.piece_rate)],
            ["考核资金", yuan(s.fund), "扣减", yuan(s.deductions)],
            [
                "考核资金发放",
                yuan(s.fund_payout),
                "超出考核资金的扣减（不计发）",
                yuan(s.excess_deductions),
            ],
            ["奖励", yuan(s.rewards), "调整", yuan(s.adjustments)],
            ["应发合计", yuan(s.payout), "", ""],
        ],
        colWidths=[30 * mm, 45 * mm, 60 * mm, 45 * mm],
    )
    totals.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("FONTSIZE", (0, -1), (1, -1), 12),
                ("BACKGROUND", (0, -1), (1, -1), colors.HexColor("#e8f1ee")),
            ]
        )
    )
    return [
        Paragraph(TITLE, styles["title"]),
        Paragraph(escape(f"{month:%Y年%m月} · {status}"), styles["sub"]),
        Spacer(0, 5 * mm),
        info,
        Spacer(0, 5 * mm),
        lines,
        Spacer(0, 5 * mm),
        totals,
        Spacer(0, 14 * mm),
        Paragraph(
            "本人签字：________________　　审核（总行）：________________　　"
            "日期：________________",
            styles["sign"],
        ),
    ]


def statements_pdf(result: MonthStatements, rows=None, progress=None) -> bytes:
    """The statements as an A4 PDF, one person to a page (a long statement runs over)."""
    _register_font()
    styles = _styles()
    rows = result.rows if rows is None else rows
    with_quota = [row.person.pk for row in rows if row.role in quotas.QUOTA_ROLES]
    quota_of = (
        {
            q.person.pk: q.quota
            for q in quotas.month_quotas(User.objects.filter(pk__in=with_quota), result.month.month)
        }
        if with_quota
        else {}
    )
    story = []
    for n, row in enumerate(rows, start=1):
        if n > 1:
            story.append(PageBreak())
        story += _statement_flowables(row, result, styles, quota_of.get(row.person.pk))
        if progress:
            story.append(_Done(progress, n, len(rows)))
    if not story:
        story.append(Paragraph("本月没有考核报表。", styles["base"]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{TITLE} {result.month.month:%Y-%m}",
        author="红安农商银行",
        # The canvas starts in our font too: no Helvetica left for a viewer to supply.
        initialFontName=FONT,
    )
    document.build(story)
    return buffer.getvalue()
