"""Importing archives from XLSX/CSV: row-by-row problems, all or nothing, re-import, jobs and pages."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from archives import imports, sheets
from archives.imports import files
from archives.models import Customer, CustomerType, FamilyMember, Role
from jobs.models import Job
from tests.builders import credit_code, make_member, resident_id, wrong_check_digit
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
H = {c.name: c.header for c in sheets.CUSTOMER_COLUMNS}  # field name -> Chinese header
M = {c.name: c.header for c in sheets.MEMBER_COLUMNS}


def row(where, **fields):
    """One customer row of the file, keyed by field name, as a person would fill it in."""
    values = {
        "customer_type": "一般农户",
        "village": where.code,
        "name": "赵大海",
        "id_number": resident_id("19750315"),
        "phone": "13812345678",
        "credit_record": "良好",
        "household_income": "60000",
        "form_collected": "是",
    }
    values.update(fields)
    return values


def xlsx(rows, members=None, *, columns=None):
    """An .xlsx file with the customer sheet and, if given, the family sheet."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheets.CUSTOMER_SHEET
    names = columns or list(dict.fromkeys(n for r in rows for n in r))
    ws.append([H[n] for n in names])
    for r in rows:
        ws.append([r.get(n) for n in names])
    if members is not None:
        ms = workbook.create_sheet(sheets.MEMBER_SHEET)
        member_names = list(dict.fromkeys(n for m in members for n in m))
        ms.append([M[n] for n in member_names])
        for m in members:
            ms.append([m.get(n) for n in member_names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, *, user=None, dry_run=False, filename="档案.xlsx", chunk=imports.CHUNK):
    return imports.import_archive(
        io.BytesIO(data),
        filename=filename,
        user=user,
        today=TODAY,
        now=timezone.now(),
        dry_run=dry_run,
        chunk=chunk,
    )


def problems(result):
    return [(p.sheet, p.row, p.column) for p in result.problems]


def test_a_hundred_rows_with_three_bad_ones_write_nothing_and_list_exactly_those(world):
    rows = [
        row(world.village_a, name=f"村民{i}", id_number=resident_id("19800101")) for i in range(100)
    ]
    rows[9]["id_number"] = wrong_check_digit(rows[9]["id_number"])
    rows[49]["phone"] = "12812345678"
    rows[76]["village"] = "NO-SUCH-VILLAGE"
    before = Customer.objects.count()

    result = run(xlsx(rows), user=world.head_office, chunk=30)

    assert problems(result) == [
        ("客户", 11, "身份证号"),
        ("客户", 51, "手机号"),
        ("客户", 78, "行政村编码"),
    ]
    messages = [p.message for p in result.problems]
    assert "校验位" in messages[0]
    assert "11" in messages[1]
    assert "NO-SUCH-VILLAGE" in messages[2]
    assert result.error_rows == 3
    assert result.created == 97  # what would have been new: counted, not written
    assert not result.written
    assert Customer.objects.count() == before


def test_a_dry_run_counts_but_writes_nothing(world):
    data = xlsx(
        [
            row(world.village_a),
            row(world.village_a, name="钱二", id_number=world.customer_a.id_number),
        ]
    )
    result = run(data, user=world.head_office, dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.error_rows) == (1, 1, 0, 0)
    assert not result.written
    assert not Customer.objects.filter(name__in=["赵大海", "钱二"]).exists()
    assert world.customer_a.history.count() == 1  # only its creation


def test_a_new_customer_gets_the_form_values_the_birth_date_and_the_importer(world):
    data = xlsx(
        [
            row(
                world.village_a,
                group="二组",
                main_income="种养殖",
                has_deposit_account="Y",
                ebanking_products="福卡、手机银行, POS机",
                letter_delivered="1",
                archived_on=datetime.date(2025, 12, 1),
            )
        ]
    )
    result = run(data, user=world.head_office)
    assert result.written
    assert result.created == 1
    customer = Customer.objects.get(name="赵大海")
    assert customer.village == world.village_a
    assert customer.group.name == "二组"
    assert customer.customer_type == CustomerType.HOUSEHOLD
    assert customer.birth_date == datetime.date(1975, 3, 15)
    assert customer.main_income == "farming"
    assert customer.has_deposit_account
    assert customer.letter_delivered
    assert customer.form_collected
    assert customer.ebanking_products == ["fuka", "mobile_banking", "pos"]
    assert customer.archived_on == datetime.date(2025, 12, 1)
    assert customer.filed_by == world.head_office
    assert customer.history.get().history_user == world.head_office


@pytest.mark.parametrize(
    "label", ["一般农户", "一般农户（含外出务工人员）", "一般农户(含外出务工人员)", "household"]
)
def test_customer_type_accepts_the_label_the_short_form_and_the_code(world, label):
    result = run(xlsx([row(world.village_a, customer_type=label)]), dry_run=True)
    assert result.ok
    assert result.created == 1


def test_reimport_updates_instead_of_duplicating_and_keeps_the_history(world):
    customer = world.customer_a
    data = xlsx(
        [
            row(
                world.village_a,
                name=customer.name,
                id_number=customer.id_number,
                phone="13900002222",
            )
        ]
    )
    count = Customer.objects.count()

    result = run(data, user=world.head_office)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Customer.objects.count() == count
    customer.refresh_from_db()
    assert customer.phone == "13900002222"
    assert str(customer.household_income) == "60000.00"
    change = customer.history.get(history_type="~")
    assert change.history_user == world.head_office
    assert "档案.xlsx" in change.history_change_reason
    assert change.phone == "13900002222"

    again = run(data, user=world.head_office)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert customer.history.filter(history_type="~").count() == 1  # nothing new to record


def test_a_column_left_out_keeps_what_is_on_file(world):
    customer = world.customer_a
    customer.address = "王家湾12号"
    customer.save()
    data = xlsx([row(world.village_a, name=customer.name, id_number=customer.id_number)])
    assert run(data, user=world.head_office).updated == 1
    customer.refresh_from_db()
    assert customer.address == "王家湾12号"


def test_organisations_are_matched_by_credit_code(world):
    code = credit_code()
    coop = {
        "customer_type": "合作社",
        "village": world.village_b.code,
        "name": "红安县茶叶专业合作社",
        "credit_code": code,
        "member_count": 35,
        "registered_capital": 500000,
    }
    assert run(xlsx([coop]), user=world.head_office).created == 1
    assert run(xlsx([{**coop, "member_count": 40}]), user=world.head_office).updated == 1
    saved = Customer.objects.get(credit_code=code)
    assert saved.customer_type == CustomerType.COOPERATIVE
    assert saved.member_count == 40


def test_the_same_id_twice_in_the_file_is_a_problem_on_the_second_row(world):
    number = resident_id("19900101")
    data = xlsx(
        [
            row(world.village_a, id_number=number),
            row(world.village_b, name="重复", id_number=number),
        ]
    )
    result = run(data, user=world.head_office)
    assert problems(result) == [("客户", 3, "身份证号")]
    assert "2" in result.problems[0].message
    assert not Customer.objects.filter(id_number=number).exists()


def test_bad_cells_are_reported_under_their_columns(world):
    data = xlsx(
        [
            row(world.village_a, customer_type="大户人家"),
            row(world.village_a, credit_record="很好"),
            row(world.village_a, form_collected="也许"),
            row(world.village_a, group="九组"),
            row(world.village_a, registered_capital="100000"),
            row(world.village_a, household_income="-1"),
            row(world.village_a, ebanking_products="福卡、、飞机卡"),
        ]
    )
    result = run(data, dry_run=True)
    assert problems(result) == [
        ("客户", 2, "客户类型"),
        ("客户", 3, "信用记录"),
        ("客户", 4, "已填采集表"),
        ("客户", 5, "村民小组"),
        ("客户", 6, "注册资本（元）"),
        ("客户", 7, "家庭年收入（元）"),
        ("客户", 8, "已用电子银行产品"),
    ]
    assert "良好" in result.problems[1].message  # lists the accepted values
    assert result.problems[5].message  # the form's own message
    assert "飞机卡" in result.problems[6].message


def test_an_unknown_column_is_a_problem_of_the_header_row(world):
    workbook = Workbook()
    workbook.active.append([H["customer_type"], H["village"], H["name"], H["id_number"], "备注栏"])
    workbook.active.append(["一般农户", world.village_a.code, "赵大海", resident_id(), "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(buffer.getvalue(), dry_run=True)
    assert problems(result) == [(workbook.active.title, 1, "备注栏")]


@pytest.mark.parametrize("header", ["存款余额（元）", "贷款余额", "loan_balance"])
def test_a_balance_column_is_refused_and_nothing_is_written(world, header):
    """Balances have one source (DOMAIN.md §7): the archive import does not take them."""
    customer = world.customer_a
    before = (customer.deposit_balance, customer.loan_balance)
    workbook = Workbook()
    workbook.active.append([H["customer_type"], H["village"], H["name"], H["id_number"], header])
    workbook.active.append(
        ["一般农户", world.village_a.code, customer.name, customer.id_number, "99999"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(buffer.getvalue(), user=world.head_office)
    assert not result.written
    assert problems(result) == [(workbook.active.title, 1, header)]
    assert "余额" in result.problems[0].message
    assert "核心" in result.problems[0].message
    customer.refresh_from_db()
    assert (customer.deposit_balance, customer.loan_balance) == before


def test_the_template_has_no_balance_column():
    from archives.imports.template import build_template

    headers = [c.value for c in next(load_workbook(io.BytesIO(build_template())).active.rows)]
    assert H["name"] in headers
    assert H["deposit_balance"] not in headers
    assert H["loan_balance"] not in headers


def test_an_id_number_typed_as_a_number_is_refused_and_a_mobile_number_is_read_exactly(world):
    data = xlsx([row(world.village_a, id_number=421122198801011228, phone=13812345678)])
    result = run(data, dry_run=True)
    assert problems(result) == [("客户", 2, "身份证号")]
    assert "15" in result.problems[0].message  # says why: a number cell keeps 15 digits


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (421122198801011228, "421122198801011228"),  # an integer cell is exact
        (13812345678.0, "13812345678"),  # a whole float below 15 digits is exact
        (" 42112219880101122X ", "42112219880101122X"),
    ],
)
def test_identifier_cells_are_read_exactly(cell, text):
    assert files.identifier(cell) == text


@pytest.mark.parametrize(
    ("cell", "text"),
    [(0.1 + 0.2, "0.3"), (1234.5600000000002, "1234.56"), (60000.0, "60000"), ("  甲 ", "甲")],
)
def test_number_cells_read_as_excel_shows_them(cell, text):
    assert files.text(cell) == text


def test_identifier_cells_that_lost_digits_are_refused():
    with pytest.raises(ValueError, match="15"):
        files.identifier(4.211221988010112e17)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gbk_imports(world, encoding):
    r = row(world.village_a, name="孙小梅")
    text = ",".join(H[n] for n in r) + "\r\n" + ",".join(str(v) for v in r.values()) + "\r\n"
    result = run(text.encode(encoding), filename="档案.csv", user=world.head_office)
    assert result.ok
    assert result.written
    assert Customer.objects.get(name="孙小梅").village == world.village_a


def test_family_members_of_a_new_and_of_an_updated_household(world):
    old_member = make_member(world.customer_a, name="旧成员", relation="child")
    kept = make_member(world.customer_a, name="钱小红", relation="spouse", phone="13700001111")
    new_id = resident_id("19750315")
    data = xlsx(
        [
            row(world.village_a, id_number=new_id),
            row(world.village_a, name=world.customer_a.name, id_number=world.customer_a.id_number),
        ],
        members=[
            {
                "household": new_id,
                "name": "赵小海",
                "relation": "子女",
                "works_away": "是",
                "away_location": "武汉",
            },
            {
                "household": new_id,
                "name": "钱小花",
                "relation": "配偶",
                "id_number": resident_id("19780601"),
            },
            {
                "household": world.customer_a.id_number,
                "name": "钱小红",
                "relation": "配偶",
                "phone": "13700002222",
            },
        ],
    )
    result = run(data, user=world.head_office)
    assert result.ok, result.problems
    household = Customer.objects.get(id_number=new_id)
    away = household.members.get(name="赵小海")
    assert away.works_away
    assert away.away_location == "武汉"
    assert household.members.get(name="钱小花").birth_date == datetime.date(1978, 6, 1)
    assert list(world.customer_a.members.values_list("pk", "phone")) == [(kept.pk, "13700002222")]
    gone = FamilyMember.history.get(id=old_member.pk, history_type="-")
    assert gone.history_user == world.head_office
    assert kept.history.get(history_type="~").history_user == world.head_office


def test_family_rows_are_checked_by_the_member_form(world):
    number = resident_id()
    data = xlsx(
        [row(world.village_a, id_number=number)],
        members=[
            {"household": number, "name": "赵小海", "relation": "子女", "works_away": "是"},
            {"household": resident_id(), "name": "无主", "relation": "其他"},
            {"household": number, "name": "钱小花", "relation": "表亲"},
        ],
    )
    result = run(data, dry_run=True)
    assert problems(result) == [
        ("家庭成员", 2, "务工地点"),
        ("家庭成员", 3, "户主证件号"),
        ("家庭成员", 4, "关系"),
    ]


def test_family_rows_of_a_household_whose_row_failed_are_not_reported_again(world):
    number = resident_id()
    data = xlsx(
        [row(world.village_a, id_number=number, village="NO-SUCH-VILLAGE")],
        members=[{"household": number, "name": "赵小海", "relation": "子女"}],
    )
    assert problems(run(data, dry_run=True)) == [("客户", 2, "行政村编码")]


def test_the_command_prints_the_problems_and_exits_non_zero(world, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx([row(world.village_a), row(world.village_a, name="错号", id_number="123")])
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_archives", str(bad), "--user", "head_office", stdout=out)
    assert error.value.returncode == 1  # manage.py exits with this status
    lines = out.getvalue().splitlines()
    assert "3" in lines[0]
    assert "身份证号" in lines[0]
    assert "18" in lines[0]
    assert len(lines) == 2  # the one problem, then the counts
    assert not Customer.objects.filter(name="赵大海").exists()


def test_the_command_imports_a_good_file_as_the_given_user(world, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(world.village_a)]))
    out = io.StringIO()
    call_command("import_archives", str(good), "--dry-run", stdout=out)
    assert not Customer.objects.filter(name="赵大海").exists()
    call_command("import_archives", str(good), "--user", "head_office", stdout=out)
    assert Customer.objects.get(name="赵大海").filed_by == world.head_office
    with pytest.raises(CommandError):
        call_command("import_archives", str(good), "--user", "nobody", stdout=out)


# --- pages and jobs --------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, data, *, name="档案.xlsx", dry_run=True):
    post = {"file": _named(data, name)}
    if dry_run:
        post["dry_run"] = "on"
    return client.post(reverse("archives:import_upload"), post)


def _named(data, name):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_a_dry_run_job_then_its_confirmation_import_the_file(world, media):
    client = login(world.head_office)
    page = client.get(reverse("archives:import_upload"))
    assert page.status_code == 200
    assert reverse("archives:import_template") in page.text
    assert 'accept=".xlsx,.csv"' in page.text
    assert 'name="dry_run"' in page.text
    assert "checked" in page.text

    response = upload(client, xlsx([row(world.village_a)]))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert (job.status, job.params["dry_run"], job.result["created"], job.done) == (
        "done",
        True,
        1,
        1,
    )
    assert not Customer.objects.filter(name="赵大海").exists()
    page = client.get(job.get_absolute_url())
    confirm = reverse("archives:import_confirm", args=[job.pk])
    assert confirm in page.text
    assert 'class="progress"' in page.text
    assert '<progress class="progress" max="100" value="100">' in page.text

    response = client.post(confirm)
    real = Job.objects.get(started_from=job)
    assert response.url == real.get_absolute_url()
    assert (real.status, real.params["dry_run"], real.result["created"]) == ("done", False, 1)
    assert Customer.objects.get(name="赵大海").history.get().history_user == world.head_office
    assert (
        client.post(confirm).url == real.get_absolute_url()
    )  # a second click imports nothing more
    assert Job.objects.count() == 2


def test_an_upload_without_dry_run_imports_at_once(world, media):
    response = upload(login(world.head_office), xlsx([row(world.village_a)]), dry_run=False)
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.params["dry_run"], job.result["created"]) == ("done", False, 1)
    assert Customer.objects.get(name="赵大海").filed_by == world.head_office


def test_a_job_with_problems_shows_the_table_and_no_confirm_button(world, media):
    client = login(world.head_office)
    upload(client, xlsx([row(world.village_a, phone="123")]))
    job = Job.objects.get()
    assert (job.error_count, job.errors[0]["row"], job.errors[0]["column"]) == (1, 2, "手机号")
    page = client.get(job.get_absolute_url())
    assert 'id="import-errors"' in page.text
    assert "手机号" in page.text
    assert reverse("archives:import_confirm", args=[job.pk]) not in page.text
    status = client.get(reverse("jobs:status", args=[job.pk]))
    assert status.text.lstrip().startswith('<section class="card" id="job-status"')
    assert "<html" not in status.text
    assert client.post(reverse("archives:import_confirm", args=[job.pk])).status_code == 302
    assert Job.objects.count() == 1


def test_a_running_job_page_polls_its_status(world, media):
    job = Job.objects.create(
        input_file="imports/x.xlsx",
        subject="x.xlsx",
        kind="archive_import",
        created_by=world.head_office,
        status=Job.Status.RUNNING,
        total=200,
        done=50,
    )
    page = login(world.head_office).get(job.get_absolute_url())
    assert 'data-running="true"' in page.text
    assert '<progress class="progress" max="100" value="25">' in page.text
    assert "js/job_progress." in page.text  # hashed name under manifest storage


def test_an_unreadable_file_fails_the_job_with_a_reason(world, media):
    upload(login(world.head_office), b"not a workbook")
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message


@pytest.mark.parametrize("persona", ["manager_a", "branch_head", "section_chief", "leader"])
def test_import_pages_are_404_for_everyone_but_head_office(world, media, persona):
    job = Job.objects.create(
        input_file="imports/x.xlsx",
        subject="x.xlsx",
        kind="archive_import",
        created_by=world.head_office,
    )
    client = login(getattr(world, persona))
    for url in (
        reverse("archives:import_upload"),
        reverse("archives:import_template"),
        job.get_absolute_url(),
        reverse("jobs:status", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("archives:import_confirm", args=[job.pk])).status_code == 404
    assert upload(client, xlsx([row(world.village_a)])).status_code == 404
    assert Job.objects.count() == 1
    assert "导入档案" not in client.get("/").text
    assert reverse("archives:import_upload") not in client.get("/").text


def test_head_office_sees_the_import_link_in_the_menu(world):
    assert world.head_office.role == Role.HEAD_OFFICE
    assert reverse("archives:import_upload") in login(world.head_office).get("/").text


def test_the_template_documents_every_column_and_its_example_row_imports(world):
    response = login(world.head_office).get(reverse("archives:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["客户", "家庭成员", "说明", sheets.LISTS_SHEET]
    assert [c.value for c in workbook["客户"][1]] == [c.header for c in sheets.IMPORT_COLUMNS]
    assert [c.value for c in workbook["家庭成员"][1]] == [c.header for c in sheets.MEMBER_COLUMNS]
    documented = {r[1] for r in workbook["说明"].iter_rows(values_only=True)}
    assert {c.header for c in sheets.IMPORT_COLUMNS + sheets.MEMBER_COLUMNS} <= documented
    result = run(response.content, dry_run=True)
    assert result.ok, result.problems
    assert result.created == 1


def test_the_docs_describe_every_column():
    text = (Path(__file__).resolve().parents[2] / "docs" / "import-template.md").read_text()
    for column in sheets.IMPORT_COLUMNS + sheets.MEMBER_COLUMNS:
        assert column.header in text, column.header


def test_every_choice_has_a_chinese_label_and_every_survey_field_a_column():
    for choices, labels in sheets.CHOICE_LABELS.items():
        assert set(labels) == set(choices.values), choices
    assert set(sheets.CUSTOMER_HEADERS) == {c.name for c in sheets.CUSTOMER_COLUMNS}
