"""The village summary as a PDF (A4, one or two pages)."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import pdf
from .summary_models import NOTE_FIELDS, VillageSummary

TITLE = "一村一总结"


def _yuan(value) -> str:
    return "—" if value is None else f"{value:,.0f} 元"


def _list(pairs, unit="") -> str:
    return "、".join(f"{name} {n}{unit}" for name, n, *_rest in pairs) or "—"


def summary_pdf(village, facts, summary: VillageSummary, *, today) -> bytes:
    pdf.register_font()
    s = pdf.styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{village.name} {TITLE}",
    )

    def p(text, style="cell"):
        return Paragraph(escape(str(text)), s[style])

    branch = village.township.branch
    story = [
        p(f"{village.name}{TITLE}", "title"),
        p(f"{branch.name} · {village.township.name} · 截至 {today:%Y年%m月%d日}", "sub"),
        Spacer(0, 4 * mm),
    ]
    percent = facts.connection_percent
    rows = [
        ["登记户数", f"{village.registered_households} 户", "已建档户数", f"{facts.households} 户"],
        [
            "建档客户",
            f"{facts.customers} 户",
            "有业务往来",
            f"{facts.connected} 户（{percent if percent is not None else '—'}%）",
        ],
        ["家庭成员", f"{facts.members} 人", "外出务工", f"{facts.working_away} 人"],
        ["户均年收入", _yuan(facts.average_income), "户均年支出", _yuan(facts.average_expenses)],
        ["存款余额", _yuan(facts.deposits), "贷款余额", _yuan(facts.loans)],
        [
            "信贷需求",
            f"{facts.with_credit_need} 户，共 {_yuan(facts.credit_need)}",
            "预约存款 / 贷款",
            f"{_yuan(facts.appointed_deposit)} / {_yuan(facts.appointed_loan)}",
        ],
    ]
    table = Table(
        [[p(cell) for cell in row] for row in rows],
        colWidths=[26 * mm, 58 * mm, 30 * mm, 60 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f6f8")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f3f6f8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(0, 2 * mm)]
    story += [
        p("客户类型：" + _list([(t, n) for t, n in facts.by_type if n], " 户"), "body"),
        p("主要收入来源：" + _list(facts.incomes, " 户"), "body"),
        p("主要经营项目：" + _list(facts.business_items, " 户"), "body"),
        p("外出务工去向：" + _list(facts.away_places, " 人"), "body"),
        p("使用电子银行：" + _list(facts.ebanking, " 户"), "body"),
    ]
    labels = {name: VillageSummary._meta.get_field(name).verbose_name for name in NOTE_FIELDS}
    chinese = {
        "situation": "一、基本情况",
        "economy": "二、经济特点",
        "income_sources": "三、收入来源",
        "financial_needs": "四、金融需求",
        "services": "五、服务情况",
    }
    for name in NOTE_FIELDS:
        text = getattr(summary, name) or "（未填写）"
        story.append(p(chinese.get(name, labels[name]), "h2"))
        for paragraph in text.splitlines() or [text]:
            if paragraph.strip():
                story.append(p(paragraph, "body"))
    if summary.pk and summary.updated_by:
        story += [
            Spacer(0, 6 * mm),
            p(f"撰写：{summary.updated_by} · {summary.updated_at:%Y-%m-%d}", "sign"),
        ]
    doc.build(story)
    return buffer.getvalue()
