"""Balances from the core-banking extract, their one source: all or nothing, history, read only elsewhere."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from archives import balances
from archives.models import Customer, CustomerType
from jobs.models import Job
from tests.builders import make_customer, resident_id, wrong_check_digit
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)
H = {c.name: c.header for c in balances.COLUMNS}  # column name -> Chinese header


def line(customer, **cells):
    """One row of the extract for a customer on file, as the core-banking system writes it."""
    values = {
        "key": customer.id_number or customer.credit_code,
        "customer_name": customer.name,
        "deposit_balance": "12,345.60",
        "loan_balance": 50000,
        "deposit_maturity": datetime.date(2027, 3, 1),
        "loan_maturity": "2027/06/30",
        "interest_due_on": "2026-12-20",
        "balances_as_of": "2026-11-29",
    }
    values.update(cells)
    return values


def extract(rows, *, columns=None, sheet=balances.SHEET):
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    names = columns or list(dict.fromkeys(n for r in rows for n in r))
    ws.append([H[n] for n in names])
    for r in rows:
        ws.append([r.get(n) for n in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, *, user=None, dry_run=False, filename="余额.xlsx", chunk=balances.CHUNK):
    return balances.import_balances(
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


@pytest.fixture
def twenty(world):
    return [
        make_customer(world.village_a, name=f"村民{i}", id_number=resident_id("19800101"))
        for i in range(20)
    ]


def test_twenty_rows_with_three_bad_ones_write_nothing_and_list_exactly_those(world, twenty):
    rows = [line(c) for c in twenty]
    rows[4]["key"] = resident_id("19700101")  # a valid number nobody on file has
    rows[9]["loan_balance"] = "五万"
    rows[15]["deposit_balance"] = "-100"

    result = run(extract(rows), user=world.head_office, chunk=7)

    assert problems(result) == [
        ("余额", 6, "证件号码"),
        ("余额", 11, "贷款余额"),
        ("余额", 17, "存款余额"),
    ]
    messages = [p.message for p in result.problems]
    assert "没有" in messages[0] or "No customer" in messages[0]
    assert messages[1] == "输入一个数字。"
    assert messages[2] == "不能为负数。"
    assert (result.error_rows, result.updated) == (3, 17)
    assert not result.written
    assert not Customer.objects.filter(deposit_balance__gt=0).exists()
    assert all(c.history.count() == 1 for c in twenty)


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"deposit_maturity": "2027-13-01"}, "定期存款到期日", "2024-03-01"),
        ({"interest_due_on": "下个月"}, "下次付息日", "2024-03-01"),
        ({"balances_as_of": "2026-12-01"}, "数据日期", ""),
        ({"balances_as_of": ""}, "数据日期", "此项为必填项。"),
        ({"deposit_balance": "1.234"}, "存款余额", "2"),
        ({"key": 421122198001010011}, "证件号码", ""),
        ({"key": 4.21122198001e17}, "证件号码", "15"),
        ({"key": ""}, "证件号码", "此项为必填项。"),
    ],
)
def test_each_bad_cell_is_a_problem_under_its_column(world, cells, column, message):
    customer = world.customer_a
    result = run(extract([line(customer, **cells)]), dry_run=True)
    assert problems(result) == [("余额", 2, column)]
    assert message in result.problems[0].message


def test_a_dry_run_counts_but_writes_nothing(world):
    result = run(extract([line(world.customer_a), line(world.customer_b)]), dry_run=True)
    assert (result.updated, result.unchanged, result.error_rows) == (2, 0, 0)
    assert not result.written
    world.customer_a.refresh_from_db()
    assert world.customer_a.deposit_balance == 0
    assert world.customer_a.history.count() == 1


def test_import_updates_balances_and_dates_and_keeps_the_history(world):
    result = run(extract([line(world.customer_a)]), user=world.head_office)
    assert result.written
    assert (result.updated, result.unchanged) == (1, 0)
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert customer.deposit_balance == Decimal("12345.60")
    assert customer.loan_balance == Decimal("50000")
    assert customer.deposit_maturity == datetime.date(2027, 3, 1)
    assert customer.loan_maturity == datetime.date(2027, 6, 30)
    assert customer.interest_due_on == datetime.date(2026, 12, 20)
    assert customer.balances_as_of == datetime.date(2026, 11, 29)
    record = customer.history.first()
    assert record.history_user == world.head_office
    assert record.history_type == "~"
    assert "余额.xlsx" in record.history_change_reason
    assert record.prev_record.deposit_balance == 0
    assert record.name == customer.name  # the record is the whole customer, not just balances


def test_reimporting_the_same_file_changes_nothing_and_a_new_extract_updates(world):
    data = extract([line(world.customer_a), line(world.customer_b)])
    run(data, user=world.head_office)
    again = run(data, user=world.head_office)
    assert (again.updated, again.unchanged) == (0, 2)
    assert world.customer_a.history.count() == 2
    newer = run(
        extract(
            [
                line(world.customer_a, deposit_balance="9000", balances_as_of="2026-11-30"),
                line(world.customer_b),
            ]
        ),
        user=world.head_office,
    )
    assert (newer.updated, newer.unchanged) == (1, 1)
    assert Customer.objects.get(pk=world.customer_a.pk).deposit_balance == Decimal("9000")


def test_an_extract_older_than_the_balances_on_file_is_refused(world):
    run(extract([line(world.customer_a, balances_as_of="2026-11-29")]))
    result = run(extract([line(world.customer_a, balances_as_of="2026-11-01")]), dry_run=True)
    assert problems(result) == [("余额", 2, "数据日期")]
    assert "2026-11-29" in result.problems[0].message


def test_blank_cells_and_a_column_left_out_keep_what_is_on_file(world):
    customer = world.customer_a
    Customer.objects.filter(pk=customer.pk).update(
        deposit_balance=Decimal("500"),
        loan_balance=Decimal("800"),
        loan_maturity=datetime.date(2027, 1, 1),
    )
    data = extract(
        [{"key": customer.id_number, "deposit_balance": None, "balances_as_of": "2026-11-29"}],
        columns=["key", "deposit_balance", "balances_as_of"],
    )
    result = run(data)
    assert result.ok
    customer.refresh_from_db()
    assert customer.deposit_balance == Decimal("500")
    assert (customer.loan_balance, customer.loan_maturity) == (
        Decimal("800"),
        datetime.date(2027, 1, 1),
    )
    assert [(c.column, c.old, c.new) for c in result.changes] == [
        (H["balances_as_of"], "", "2026-11-29")
    ]


def test_qing_kong_clears_an_amount_to_zero_and_a_date_to_none_but_not_the_data_date(world):
    customer = world.customer_a
    Customer.objects.filter(pk=customer.pk).update(
        loan_balance=Decimal("800"), loan_maturity=datetime.date(2027, 1, 1)
    )
    cleared = line(customer, loan_balance="清空", loan_maturity="清空", deposit_balance=None)
    result = run(extract([cleared]), dry_run=True)
    assert result.ok, result.problems
    assert {(c.subject, c.column, c.old, c.new) for c in result.changes} >= {
        (customer.name, H["loan_balance"], "800.00", "0"),
        (customer.name, H["loan_maturity"], "2027-01-01", ""),
    }
    run(extract([cleared]))
    customer.refresh_from_db()
    assert (customer.loan_balance, customer.loan_maturity) == (0, None)

    refused = run(extract([line(customer, balances_as_of="清空")]))
    assert problems(refused) == [("余额", 2, "数据日期")]
    assert "清空" in refused.problems[0].message


def test_organisations_are_matched_by_credit_code_never_by_their_representative(world):
    representative = resident_id("19700101")
    co_op = make_customer(
        world.village_a,
        customer_type=CustomerType.COOPERATIVE,
        name="茶叶合作社",
        id_number=representative,
    )
    assert run(extract([line(co_op, key=co_op.credit_code)])).ok
    co_op.refresh_from_db()
    assert co_op.deposit_balance == Decimal("12345.60")
    result = run(extract([line(co_op, key=representative)]), dry_run=True)
    assert problems(result) == [("余额", 2, "证件号码")]


def test_the_same_customer_twice_and_unknown_columns_are_problems(world):
    rows = [line(world.customer_a), line(world.customer_a)]
    result = run(extract(rows), dry_run=True)
    assert problems(result) == [("余额", 3, "证件号码")]
    assert "2" in result.problems[0].message

    workbook = Workbook()
    ws = workbook.active
    ws.append(["证件号码", "存款金额", "数据日期"])
    ws.append([world.customer_a.id_number, "1", "2026-11-29"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(buffer.getvalue(), dry_run=True)
    assert problems(result) == [(ws.title, 1, "存款金额"), (ws.title, 1, "")]


def test_a_wrong_check_digit_is_an_unknown_customer(world):
    key = wrong_check_digit(world.customer_a.id_number)
    result = run(extract([line(world.customer_a, key=key)]), dry_run=True)
    assert problems(result) == [("余额", 2, "证件号码")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gbk_imports(world, encoding):
    text = (
        "证件号码,客户名称,存款余额,数据日期\n"
        + f"{world.customer_a.id_number},王大山,300,2026-11-29\n"
    )
    result = run(text.encode(encoding), filename="余额.csv")
    assert result.ok, result.problems
    assert Customer.objects.get(pk=world.customer_a.pk).deposit_balance == Decimal("300")


# --- command ------------------------------------------------------------------------------


def test_the_command_lists_problems_exits_non_zero_and_imports_a_good_file(world, tmp_path):
    bad = tmp_path / "bad.xlsx"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    bad.write_bytes(extract([line(world.customer_a, loan_balance="-1", balances_as_of=yesterday)]))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_balances", str(bad), stdout=out)
    assert error.value.returncode == 1
    assert "贷款余额" in out.getvalue().splitlines()[0]

    good = tmp_path / "good.xlsx"
    good.write_bytes(extract([line(world.customer_a, balances_as_of=yesterday)]))
    call_command("import_balances", str(good), "--dry-run", stdout=out)
    assert Customer.objects.get(pk=world.customer_a.pk).deposit_balance == 0
    call_command("import_balances", str(good), "--user", "head_office", stdout=out)
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert customer.deposit_balance == Decimal("12345.60")
    assert customer.history.first().history_user == world.head_office


# --- pages and jobs -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, data, *, dry_run=True):
    f = io.BytesIO(data)
    f.name = "余额.xlsx"
    post = {"file": f}
    if dry_run:
        post["dry_run"] = "on"
    return client.post(reverse("archives:balances_import"), post)


def _good_extract(world):
    # The page runs with the real date: a data date of yesterday is never in the future.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return extract([line(world.customer_a, balances_as_of=yesterday)])


def test_a_dry_run_job_then_its_confirmation_import_the_balances(world, media):
    client = login(world.head_office)
    page = client.get(reverse("archives:balances_import"))
    assert reverse("archives:balances_template") in page.text
    response = upload(client, _good_extract(world))
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.kind, job.status, job.params["dry_run"], job.result["updated"]) == (
        "balances_import",
        "done",
        True,
        1,
    )
    assert Customer.objects.get(pk=world.customer_a.pk).deposit_balance == 0
    job_page = client.get(job.get_absolute_url()).text
    assert reverse("archives:balances_import") in job_page

    client.post(reverse("archives:import_confirm", args=[job.pk]))
    real = Job.objects.get(started_from=job)
    assert (real.kind, real.status, real.params["dry_run"], real.result["updated"]) == (
        "balances_import",
        "done",
        False,
        1,
    )
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert customer.deposit_balance == Decimal("12345.60")
    assert customer.history.first().history_user == world.head_office
    # The archive import page lists archive jobs only.
    assert job.subject not in client.get(reverse("archives:import_upload")).text


def test_a_balance_job_with_problems_lists_them_and_writes_nothing(world, media):
    client = login(world.head_office)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    bad = extract([line(world.customer_a, deposit_balance="-5", balances_as_of=yesterday)])
    upload(client, bad, dry_run=False)
    job = Job.objects.get()
    assert (job.error_count, job.errors[0]["row"], job.errors[0]["column"]) == (1, 2, "存款余额")
    assert "不能为负数。" in client.get(job.get_absolute_url()).text
    assert Customer.objects.get(pk=world.customer_a.pk).history.count() == 1


@pytest.mark.parametrize("persona", ["manager_a", "branch_head", "section_chief", "leader"])
def test_balance_import_is_404_for_everyone_but_head_office(world, media, persona):
    client = login(getattr(world, persona))
    assert client.get(reverse("archives:balances_import")).status_code == 404
    assert upload(client, _good_extract(world)).status_code == 404
    assert not Job.objects.exists()
    assert reverse("archives:balances_import") not in client.get("/").text


def test_the_template_and_the_docs_describe_every_column(world):
    response = login(world.head_office).get(reverse("archives:balances_template"))
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["余额", "说明"]
    assert [c.value for c in workbook["余额"][1]] == [c.header for c in balances.COLUMNS]
    documented = {r[0] for r in workbook["说明"].iter_rows(values_only=True)}
    assert {c.header for c in balances.COLUMNS} <= documented
    docs = (Path(__file__).resolve().parents[2] / "docs" / "balances-template.md").read_text()
    for column in balances.COLUMNS:
        assert column.header in docs, column.header
    # The template as downloaded, filled with one row, imports.
    ws = workbook["余额"]
    ws.append([line(world.customer_a)[c.name] for c in balances.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(buffer.getvalue(), dry_run=True).ok


# --- balances have one source: the core-banking import (DOMAIN.md §7) --------------------


def survey_post(customer, **fields):
    """The survey form of a household as its edit page posts it, with `fields` added."""
    data = {
        "name": customer.name,
        "id_number": customer.id_number,
        "credit_record": "good",
        "main_income": "farming",
        "household_income": "60000",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
    }
    data.update(fields)
    return data


A_MANAGERS_BALANCES = {
    "deposit_balance": "5000000",
    "loan_balance": "3000000",
    "deposit_maturity": "2027-01-15",
    "loan_maturity": "2027-02-01",
    "interest_due_on": "2026-12-01",
    "balances_as_of": "2026-11-30",
}


def old_balance_page(customer):
    """Where the per-customer balance form was, under the customer's page."""
    return reverse("archives:customer", args=[customer.pk]) + "balances/"


def balances_of(customer):
    customer = Customer.objects.get(pk=customer.pk)
    return {name: getattr(customer, name) for name in balances.BALANCE_FIELDS}


@pytest.mark.parametrize("persona", ["manager_a", "branch_head", "head_office"])
def test_the_survey_form_shows_balances_read_only_and_a_post_of_them_changes_nothing(
    world, persona
):
    run(extract([line(world.customer_a)]), user=world.head_office)
    imported = balances_of(world.customer_a)
    client = login(getattr(world, persona))
    url = reverse("archives:customer_edit", args=[world.customer_a.pk])
    form = client.get(url).context["form"]
    for name in balances.BALANCE_FIELDS:
        assert form.fields[name].disabled, name
    page = client.get(url).text
    assert 'name="deposit_balance" value="12345.60"' in page
    assert "2027-03-01" in page

    response = client.post(url, survey_post(world.customer_a, **A_MANAGERS_BALANCES))
    assert response.status_code == 302
    assert balances_of(world.customer_a) == imported
    assert Customer.objects.get(pk=world.customer_a.pk).household_income == Decimal("60000")
    record = Customer.objects.get(pk=world.customer_a.pk).history.first()
    assert record.history_user == getattr(world, persona)
    assert record.deposit_balance == Decimal("12345.60")  # the history shows no balance change


def test_a_new_customer_filed_with_balances_has_none(world):
    client = login(world.manager_a)
    data = survey_post(Customer(name="新户", id_number=resident_id("19790101")), type="household")
    response = client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        {**data, **A_MANAGERS_BALANCES},
    )
    assert response.status_code == 302
    customer = Customer.objects.get(name="新户")
    assert (customer.deposit_balance, customer.loan_balance) == (0, 0)
    assert customer.balances_as_of is None
    assert customer.deposit_maturity is None


@pytest.mark.parametrize("persona", ["manager_a", "branch_head", "head_office", "manager_b"])
def test_no_page_edits_one_customers_balances_any_more(world, persona):
    client = login(getattr(world, persona))
    url = old_balance_page(world.customer_a)
    assert client.get(url).status_code == 404
    assert client.post(url, A_MANAGERS_BALANCES).status_code == 404
    assert balances_of(world.customer_a)["deposit_balance"] == 0
    page = client.get(world.customer_a.get_absolute_url()).text
    assert 'id="update-balances"' not in page


def test_a_managers_later_dated_balance_no_longer_makes_the_import_refuse_the_row(world):
    """The issue: a manager typed balances as of 11-30; the core-banking extract of 11-29 was refused."""
    manager = login(world.manager_a)
    manager.post(
        old_balance_page(world.customer_a),
        {**A_MANAGERS_BALANCES, "balances_as_of": timezone.localdate().isoformat()},
    )
    manager.post(
        reverse("archives:customer_edit", args=[world.customer_a.pk]),
        survey_post(world.customer_a, **A_MANAGERS_BALANCES),
    )
    result = run(extract([line(world.customer_a)]), user=world.head_office)
    assert problems(result) == []
    assert (result.updated, result.written) == (1, True)
    on_file = balances_of(world.customer_a)
    assert on_file["deposit_balance"] == Decimal("12345.60")
    assert on_file["balances_as_of"] == datetime.date(2026, 11, 29)


def test_a_survey_saved_while_an_import_wrote_keeps_the_imported_balances(world):
    client = login(world.manager_a)
    url = reverse("archives:customer_edit", args=[world.customer_a.pk])
    data = survey_post(world.customer_a)
    # The form was read before the import; its post arrives after it.
    stale = client.get(url).context["form"].initial
    assert stale["deposit_balance"] == 0
    run(extract([line(world.customer_a)]), user=world.head_office)
    assert client.post(url, data).status_code == 302
    assert balances_of(world.customer_a)["deposit_balance"] == Decimal("12345.60")
