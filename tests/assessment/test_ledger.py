"""The marketing ledger: import all or nothing keyed on staff number, re-import, lines by hand, scope."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from assessment import imports, ledger, pricing
from assessment.models import Month
from assessment.models.ledger import LedgerEntry, LedgerKind
from jobs.models import Job
from tests.conftest import login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)
NOVEMBER = datetime.date(2026, 11, 1)
H = {c.name: c.header for c in imports.COLUMNS}  # column name -> Chinese header
SHEET = imports.SHEET


def line(staff_no, kind="定期存款", **cells):
    """One row of the extract, as the core-banking system writes it."""
    values = {"staff_no": staff_no, "staff_name": "某人", "month": "2026-11", "kind": kind}
    values.update(cells)
    return values


def extract(rows, *, columns=None):
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    names = columns or list(H)
    ws.append([H[n] for n in names])
    for r in rows:
        ws.append([r.get(n) for n in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, *, user=None, dry_run=False, filename="台账.xlsx", today=TODAY, chunk=None):
    return imports.import_ledger(
        io.BytesIO(data),
        filename=filename,
        user=user,
        today=today,
        now=timezone.now(),
        dry_run=dry_run,
        **({"chunk": chunk} if chunk else {}),
    )


def problems(result):
    return [(p.sheet, p.row, p.column) for p in result.problems]


@pytest.fixture
def staff(world):
    """Staff numbers for the people of the world."""
    for number, person in (
        ("1001", world.manager_a),
        ("1002", world.manager_b),
        ("2001", world.branch_head),
        ("9001", world.head_office),
    ):
        person.staff_no = number
        person.save(update_fields=["staff_no"])
    return world


def twenty_rows():
    """Twenty good rows of two people: every money and counted item and three terminals."""
    rows = []
    for staff_no in ("1001", "1002"):
        rows += [
            line(staff_no, "定期存款", amount="300,000"),
            line(staff_no, "活期存款积数", amount=9000000),
            line(staff_no, "收回贷款本金", amount="50000.00"),
            line(staff_no, "收回贷款利息", amount=2800),
            line(staff_no, "福卡", count=3),
            line(staff_no, "VIP卡", count=1),
            line(staff_no, "个人网银/手机银行", count=4),
            line(staff_no, "企业网银", item_ref="红安某公司", avg_tx_count=2),
        ]
    rows += [
        line("1001", "卡乐付", item_ref="KLF-0001", avg_tx_count=6, avg_tx_amount=12000),
        line("1001", "卡乐付", item_ref="KLF-0002", avg_tx_count=3, avg_tx_amount="4,000"),
        line("1002", "特惠商户", item_ref="某某超市", avg_tx_count=12, avg_tx_amount=25000),
        line("1002", "POS", count=1),
    ]
    return rows


def test_twenty_rows_with_three_bad_ones_write_nothing_and_list_exactly_those(staff):
    rows = twenty_rows()
    assert len(rows) == 20
    rows[3]["staff_no"] = "7777"
    rows[9]["amount"] = "-100"
    rows[15]["kind"] = "贷记卡"

    result = run(extract(rows), user=staff.head_office, chunk=7)

    assert problems(result) == [(SHEET, 5, "工号"), (SHEET, 11, "金额"), (SHEET, 17, "项目")]
    messages = [p.message for p in result.problems]
    assert messages[0] == _("No staff member has staff number %(number)s.") % {"number": "7777"}
    assert messages[1] == "不能为负数。"
    assert messages[2].startswith("“贷记卡”不是可填的值")
    assert (result.error_rows, result.created, result.written) == (3, 17, False)
    assert not LedgerEntry.objects.exists()


def test_a_good_file_writes_every_line_with_its_importer(staff):
    result = run(extract(twenty_rows()), user=staff.head_office)

    assert (result.ok, result.created, result.written) == (True, 20, True)
    mine = LedgerEntry.objects.filter(person=staff.manager_a, month=NOVEMBER)
    fixed = mine.get(kind=LedgerKind.FIXED_DEPOSIT)
    assert (fixed.amount, fixed.count, fixed.avg_tx_count) == (Decimal("300000"), 0, None)
    assert (fixed.source, fixed.created_by) == ("import", staff.head_office)
    assert mine.get(kind=LedgerKind.DEMAND_DEPOSIT).amount == Decimal("9000000")
    assert mine.get(kind=LedgerKind.FUKA).count == 3
    corporate = mine.get(kind=LedgerKind.CORPORATE_EBANKING)
    assert (corporate.item_ref, corporate.count, corporate.avg_tx_count) == ("红安某公司", 1, 2)
    assert fixed.history.get().history_change_reason == "从 台账.xlsx 导入"


def test_a_dry_run_counts_but_writes_nothing(staff):
    result = run(extract(twenty_rows()), dry_run=True)
    assert (result.ok, result.created, result.written) == (True, 20, False)
    assert not LedgerEntry.objects.exists()


def test_importing_the_month_again_replaces_its_lines_instead_of_adding(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    untouched = LedgerEntry.objects.get(person=staff.manager_b, kind=LedgerKind.POS)
    again = [
        line("1001", "定期存款", amount=350000),
        line("1001", "卡乐付", item_ref="KLF-0002", avg_tx_count=7, avg_tx_amount=15000),
        line("1001", "福卡", count=3),
        line("1001", "POS", count=2),
    ]

    result = run(extract(again), user=staff.branch_head)

    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    assert LedgerEntry.objects.count() == 21
    fixed = LedgerEntry.objects.get(person=staff.manager_a, kind=LedgerKind.FIXED_DEPOSIT)
    assert (fixed.amount, fixed.created_by) == (Decimal("350000"), staff.branch_head)
    assert [h.amount for h in fixed.history.order_by("history_date", "history_id")] == [
        Decimal("300000"),
        Decimal("350000"),
    ]
    terminal = LedgerEntry.objects.get(item_ref="KLF-0002")
    assert (terminal.avg_tx_count, terminal.avg_tx_amount) == (7, 15000)
    assert LedgerEntry.objects.get(pk=untouched.pk).count == 1  # not in the file: kept


def test_each_kalefu_terminal_is_a_line_of_its_own_and_prices_on_its_own_activity(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    terminals = LedgerEntry.objects.filter(person=staff.manager_a, kind=LedgerKind.KALEFU)
    assert sorted(terminals.values_list("item_ref", "count", "avg_tx_count")) == [
        ("KLF-0001", 1, 6),
        ("KLF-0002", 1, 3),
    ]
    lines = pricing.piece_rate_lines([t.as_pricing_item() for t in terminals], pricing.RateTable())
    assert [(line.quantity, line.amount) for line in lines] == [(1, Decimal("200.00"))]
    assert set(lines[0].refs) == {t.pk for t in terminals}


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"staff_no": "7777"}, "工号", "7777"),
        ({"staff_no": ""}, "工号", "此项为必填项。"),
        ({"month": "十一月"}, "月份", "2026-11"),
        ({"month": "2026-13"}, "月份", "2026-11"),
        ({"month": "2027-01"}, "月份", ""),
        ({"kind": "贷记卡"}, "项目", "定期存款、活期存款积数"),
        ({"amount": "-1"}, "金额", "不能为负数。"),
        ({"amount": "三十万"}, "金额", "输入一个数字。"),
        ({"amount": "1.234"}, "金额", "2"),
        ({"amount": 300000, "count": 5}, "数量", str(LedgerKind.FIXED_DEPOSIT.label)),
        ({"amount": None}, "金额", "此项为必填项。"),
        ({"kind": "福卡", "count": -2}, "数量", "不能为负数。"),
        ({"kind": "福卡", "count": 3, "avg_tx_count": 4}, "月均笔数", ""),
        (
            {"kind": "卡乐付", "item_ref": "", "avg_tx_count": 6, "avg_tx_amount": 1},
            "编号/户名",
            "",
        ),
        ({"kind": "卡乐付", "item_ref": "K1", "avg_tx_count": 6}, "月均交易额", "此项为必填项。"),
        (
            {"kind": "卡乐付", "item_ref": "K1", "count": 2, "avg_tx_count": 6, "avg_tx_amount": 1},
            "数量",
            "",
        ),
        ({"kind": "企业网银", "item_ref": "某公司"}, "月均笔数", "此项为必填项。"),
    ],
)
def test_each_bad_cell_is_a_problem_under_its_column(staff, cells, column, message):
    row = line("1001") if "kind" in cells else line("1001", amount=300000)
    row.update(cells)
    result = run(extract([row]), dry_run=True)
    assert problems(result) == [(SHEET, 2, column)]
    assert message in result.problems[0].message


def test_a_column_the_item_does_not_take_may_hold_zero(staff):
    rows = [line("1001", amount=1000, count=0, avg_tx_count="0", avg_tx_amount=0.0)]
    assert run(extract(rows), dry_run=True).ok


def test_the_same_line_twice_in_the_file_is_a_problem_on_the_second_row(staff):
    rows = [
        line("1001", "卡乐付", item_ref="K1", avg_tx_count=6, avg_tx_amount=20000),
        line("1001", "卡乐付", item_ref="K2", avg_tx_count=6, avg_tx_amount=20000),
        line("1001", "卡乐付", item_ref="K1", avg_tx_count=1, avg_tx_amount=20),
        line("1001", "福卡", count=1),
        line("1001", "福卡", count=2),
    ]
    result = run(extract(rows), dry_run=True)
    assert problems(result) == [(SHEET, 4, "编号/户名"), (SHEET, 6, "项目")]
    assert "2" in result.problems[0].message


@pytest.mark.parametrize(
    "cell",
    [
        "2026-11",
        "2026/11",
        "2026.11",
        "2026年11月",
        "202611",
        "2026-11-30",
        202611,
        datetime.datetime(2026, 11, 1),  # noqa: DTZ001 (openpyxl reads naive datetimes)
        datetime.date(2026, 11, 17),
    ],
)
def test_the_month_is_read_in_the_ways_a_spreadsheet_writes_it(cell):
    assert ledger.read_month(cell) == NOVEMBER


def test_a_staff_number_typed_as_a_number_and_a_csv_in_gbk_import(staff):
    rows = "工号,月份,项目,数量\n1001,2026年11月,VIP卡,2\n".encode("gb18030")
    result = run(rows, filename="台账.csv", user=staff.head_office)
    assert result.ok, result.problems
    assert run(extract([line(1001.0, amount=5)]), dry_run=True).ok


def test_a_line_entered_by_hand_is_not_overwritten_by_an_import(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    fixed = LedgerEntry.objects.get(person=staff.manager_a, kind=LedgerKind.FIXED_DEPOSIT)
    client = login(staff.head_office)
    client.post(
        reverse("assessment:ledger_correct", args=[fixed.pk]),
        {"amount": "280000", "reason": "其中两万元为他人营销"},
    )
    same = run(extract([line("1001", amount=280000)]), dry_run=True)
    assert (same.ok, same.unchanged) == (True, 1)
    other = run(extract([line("1001", amount=300000)]), dry_run=True)
    assert problems(other) == [(SHEET, 2, "项目")]
    assert "其中两万元为他人营销" in other.problems[0].message


@pytest.fixture
def closed_november(staff):
    return close_november(staff)


def close_november(staff):
    """November closed by head office (its row marked closed, as the close leaves it)."""
    closed = {"status": "closed", "closed_by": staff.head_office, "closed_at": timezone.now()}
    Month.objects.update_or_create(month=NOVEMBER, defaults=closed)
    assert ledger.month_is_closed(datetime.date(2026, 11, 20))
    assert not ledger.month_is_closed(datetime.date(2026, 12, 1))
    return staff


def test_a_closed_month_cannot_be_imported_into(closed_november):
    rows = [line("1001", amount=1000), line("1001", amount=1000, month="2026-12")]
    result = run(extract(rows), user=closed_november.head_office)
    assert problems(result) == [(SHEET, 2, "月份")]
    assert "2026-11" in result.problems[0].message
    assert not LedgerEntry.objects.exists()


def test_a_closed_month_cannot_be_changed_by_hand(staff):
    entry = LedgerEntry.objects.create(
        person=staff.manager_a,
        month=NOVEMBER,
        kind=LedgerKind.FUKA,
        count=3,
        created_at=timezone.now(),
    )
    closed_november = close_november(staff)
    client = login(closed_november.head_office)
    response = client.post(
        reverse("assessment:ledger_correct", args=[entry.pk]), {"count": "9", "reason": "补录"}
    )
    assert response.status_code == 200
    assert "2026-11" in response.text
    response = client.post(
        reverse("assessment:ledger_add"),
        manual(closed_november.manager_a, month="2026-11"),
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.count == 3
    assert LedgerEntry.objects.count() == 1


# --- lines by hand ------------------------------------------------------------------------


def manual(person, **fields):
    data = {
        "person": person.pk,
        "month": "2026-11",
        "kind": LedgerKind.FIXED_DEPOSIT,
        "item_ref": "",
        "amount": "20000",
        "reason": "核心系统漏记",
    }
    data.update(fields)
    return data


def test_a_line_by_hand_needs_a_reason(staff):
    client = login(staff.head_office)
    response = client.post(reverse("assessment:ledger_add"), manual(staff.manager_a, reason=""))
    assert response.status_code == 200
    assert _("Give the reason for entering this line by hand.") in response.text
    assert not LedgerEntry.objects.exists()

    response = client.post(reverse("assessment:ledger_add"), manual(staff.manager_a))
    entry = LedgerEntry.objects.get()
    assert response.status_code == 302
    assert (entry.source, entry.reason, entry.created_by) == (
        "manual",
        "核心系统漏记",
        staff.head_office,
    )
    assert entry.amount == Decimal("20000")
    assert entry.history.get().history_change_reason == "核心系统漏记"


def test_a_line_by_hand_follows_the_columns_of_its_item(staff):
    client = login(staff.head_office)
    page = client.get(reverse("assessment:ledger_add"))
    assert page.context["form"]["count"].value() is None  # blank, not 0
    kalefu = manual(staff.manager_a, kind=LedgerKind.KALEFU, amount="", avg_tx_count="6")
    response = client.post(reverse("assessment:ledger_add"), kalefu)
    assert response.status_code == 200
    assert _("One line per household or terminal: write its number or name.") in response.text
    assert not LedgerEntry.objects.exists()

    kalefu.update(item_ref="KLF-0009", avg_tx_amount="9000", count="")
    assert client.post(reverse("assessment:ledger_add"), kalefu).status_code == 302
    terminal = LedgerEntry.objects.get()
    assert (terminal.count, terminal.amount, terminal.avg_tx_count) == (1, 0, 6)


def test_a_second_line_of_the_same_item_is_refused_and_the_first_is_corrected(staff):
    client = login(staff.head_office)
    client.post(reverse("assessment:ledger_add"), manual(staff.manager_a))
    response = client.post(reverse("assessment:ledger_add"), manual(staff.manager_a))
    assert response.status_code == 200
    assert LedgerEntry.objects.count() == 1

    entry = LedgerEntry.objects.get()
    url = reverse("assessment:ledger_correct", args=[entry.pk])
    assert client.post(url, {"amount": "25000", "reason": ""}).status_code == 200
    assert client.post(url, {"amount": "25000", "reason": "金额录错"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.amount, entry.reason) == (Decimal("25000"), "金额录错")


def test_a_correction_shows_only_what_the_item_takes_and_keeps_a_terminal_one_line(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    client = login(staff.head_office)
    fixed = LedgerEntry.objects.get(person=staff.manager_a, kind=LedgerKind.FIXED_DEPOSIT)
    form = client.get(reverse("assessment:ledger_correct", args=[fixed.pk])).context["form"]
    assert [field.name for field in form.visible_fields()] == ["amount", "reason"]

    terminal = LedgerEntry.objects.get(item_ref="KLF-0002")
    url = reverse("assessment:ledger_correct", args=[terminal.pk])
    assert [field.name for field in client.get(url).context["form"].visible_fields()] == [
        "avg_tx_count",
        "avg_tx_amount",
        "reason",
    ]
    response = client.post(url, {"avg_tx_count": "5", "avg_tx_amount": "", "reason": "补报"})
    assert response.status_code == 200  # 卡乐付 qualifies by amount too
    client.post(url, {"avg_tx_count": "5", "avg_tx_amount": "10000", "reason": "补报"})
    terminal.refresh_from_db()
    assert (terminal.count, terminal.avg_tx_count, terminal.source) == (1, 5, "manual")


def test_a_future_month_cannot_be_entered(staff):
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).strftime(
        "%Y-%m"
    )
    response = login(staff.head_office).post(
        reverse("assessment:ledger_add"), manual(staff.manager_a, month=next_month)
    )
    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


# --- pages ---------------------------------------------------------------------------------


def test_the_month_page_lists_lines_person_by_person_with_filters(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    client = login(staff.head_office)
    page = client.get(reverse("assessment:ledger"))
    assert page.context["month"] == NOVEMBER
    assert page.context["page"].paginator.count == 20
    assert "KLF-0001" in page.text

    def count(**query):
        response = client.get(reverse("assessment:ledger"), {"month": "2026-11", **query})
        return response.context["page"].paginator.count

    assert count(kind=LedgerKind.KALEFU) == 2
    assert count(q="1002") == 10
    assert count(branch=staff.branch2.pk) == 0
    assert count(branch=staff.branch1.pk) == 20
    assert count(source="manual") == 0
    assert count(month="2026-10") == 0


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_month_page_costs_the_same_queries_for_few_lines_or_many(staff):
    run(extract([line("1001", amount=5)]), user=staff.head_office)
    client = login(staff.head_office)
    url = reverse("assessment:ledger") + "?month=2026-11"
    few = count_queries(client, url)
    run(extract(twenty_rows()), user=staff.head_office)
    assert count_queries(client, url) == few


def test_my_ledger_shows_my_lines_only(staff):
    run(extract(twenty_rows()), user=staff.head_office)
    response = login(staff.manager_b).get(reverse("assessment:my_ledger"))
    assert response.status_code == 200
    refs = {line.item_ref for line in response.context["page"]}
    assert "某某超市" in refs
    assert "KLF-0001" not in refs
    assert {line.person_id for line in response.context["page"]} == {staff.manager_b.pk}
    assert reverse("assessment:ledger_correct", args=[1]) not in response.text


def test_the_menu_shows_the_ledger_to_head_office_and_my_ledger_to_others(staff):
    assert reverse("assessment:ledger") in login(staff.head_office).get("/").text
    text = login(staff.manager_a).get("/").text
    assert reverse("assessment:ledger") + '"' not in text
    assert reverse("assessment:my_ledger") in text


def test_pages_by_hand_are_404_for_everyone_but_head_office(staff):
    entry = LedgerEntry.objects.create(
        person=staff.manager_a,
        month=NOVEMBER,
        kind=LedgerKind.POS,
        count=1,
        created_at=timezone.now(),
    )
    client = login(staff.manager_a)  # even for their own line
    assert client.get(reverse("assessment:ledger_correct", args=[entry.pk])).status_code == 404
    response = client.post(
        reverse("assessment:ledger_correct", args=[entry.pk]), {"count": "5", "reason": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("assessment:ledger_add"), manual(staff.manager_a)).status_code == 404
    entry.refresh_from_db()
    assert entry.count == 1


# --- the job, the command, the template ----------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _named(data, name):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_a_dry_run_job_then_its_confirmation_import_the_ledger(staff, media):
    client = login(staff.head_office)
    page = client.get(reverse("assessment:ledger_import"))
    assert reverse("assessment:ledger_template") in page.text

    response = client.post(
        reverse("assessment:ledger_import"),
        {"file": _named(extract(twenty_rows()), "台账.xlsx"), "dry_run": "on"},
    )
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.kind, job.status, job.params["dry_run"], job.result["created"]) == (
        "ledger_import",
        "done",
        True,
        20,
    )
    assert not LedgerEntry.objects.exists()
    page = client.get(job.get_absolute_url())
    assert reverse("assessment:ledger_import") in page.text

    client.post(reverse("archives:import_confirm", args=[job.pk]))
    real = Job.objects.get(started_from=job)
    assert (real.kind, real.status, real.result["created"]) == ("ledger_import", "done", 20)
    assert set(LedgerEntry.objects.values_list("import_job", flat=True)) == {real.pk}


def test_a_job_with_problems_lists_them_on_the_job_page(staff, media):
    client = login(staff.head_office)
    client.post(
        reverse("assessment:ledger_import"),
        {"file": _named(extract([line("7777", amount=5)]), "台账.xlsx"), "dry_run": "on"},
    )
    job = Job.objects.get()
    assert job.errors == [
        {
            "sheet": SHEET,
            "row": 2,
            "column": "工号",
            "message": _("No staff member has staff number %(number)s.") % {"number": "7777"},
        }
    ]
    assert 'id="import-errors"' in client.get(job.get_absolute_url()).text


def test_the_command_prints_the_problems_and_imports_a_good_file(staff, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(extract([line("7777", amount=5)]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(bad), stdout=out)
    assert "7777" in out.getvalue()

    good = tmp_path / "good.xlsx"
    good.write_bytes(extract(twenty_rows()))
    call_command("import_ledger", str(good), "--dry-run", stdout=out)
    assert not LedgerEntry.objects.exists()
    call_command("import_ledger", str(good), "--user", "head_office", stdout=out)
    assert LedgerEntry.objects.filter(created_by=staff.head_office).count() == 20


def test_the_template_documents_every_column_and_item_and_imports_as_it_is(staff):
    response = login(staff.head_office).get(reverse("assessment:ledger_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in workbook[SHEET][1]]
    assert header == [c.header for c in imports.COLUMNS]
    notes = "\n".join(
        str(v) for row in workbook["说明"].iter_rows(values_only=True) for v in row if v
    )
    for labels in imports.KIND_LABELS.values():
        assert labels[0] in notes
    result = run(response.content, dry_run=True)
    assert (result.ok, result.created) == (True, 0)


def test_the_docs_describe_every_column_and_item():
    text = (Path(__file__).resolve().parents[2] / "docs" / "ledger-template.md").read_text()
    for column in imports.COLUMNS:
        assert f"| {column.header} |" in text
    for labels in imports.KIND_LABELS.values():
        assert labels[0] in text


def test_the_ledger_kinds_are_the_pricing_kinds():
    assert set(LedgerKind.values) == {k.value for k in pricing.Kind}
    assert set(imports.KIND_LABELS) == set(LedgerKind)
