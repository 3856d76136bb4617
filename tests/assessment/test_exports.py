"""The month's exports read back: the XLSX with openpyxl, the PDF with pdftotext and as a picture."""

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment import exports, statements
from assessment.models import Reward
from jobs.models import Job
from tests.assessment.statement_builders import OCTOBER, SCENARIO_LINES, the_issue_scenario
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def october(world):
    """The scenario, a reward with a formula-like reason, and a name that looks like one."""
    the_issue_scenario(world)
    world.manager_b.display_name = "=HYPERLINK(1)"
    world.manager_b.staff_no = "0002"
    world.manager_b.save(update_fields=["display_name", "staff_no"])
    Reward.objects.create(
        person=world.manager_c,
        month=OCTOBER,
        amount=D("88.50"),
        reason="=SUM(A1:A9) 贡献突出",
        created_by=world.head_office,
        created_at=timezone.now(),
    )
    return world


JOB_KINDS = {"export_xlsx": "statements_xlsx", "export_pdf": "statements_pdf"}


def run_export(world, name) -> tuple[Job, bytes]:
    client = login(world.head_office)
    response = client.post(reverse(f"assessment:{name}", args=[2026, 10]))
    job = Job.objects.get(kind=JOB_KINDS[name])
    assert response.url == job.get_absolute_url()
    assert job.status == "done", job.message
    assert (job.done, job.total) == (job.total, 7)
    page = client.get(job.get_absolute_url()).text
    download = reverse("jobs:file", args=[job.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    return job, b"".join(response.streaming_content)


def as_text(value: str) -> str:
    """How a text cell reads back: one that looks like a formula is kept as text with a quote."""
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


def number(value):
    return D(str(value)).quantize(D("0.01"))


def test_the_month_spreadsheet_reads_back_as_the_statements(october):
    _job, data = run_export(october, "export_xlsx")
    book = load_workbook(io.BytesIO(data))
    result = statements.month_statements(OCTOBER)
    assert book.sheetnames == ["全行汇总", "城关支行", "七里坪支行", "明细"]

    read = {}
    for title in ("城关支行", "七里坪支行"):
        rows = list(book[title].iter_rows(values_only=True))
        header = rows[0]
        assert header[:5] == ("工号", "姓名", "岗位", "支行", "确认下乡天数")
        assert rows[-1][0] == "合计"
        for values in rows[1:-1]:
            read[values[1]] = dict(zip(header, values, strict=True))
        money_cells = [row[6:] for row in book[title].iter_rows(min_row=2)]
        assert {cell.number_format for row in money_cells for cell in row} == {"0.00"}
        assert all(isinstance(cell.value, int | float) for row in money_cells for cell in row)

    assert len(read) == len(result.rows) == 7
    for row in result.rows:
        got = read[as_text(str(row.person))]
        s = row.statement
        assert got["工号"] == (row.person.staff_no or None)
        assert got["确认下乡天数"] == row.field_days
        assert number(got["定额补助"]) == s.subsidy
        assert number(got["计件工资"]) == s.piece_rate
        assert number(got["考核资金"]) == s.fund
        assert number(got["扣减"]) == s.deductions
        assert number(got["考核资金发放"]) == s.fund_payout
        assert number(got["超出考核资金的扣减"]) == s.excess_deductions
        assert number(got["奖励"]) == s.rewards
        assert number(got["调整"]) == s.adjustments
        assert number(got["应发合计"]) == s.payout
    assert number(read["王小红"]["应发合计"]) == D("3906.00")

    # Text stays text: a name or a reason that looks like a formula is not one.
    assert "'=HYPERLINK(1)" in read
    lines = list(book["明细"].iter_rows(values_only=True))
    assert lines[0] == ("工号", "姓名", "支行", "类别", "项目", "数量", "单价", "金额", "计算依据")
    assert lines[[r[1] for r in lines].index("'=HYPERLINK(1)")][:2] == ("0002", "'=HYPERLINK(1)")
    assert any(r[8] == "'=SUM(A1:A9) 贡献突出" and number(r[7]) == D("88.50") for r in lines)
    assert sum(len(row.statement.lines) for row in result.rows) == len(lines) - 1
    # Quantities and rates are numbers with as many decimals as they have; amounts money.
    formats = {(c.column_letter, c.number_format) for c in next(book["明细"].iter_rows(min_row=2))}
    assert {("F", "0.########"), ("G", "0.########"), ("H", "0.00")} <= formats
    scenario = {r[4]: number(r[7]) for r in lines if r[1] == "王小红"}
    assert sorted(scenario.values()) == sorted(SCENARIO_LINES.values())

    overview = list(book["全行汇总"].iter_rows(values_only=True))
    assert overview[0][0].startswith(exports.TITLE)
    bank = sum(number(r[-1]) for r in overview[2:])
    assert bank == result.totals["payout"]


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "statements.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_every_statement_as_a_pdf_shows_the_names_and_totals_one_per_page(october, tmp_path):
    _job, data = run_export(october, "export_pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    pages = text.split("\f")
    result = statements.month_statements(OCTOBER)
    assert len([p for p in pages if p.strip()]) == len(result.rows) == 7
    for row, page in zip(result.rows, pages, strict=False):
        assert exports.TITLE in page
        assert str(row.person) in page
        assert "应发合计" in page
        assert exports.yuan(row.statement.payout) in page
    scenario = pages[[str(r.person) for r in result.rows].index("王小红")]
    for amount in ("700.00", "1,706.00", "2,000.00", "500.00", "1,500.00", "3,906.00"):
        assert amount in scenario
    assert "本人签字" in scenario
    assert "2026年10月" in scenario

    # A font embedded, not a viewer's: the file must carry its own Chinese glyphs.
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "statements.pdf")], capture_output=True, text=True, check=True
    ).stdout
    listed = fonts.splitlines()[2:]
    assert listed
    for font in listed:
        assert "WenQuanYiZenHei" in font, fonts
        assert " yes yes yes " in font, fonts

    # One page as a picture, to be looked at (test-artifacts/statement-page.png).
    ARTIFACTS.mkdir(exist_ok=True)
    index = [str(r.person) for r in result.rows].index("王小红") + 1
    target = ARTIFACTS / "statement-page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(index),
            "-l",
            str(index),
            "-singlefile",
            str(tmp_path / "statements.pdf"),
            str(target),
        ],
        check=True,
    )
    assert target.with_suffix(".png").stat().st_size > 5000


def test_a_persons_own_pdf_is_made_at_once(october, tmp_path):
    person = october.manager_a
    response = login(person).get(reverse("assessment:statement_pdf", args=[2026, 10, person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "王小红" in text
    assert "3,906.00" in text
    assert text.count(exports.TITLE) == 1


# Demand deposits count in units of 10,000 yuan of the month's accumulated balance ÷ 360:
# 12,531,000 yuan·days → 34,808.333… yuan → 3.4808333… units. The sheet people sign shows
# the quantity to two decimals (halves up); the amount comes from the exact value.
@pytest.mark.parametrize(
    ("accumulated", "shown", "hidden"),
    [
        (D("12531000"), "3.48", "3.4808"),  # 3.480833… rounds down
        (D("12546000"), "3.49", "3.485"),  # 3.485 exactly: halves up
        (D("10800000"), "3", "3.00"),  # whole units stay whole
    ],
)
def test_quantities_are_rounded_on_the_statement_page_and_pdf(
    world, tmp_path, accumulated, shown, hidden
):
    from tests.assessment.statement_builders import make_line

    make_line(world.manager_a, "demand_deposit", amount=accumulated)
    client = login(world.manager_a)
    url = reverse("assessment:statement", args=[2026, 10, world.manager_a.pk])
    page = client.get(url).text
    row = page.split('data-code="demand_deposit"', 1)[1].split("</tr>", 1)[0]
    quantity_cell = row.split('data-label="数量">', 1)[1].split("<", 1)[0]
    assert quantity_cell == shown
    assert hidden not in row.split("计算依据", 1)[0]
    pdf = client.get(reverse("assessment:statement_pdf", args=[2026, 10, world.manager_a.pk]))
    text = pdf_text(pdf.content, tmp_path)
    line = next(line for line in text.splitlines() if "活期存款" in line)
    assert f" {shown} " in f" {line} "
    assert hidden not in line
    assert "日均积数" not in text
