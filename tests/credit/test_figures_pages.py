"""The figures import's pages, job and command: head office and its two departments, nobody else."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit import imports
from credit.models import Figures
from jobs.models import Job
from tests.conftest import login
from tests.credit.test_figures import extract, line, on_file

pytestmark = pytest.mark.django_db

IMPORTERS = ["head_office", "corporate_finance", "credit_management"]
OTHERS = ["corp_a1", "deputy_head", "branch_head", "manager_a", "section_chief", "leader"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def last_month() -> datetime.date:
    """The pages run with the real date: last month's period is never in the future."""
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def upload(client, data, *, dry_run=True, name="经营数据.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    post = {"file": f}
    if dry_run:
        post["dry_run"] = "on"
    return client.post(reverse("credit:figures_import"), post)


def good_extract(world, **cells):
    return extract([line(world.company_1, period=f"{last_month():%Y-%m}", **cells)])


# --- the template -----------------------------------------------------------------------


def test_the_template_round_trip_download_fill_and_import(world, media):
    client = login(world.corporate_finance)
    response = client.get(reverse("credit:figures_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [imports.SHEET, "说明"]
    ws = workbook[imports.SHEET]
    assert [c.value for c in ws[1]] == [c.header for c in imports.COLUMNS]
    example = [c.value for c in ws[2]]
    assert example[0] == imports.EXAMPLE_CODE
    assert "示例" in example[1]
    documented = {r[0] for r in workbook["说明"].iter_rows(values_only=True)}
    assert {c.header for c in imports.COLUMNS} <= documented

    # Sent back as downloaded, the example row is refused and nothing is written.
    upload(client, response.content, dry_run=False, name="模板.xlsx")
    refused = Job.objects.get()
    assert (refused.error_count, refused.errors[0]["column"]) == (1, "统一社会信用代码")
    assert "示例" in refused.errors[0]["message"]

    # Filled in over the example row, it imports: dry run, then its confirmation.
    filled = line(world.company_1, period=f"{last_month():%Y-%m}")
    for index, column in enumerate(imports.COLUMNS, start=1):
        ws.cell(2, index).value = filled[column.name]
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, buffer.getvalue())
    dry_run = Job.objects.exclude(pk=refused.pk).get()
    assert (dry_run.status, dry_run.error_count, dry_run.result["created"]) == ("done", 0, 1)
    assert not Figures.objects.exists()
    client.post(reverse("archives:import_confirm", args=[dry_run.pk]))
    figures = Figures.objects.get()
    assert (figures.customer, figures.period, figures.exposure) == (
        world.company_1,
        last_month(),
        Decimal("210000000.00"),
    )
    assert figures.history.get().history_user == world.corporate_finance


def test_the_docs_describe_every_column_and_its_aliases():
    docs = Path(__file__).resolve().parents[2] / "docs" / "credit-figures-template.md"
    text = docs.read_text()
    for column in imports.COLUMNS:
        assert f"| {column.header} |" in text, column.header
        for alias in column.aliases:
            assert alias in text, alias


# --- the upload page, the job, the confirmation -----------------------------------------


@pytest.mark.parametrize("persona", ["credit_management", "head_office"])
def test_a_dry_run_job_lists_the_changes_then_its_confirmation_writes_them(world, media, persona):
    user = getattr(world, persona)
    client = login(user)
    page = client.get(reverse("credit:figures_import"))
    assert page.status_code == 200
    assert reverse("credit:figures_template") in page.text
    assert 'name="dry_run"' in page.text

    response = upload(client, good_extract(world, deposits="12,345.60"))

    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.kind, job.status, job.params["dry_run"], job.created_by) == (
        "credit_figures_import",
        "done",
        True,
        user,
    )
    assert not Figures.objects.exists()
    job_page = client.get(job.get_absolute_url()).text
    assert 'id="import-changes"' in job_page
    assert "12345.60" in job_page
    assert reverse("archives:import_confirm", args=[job.pk]) in job_page
    assert reverse("credit:figures_import") in job_page  # back to the upload page
    assert job.subject in client.get(reverse("credit:figures_import")).text

    client.post(reverse("archives:import_confirm", args=[job.pk]))

    real = Job.objects.get(started_from=job)
    assert (real.status, real.params["dry_run"], real.result["created"]) == ("done", False, 1)
    figures = Figures.objects.get()
    assert figures.deposits == Decimal("12345.60")
    assert figures.history.get().history_user == user


def test_a_job_with_problems_lists_them_and_writes_nothing(world, media):
    client = login(world.corporate_finance)
    upload(client, good_extract(world, settlement_share="150"), dry_run=False)
    job = Job.objects.get()
    assert (job.error_count, job.errors[0]["row"], job.errors[0]["column"]) == (
        1,
        2,
        "结算占比(%)",
    )
    page = client.get(job.get_absolute_url()).text
    assert "百分数不能超过 100。" in page
    assert reverse("archives:import_confirm", args=[job.pk]) not in page
    assert not Figures.objects.exists()


def test_the_job_is_followed_by_the_importers_and_nobody_else(world, media):
    upload(login(world.credit_management), good_extract(world))
    job = Job.objects.get()
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:job", "jobs:status")]
    for persona in IMPORTERS:
        client = login(getattr(world, persona))
        assert [client.get(url).status_code for url in urls] == [200, 200], persona
    for persona in OTHERS:
        client = login(getattr(world, persona))
        assert [client.get(url).status_code for url in urls] == [404, 404], persona
        assert client.post(reverse("archives:import_confirm", args=[job.pk])).status_code == 404
    assert not Job.objects.filter(started_from=job).exists()


@pytest.mark.parametrize("persona", OTHERS)
def test_the_figures_import_is_404_for_everyone_else(world, media, persona):
    client = login(getattr(world, persona))
    assert client.get(reverse("credit:figures_import")).status_code == 404
    assert client.get(reverse("credit:figures_template")).status_code == 404
    assert upload(client, good_extract(world)).status_code == 404
    assert not Job.objects.exists()


def test_the_departments_still_cannot_use_head_offices_own_imports(world, media):
    """The permission is the kind's: the archive and balance imports stay head office's."""
    client = login(world.corporate_finance)
    for name in ("archives:import_upload", "archives:balances_import"):
        assert client.get(reverse(name)).status_code == 404
    archive_job = Job.objects.create(
        kind="balances_import",
        subject="余额.xlsx",
        params={"dry_run": True},
        status=Job.Status.DONE,
        input_file="imports/x.xlsx",
        created_by=world.head_office,
    )
    confirm = reverse("archives:import_confirm", args=[archive_job.pk])
    assert client.post(confirm).status_code == 404
    assert not Job.objects.filter(started_from=archive_job).exists()


# --- the command ------------------------------------------------------------------------


def test_the_command_lists_problems_in_chinese_exits_non_zero_and_imports_a_good_file(
    world, tmp_path
):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good_extract(world, deposits="-1", credit_cards="很多"))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_credit_figures", str(bad), stdout=out)
    assert error.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert "日均存款" in lines[0]
    assert "不能为负数。" in lines[0]
    assert "信用卡发卡数" in lines[1]
    assert "整数" in lines[1]
    assert str(error.value) == "未导入任何数据：有 1 行存在问题。"
    assert not Figures.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(good_extract(world))
    out = io.StringIO()
    call_command("import_credit_figures", str(good), "--dry-run", stdout=out)
    assert "新增 1" in out.getvalue()
    assert not Figures.objects.exists()
    call_command("import_credit_figures", str(good), "--user", "corp_finance", stdout=out)
    figures = Figures.objects.get()
    assert figures.deposits == Decimal("52000000.00")
    assert figures.history.get().history_user == world.corporate_finance


def test_the_dry_run_gives_the_file_back_with_each_change_and_problem_on_its_cell(world, media):
    period = last_month()
    on_file(world.company_1, period=period)
    client = login(world.head_office)
    rows = [
        line(world.company_1, period=f"{period:%Y-%m}", deposits="350000"),
        line(world.company_2, period=f"{period:%Y-%m}", payroll_headcount="-1"),
    ]
    upload(
        client,
        extract(rows, columns=["key", "customer_name", "period", "deposits", "payroll_headcount"]),
    )
    job = Job.objects.get()
    assert job.error_count == 1

    response = client.get(reverse("jobs:file", args=[job.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))[imports.SHEET]
    headers = [c.value for c in ws[1]]
    deposits = ws.cell(row=2, column=headers.index("日均存款") + 1)
    assert "300000.00 → 350000.00" in deposits.comment.text
    headcount = ws.cell(row=3, column=headers.index("代发工资人数") + 1)
    assert "不能为负数。" in headcount.comment.text
    assert not Figures.objects.filter(deposits=Decimal("350000")).exists()
