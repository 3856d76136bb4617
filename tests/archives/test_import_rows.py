"""The archive import checks each row by the survey forms' rules, with no query per row."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archives.models import Customer, CustomerType
from tests.archives.test_import import problems, row, run, xlsx
from tests.builders import credit_code, make_customer, resident_id

pytestmark = pytest.mark.django_db


def organisation(where, **fields):
    """A cooperative's row: no ID number, no household columns."""
    values = {"customer_type": "合作社", "id_number": None, "credit_code": credit_code()}
    return row(where, household_income=None, form_collected=None, **(values | fields))


def county_file(world, n, *, birth):
    """n rows: new households with a family member, updated households, a new cooperative."""
    rows, members = [], []
    for i in range(n // 2):
        number = resident_id(birth, order=i)
        rows.append(row(world.village_a, name=f"新户{i}", id_number=number, group="一组"))
        members.append({"household": number, "name": f"成员{i}", "relation": "子女"})
    for i in range(n // 2 - 1):
        old = make_customer(world.village_b, name=f"老户{i}")
        rows.append(row(world.village_b, name=old.name, id_number=old.id_number, phone=None))
        members.append({"household": old.id_number, "name": f"老成员{i}", "relation": "配偶"})
    rows.append(organisation(world.village_c, name=f"合作社{n}"))
    return xlsx(rows, members)


def statements(queries):
    return [q["sql"].split(" ", 1)[0] for q in queries]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "written"])
def test_an_import_makes_the_same_queries_for_20_rows_as_for_200(world, dry_run):
    small, big = county_file(world, 20, birth="19800101"), county_file(world, 200, birth="19810101")
    counted = []
    for data in (small, big):
        with CaptureQueriesContext(connection) as queries:
            result = run(data, user=world.head_office, dry_run=dry_run)
        assert result.ok, result.problems
        assert result.written is not dry_run
        counted.append(statements(queries.captured_queries))
    if dry_run or connection.vendor == "postgresql":
        assert counted[0] == counted[1]
    else:  # SQLite splits a bulk statement at 999 parameters: about 19 customers a statement
        reads = [[s for s in c if s == "SELECT"] for c in counted]
        assert reads[0] == reads[1]
    assert Customer.objects.filter(name__startswith="新户").count() == (0 if dry_run else 110)


@pytest.mark.parametrize(
    ("fields", "column", "says"),
    [
        ({"customer_type": "合作社", "credit_code": "holder's code"}, "统一社会信用代码", "B村"),
        (
            {"customer_type": "合作社", "credit_code": "new", "id_number": "holder's id"},
            "身份证号",
            "B村",
        ),
        (
            {"customer_type": "个体工商户", "credit_code": "holder's code"},
            "统一社会信用代码",
            "B村",
        ),
    ],
    ids=["credit code", "legal representative's ID", "an individual business's code"],
)
def test_a_number_another_customer_holds_is_refused_naming_their_village(
    world, fields, column, says
):
    holder = make_customer(world.village_b, customer_type=CustomerType.INDIVIDUAL_BUSINESS)
    holder.credit_code = credit_code()
    holder.save()
    values = {
        "holder's code": holder.credit_code,
        "holder's id": holder.id_number,
        "new": credit_code(),
    }
    fields = {k: values.get(v, v) for k, v in fields.items()}
    fields.setdefault("id_number", resident_id("19700101"))
    make_row = organisation if fields["customer_type"] == "合作社" else row
    data = xlsx([make_row(world.village_a, name="新客户", **fields)])

    result = run(data, user=world.head_office)

    assert problems(result) == [("客户", 2, column)]
    assert says in result.problems[0].message
    assert not Customer.objects.filter(name="新客户").exists()


def test_a_credit_code_with_dashes_is_matched_as_the_form_stores_it(world):
    holder = make_customer(world.village_b, customer_type=CustomerType.COOPERATIVE)
    dashed = f"{holder.credit_code[:8]}-{holder.credit_code[8:]}"
    data = xlsx([organisation(world.village_a, name="另一社", credit_code=dashed)])
    result = run(data, dry_run=True)
    assert problems(result) == [("客户", 2, "统一社会信用代码")]
    assert "B村" in result.problems[0].message


@pytest.mark.parametrize(
    ("group", "ok"),
    [(None, False), ("一组", True)],
    ids=["group column left out", "group of the new village given"],
)
def test_a_customer_moving_village_keeps_a_group_only_of_the_new_village(world, group, ok):
    customer = world.customer_a
    customer.group = world.village_a.groups.get(name="二组")
    customer.save()
    fields = {"name": customer.name, "id_number": customer.id_number}
    if group:
        fields["group"] = group
    result = run(xlsx([row(world.village_b, **fields)]), user=world.head_office)
    assert result.ok is ok
    customer.refresh_from_db()
    if ok:
        assert (customer.village, customer.group.name) == (world.village_b, "一组")
    else:
        assert problems(result) == [("客户", 2, "村民小组")]
        assert customer.village == world.village_a


def test_each_row_gets_the_birth_date_of_its_own_id_number(world):
    rows = [
        row(world.village_a, name="甲", id_number=resident_id("19750315")),
        organisation(world.village_a, name="乙社"),
        row(world.village_a, name="丙", id_number=resident_id("19900102")),
    ]
    assert run(xlsx(rows), user=world.head_office).ok
    named = Customer.objects.filter(name__in=["甲", "乙社", "丙"])
    births = dict(named.values_list("name", "birth_date"))
    assert births == {
        "甲": datetime.date(1975, 3, 15),
        "乙社": None,
        "丙": datetime.date(1990, 1, 2),
    }


@pytest.mark.parametrize(
    ("column", "cell", "field", "stored"),
    [
        ("contact_method", "微信 dahai", "contact_method", "微信 dahai"),
        ("credit_need", "88,000.5", "credit_need", Decimal("88000.50")),
        ("has_deposit_account", "是", "has_deposit_account", True),
        ("ebanking_products", "福卡、POS机", "ebanking_products", ["fuka", "pos"]),
        ("archived_on", datetime.date(2025, 1, 2), "archived_on", datetime.date(2025, 1, 2)),
        ("group", "二组", "group_id", "二组"),
        ("main_income", "经营", "main_income", "business"),
    ],
)
def test_a_reimport_writes_each_kind_of_value_and_records_it(world, column, cell, field, stored):
    customer = world.customer_a
    other = make_customer(world.village_a, name="不变")
    fields = {"name": customer.name, "id_number": customer.id_number, column: cell}
    same = {"name": other.name, "id_number": other.id_number, "phone": other.phone}
    data = xlsx([row(world.village_a, **fields), row(world.village_a, **same, **{column: None})])

    before = customer.updated_at

    result = run(data, user=world.head_office)

    assert (result.created, result.updated) == (0, 2)
    customer.refresh_from_db()
    if field == "group_id":
        stored = world.village_a.groups.get(name=stored).pk
    assert getattr(customer, field) == stored
    assert getattr(customer.history.get(history_type="~"), field) == stored
    assert customer.updated_at > before
    other.refresh_from_db()  # written by the same statement, with its own values
    assert other.household_income == Decimal("60000")


@pytest.mark.parametrize(("name", "history_type"), [("新户", "+"), ("王大山", "~")])
def test_the_history_record_of_an_imported_customer_holds_every_value_and_who(
    world, name, history_type
):
    existing = {"id_number": world.customer_a.id_number} if name == "王大山" else {}
    data = xlsx([row(world.village_a, name=name, group="一组", **existing)])
    assert run(data, user=world.head_office).written
    customer = Customer.objects.get(name=name)
    record = customer.history.latest()
    tracked = [f.attname for f in Customer.history.model.tracked_fields]
    assert [getattr(record, a) for a in tracked] == [getattr(customer, a) for a in tracked]
    assert (record.history_type, record.history_user) == (history_type, world.head_office)
    assert record.history_change_reason == "从 档案.xlsx 导入"
