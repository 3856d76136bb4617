"""Figures from core banking (DOMAIN.md §5.1, §7): per-cell problems, all or nothing, keep and clear, history."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from credit import imports
from credit.models import Figures
from tests.builders import credit_code, make_corporate

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)
OCTOBER = datetime.date(2026, 10, 1)
H = {c.name: c.header for c in imports.COLUMNS}  # column name -> Chinese header


def line(customer, **cells):
    """One row of the extract for a customer on file, as the core-banking system writes it."""
    values = {
        "key": customer.credit_code,
        "customer_name": customer.name,
        "period": "2026-10",
        "exposure": "210,000,000.00",
        "deposits": 52000000,
        "settlement_share": 55,
        "funds_return_rate": "25.5%",
        "online_banking_opened": "是",
        "online_banking_settlement": "否",
        "payroll_headcount": 160,
        "payroll_monthly": "850000",
        "pos_monthly": "0",
        "credit_cards": 25.0,
        "products": "代发工资、企业网银,POS收单;代发工资",
    }
    values.update(cells)
    return values


def extract(rows, *, columns=None, sheet=imports.SHEET):
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


def run(data, *, user=None, dry_run=False, filename="经营数据.xlsx", chunk=imports.CHUNK):
    return imports.import_figures(
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


def stored(customer, period=OCTOBER):
    figures = Figures.objects.get(customer=customer, period=period)
    return {name: getattr(figures, name) for name in imports.FIELDS}


def on_file(customer, period=OCTOBER, **fields):
    """A period already imported, with every figure set."""
    values = {
        "exposure": Decimal("1000000.00"),
        "deposits": Decimal("300000.00"),
        "settlement_share": Decimal("40.00"),
        "funds_return_rate": Decimal("10.00"),
        "online_banking_opened": True,
        "online_banking_settlement": True,
        "payroll_headcount": 30,
        "payroll_monthly": Decimal("60000.00"),
        "pos_monthly": Decimal("100000.00"),
        "credit_cards": 12,
        "products": ["代发工资", "企业网银"],
    }
    values.update(fields)
    return Figures.objects.create(
        customer=customer, period=period, imported_at=timezone.now(), **values
    )


# --- a good file -----------------------------------------------------------------------


def test_a_row_creates_the_customers_period_with_every_figure_and_its_history(world):
    result = run(extract([line(world.company_1)]), user=world.corporate_finance)

    assert (result.ok, result.written, result.created, result.updated) == (True, True, 1, 0)
    assert stored(world.company_1) == {
        "exposure": Decimal("210000000.00"),
        "deposits": Decimal("52000000.00"),
        "settlement_share": Decimal("55.00"),
        "funds_return_rate": Decimal("25.50"),
        "online_banking_opened": True,
        "online_banking_settlement": False,
        "payroll_headcount": 160,
        "payroll_monthly": Decimal("850000.00"),
        "pos_monthly": Decimal("0.00"),
        "credit_cards": 25,
        "products": ["代发工资", "企业网银", "POS收单"],
    }
    figures = Figures.objects.get()
    record = figures.history.get()
    assert (record.history_type, record.history_user) == ("+", world.corporate_finance)
    assert record.history_change_reason == "从 经营数据.xlsx 导入"


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2026-10", OCTOBER),
        ("2026/10", OCTOBER),
        ("2026.10", OCTOBER),
        ("2026年10月", OCTOBER),
        ("202610", OCTOBER),
        (202610, OCTOBER),
        ("2026-10-31", OCTOBER),
        (datetime.date(2026, 10, 31), OCTOBER),
        (datetime.datetime(2026, 10, 15, 0, 0), OCTOBER),  # noqa: DTZ001 (a naive date cell)
        ("2026-11", datetime.date(2026, 11, 1)),
        (TODAY, datetime.date(2026, 11, 1)),  # today is not the future
        ("2019-01", datetime.date(2019, 1, 1)),
    ],
)
def test_a_month_or_a_date_is_the_first_day_of_its_month(world, cell, period):
    result = run(extract([line(world.company_1, period=cell)]))
    assert result.ok, result.problems
    assert Figures.objects.get().period == period


def test_an_older_period_than_the_ones_on_file_creates_its_own_row(world):
    on_file(world.company_1, period=datetime.date(2026, 11, 1), deposits=Decimal("9.00"))

    result = run(extract([line(world.company_1, period="2026-09", deposits="5")]))

    assert (result.ok, result.created) == (True, 1)
    assert stored(world.company_1, datetime.date(2026, 9, 1))["deposits"] == Decimal("5.00")
    assert stored(world.company_1, datetime.date(2026, 11, 1))["deposits"] == Decimal("9.00")


def test_reimporting_the_same_file_changes_nothing(world):
    data = extract([line(world.company_1), line(world.company_2, period="2026-09")])
    run(data, user=world.head_office)

    again = run(data, user=world.head_office)

    assert (again.created, again.updated, again.unchanged, again.change_count) == (0, 0, 2, 0)
    assert all(f.history.count() == 1 for f in Figures.objects.all())


# --- per-cell problems ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"key": ""}, "统一社会信用代码", "此项为必填项。"),
        ({"key": "91421122MA49X00012"}, "统一社会信用代码", "统一社会信用代码"),
        ({"key": 9.14211221e17}, "统一社会信用代码", "15"),
        ({"key": "91421122MA49X0001T"}, "统一社会信用代码", "示例"),
        ({"period": ""}, "数据期间", "此项为必填项。"),
        ({"period": "十月"}, "数据期间", "2026-10"),
        ({"period": "2026-13"}, "数据期间", "2026-10"),
        ({"period": "2026-00"}, "数据期间", "2026-10"),
        ({"period": 2026.1}, "数据期间", "文本"),
        ({"period": "2026-12"}, "数据期间", "晚于"),
        ({"period": "2026-12-01"}, "数据期间", "晚于"),
        ({"period": datetime.date(2026, 12, 1)}, "数据期间", "晚于"),
        ({"exposure": "两亿"}, "上年度日均授信敞口", "输入一个数字。"),
        ({"exposure": "-1"}, "上年度日均授信敞口", "不能为负数。"),
        ({"exposure": "1.234"}, "上年度日均授信敞口", "2"),
        ({"exposure": "1" * 15}, "上年度日均授信敞口", "14"),
        ({"deposits": "-0.01"}, "日均存款", "不能为负数。"),
        ({"deposits": "五千万"}, "日均存款", "输入一个数字。"),
        ({"settlement_share": "100.01"}, "结算占比(%)", "100"),
        ({"settlement_share": "-5"}, "结算占比(%)", "不能为负数。"),
        ({"settlement_share": "一半"}, "结算占比(%)", "输入一个数字。"),
        ({"funds_return_rate": "120%"}, "资金归行率(%)", "100"),
        ({"funds_return_rate": "20.555"}, "资金归行率(%)", "2"),
        ({"online_banking_opened": "开了"}, "企业网银已开通", "是"),
        ({"online_banking_opened": "清空"}, "企业网银已开通", "清空"),
        ({"online_banking_settlement": "maybe"}, "企业网银用于结算", "是"),
        ({"online_banking_settlement": "清空"}, "企业网银用于结算", "清空"),
        ({"payroll_headcount": "1.5"}, "代发工资人数", "整数"),
        ({"payroll_headcount": "-3"}, "代发工资人数", "不能为负数。"),
        ({"payroll_headcount": "3000000000"}, "代发工资人数", "2147483647"),
        ({"payroll_monthly": "八十万"}, "代发工资月金额", "输入一个数字。"),
        ({"payroll_monthly": "-800000"}, "代发工资月金额", "不能为负数。"),
        ({"pos_monthly": "1.001"}, "POS月结算额", "2"),
        ({"pos_monthly": "-1"}, "POS月结算额", "不能为负数。"),
        ({"credit_cards": "二十"}, "信用卡发卡数", "整数"),
        ({"credit_cards": -1}, "信用卡发卡数", "不能为负数。"),
        ({"products": "代发工资、" + "很" * 41}, "使用产品", "40"),
        ({"products": "、".join(f"产品{i}" for i in range(51))}, "使用产品", "50"),
    ],
)
def test_each_bad_cell_is_a_chinese_problem_under_its_column(world, cells, column, message):
    result = run(extract([line(world.company_1, **cells)]), user=world.head_office)

    assert problems(result) == [(imports.SHEET, 2, column)]
    assert message in result.problems[0].message, result.problems[0].message
    assert not result.written
    assert not Figures.objects.exists()


def test_a_valid_code_no_corporate_customer_holds_is_unknown(world):
    result = run(extract([line(world.company_1, key=credit_code("91421122"))]))
    assert problems(result) == [(imports.SHEET, 2, "统一社会信用代码")]
    assert result.problems[0].message == "系统中没有持有此统一社会信用代码的对公客户。"


def test_the_code_is_matched_whatever_its_case_spaces_and_hyphens(world):
    code = world.company_1.credit_code
    written = f" {code[:8].lower()}-{code[8:]} "
    result = run(extract([line(world.company_1, key=written)]))
    assert (result.ok, result.created) == (True, 1)


def test_the_same_customer_and_period_twice_in_the_file_is_a_problem_of_the_second(world):
    rows = [
        line(world.company_1),
        line(world.company_1, period="2026-09"),  # another period: fine
        line(world.company_1, period="2026-10-31"),  # October again, written as a date
    ]
    result = run(extract(rows), chunk=2)  # across chunks too

    assert problems(result) == [(imports.SHEET, 4, "统一社会信用代码")]
    assert "第 2 行" in result.problems[0].message
    assert not Figures.objects.exists()


def test_unknown_repeated_and_missing_columns_are_problems_of_row_1(world):
    workbook = Workbook()
    ws = workbook.active
    ws.append(["统一社会信用代码", "日均存款", "存款日均", "日均贷款"])
    ws.append([world.company_1.credit_code, 1, 2, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue())

    assert problems(result) == [
        ("Sheet", 1, "存款日均"),
        ("Sheet", 1, "日均贷款"),
        ("Sheet", 1, "数据期间"),
        ("Sheet", 2, "数据期间"),  # and each row misses its period
    ]


def test_a_file_without_any_figure_column_is_refused(world):
    result = run(extract([line(world.company_1)], columns=["key", "customer_name", "period"]))
    assert problems(result) == [(imports.SHEET, 1, "")]


def test_one_bad_row_among_many_writes_nothing_and_lists_exactly_the_bad_ones(world):
    customers = [make_corporate(world.branch1, name=f"企业{i}") for i in range(20)]
    on_file(customers[0])
    rows = [line(c, deposits=str(1000 + i)) for i, c in enumerate(customers)]
    rows[7]["settlement_share"] = "150"
    rows[12]["key"] = credit_code("91421122")

    result = run(extract(rows), user=world.head_office, chunk=6)

    assert problems(result) == [
        (imports.SHEET, 9, "结算占比(%)"),
        (imports.SHEET, 14, "统一社会信用代码"),
    ]
    assert (result.error_rows, result.created, result.updated) == (2, 17, 1)
    assert not result.written
    assert Figures.objects.count() == 1
    assert stored(customers[0])["deposits"] == Decimal("300000.00")
    assert Figures.history.count() == 1  # the one made by on_file


# --- blank keeps, 清空 clears -------------------------------------------------------------


def test_blank_cells_and_columns_left_out_keep_what_that_period_has_on_file(world):
    on_file(world.company_1)
    before = stored(world.company_1)
    blank = {name: None for name in imports.FIELDS} | {"products": "  "}
    rows = [line(world.company_1, **blank | {"deposits": "400000"})]
    columns = ["key", "period", *imports.FIELDS]

    result = run(extract(rows, columns=columns), user=world.head_office)
    assert (result.updated, result.change_count) == (1, 1)
    assert stored(world.company_1) == before | {"deposits": Decimal("400000.00")}

    only_deposits = extract(
        [line(world.company_1, deposits="500000")], columns=["key", "period", "deposits"]
    )
    assert run(only_deposits).updated == 1
    assert stored(world.company_1) == before | {"deposits": Decimal("500000.00")}


def test_blank_cells_of_a_period_not_on_file_are_empty_not_another_periods(world):
    on_file(world.company_1, period=datetime.date(2026, 9, 1))
    blank = {name: "" for name in imports.FIELDS}
    result = run(extract([line(world.company_1, **blank | {"deposits": "7"})]))

    assert result.created == 1
    assert stored(world.company_1) == imports.EMPTY | {"deposits": Decimal("7.00")}


@pytest.mark.parametrize(
    ("name", "cleared"),
    [
        ("exposure", None),
        ("deposits", None),
        ("settlement_share", None),
        ("funds_return_rate", None),
        ("payroll_headcount", None),
        ("payroll_monthly", None),
        ("pos_monthly", None),
        ("credit_cards", None),
        ("products", []),
    ],
)
def test_qing_kong_clears_an_optional_figure_and_nothing_else(world, name, cleared):
    on_file(world.company_1)
    before = stored(world.company_1)
    cells = {n: None for n in imports.FIELDS} | {name: " 清空 "}

    result = run(extract([line(world.company_1, **cells)]), user=world.head_office)

    assert (result.ok, result.updated) == (True, 1)
    assert stored(world.company_1) == before | {name: cleared}


def test_a_cell_saying_more_than_qing_kong_is_a_value(world):
    result = run(extract([line(world.company_1, deposits="清空了")]))
    assert problems(result) == [(imports.SHEET, 2, "日均存款")]


# --- the dry run ------------------------------------------------------------------------


def test_a_dry_run_lists_each_change_per_customer_and_period_and_writes_nothing(world):
    on_file(world.company_1)
    blank = {n: None for n in imports.FIELDS}
    rows = [
        line(
            world.company_1,
            **blank
            | {
                "deposits": "350,000",
                "online_banking_settlement": "否",
                "products": "代发工资、企业网银",  # the same list: no change
            },
        ),
        line(world.company_2, **blank | {"credit_cards": 3}),
    ]

    result = run(extract(rows), user=world.head_office, dry_run=True)

    assert (result.ok, result.written, result.created, result.updated) == (True, False, 1, 1)
    assert [(c.row, c.subject, c.column, c.old, c.new) for c in result.changes] == [
        (2, "红安城关建材有限公司 2026-10", "日均存款", "300000.00", "350000.00"),
        (2, "红安城关建材有限公司 2026-10", "企业网银用于结算", "是", "否"),
        (3, "七里坪茶业有限公司 2026-10", "数据期间", "", "2026-10"),
        (3, "七里坪茶业有限公司 2026-10", "信用卡发卡数", "", "3"),
    ]
    assert stored(world.company_1)["deposits"] == Decimal("300000.00")
    assert not Figures.objects.filter(customer=world.company_2).exists()
    assert Figures.history.count() == 1


def test_an_update_keeps_its_history_with_the_author_and_the_file(world):
    figures = on_file(world.company_1)
    result = run(
        extract([line(world.company_1, deposits="1")], columns=["key", "period", "deposits"]),
        user=world.credit_management,
        filename="十月.xlsx",
    )
    assert result.written
    latest = figures.history.first()
    assert (latest.history_type, latest.history_user, latest.deposits) == (
        "~",
        world.credit_management,
        Decimal("1.00"),
    )
    assert latest.history_change_reason == "从 十月.xlsx 导入"
    assert latest.prev_record.deposits == Decimal("300000.00")


def test_csv_in_gbk_imports(world):
    text = "统一社会信用代码,数据期间,日均存款,使用产品\n"
    text += f'{world.company_1.credit_code},2026年10月,"12,345.60",代发工资；企业网银\n'
    result = run(text.encode("gb18030"), filename="经营数据.csv")
    assert result.ok, result.problems
    assert stored(world.company_1)["products"] == ["代发工资", "企业网银"]


# --- cost -------------------------------------------------------------------------------


def statements(queries):
    return [q["sql"].split(" ", 1)[0] for q in queries]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "written"])
def test_an_import_makes_the_same_queries_for_10_rows_as_for_100(world, dry_run):
    files = []
    for n in (10, 100):
        customers = [make_corporate(world.branch1, name=f"企业{n}-{i}") for i in range(n)]
        for customer in customers[: n // 2]:
            on_file(customer)  # half updated, half created
        files.append(extract([line(c, deposits=str(n)) for c in customers]))
    counted = []
    for data in files:
        with CaptureQueriesContext(connection) as queries:
            result = run(data, user=world.head_office, dry_run=dry_run)
        assert result.ok, result.problems
        assert result.written is not dry_run
        counted.append(statements(queries.captured_queries))
    assert counted[0] == counted[1]
    assert Figures.objects.filter(deposits=100).count() == (0 if dry_run else 100)
