"""Import templates that guide: every coded column has a drop-down of exactly the labels
its import reads, and a file filled from the drop-downs imports cleanly."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from archives import movements, sheets
from archives.imports import files
from archives.imports.template import build_template as archive_template
from archives.models import CustomerType
from archives.movement_models import Direction
from archives.survey import NEEDS_CREDIT_CODE, fields_for
from assessment import imports as ledger_imports
from assessment.import_template import build_template as ledger_template
from assessment.ledger import required_columns_of
from assessment.models.ledger import PER_ITEM_KINDS, LedgerKind
from credit import imports as credit_imports
from tests.archives.test_import import run as import_archive
from tests.assessment.test_ledger import run as import_ledger
from tests.builders import credit_code, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db

RANGE = re.compile(r"^([A-Z]+)2:\1(\d+)$")


def dropdowns(workbook, sheet_name):
    """Column header -> (the list's values, whether other text is refused)."""
    sheet = workbook[sheet_name]
    headers = [c.value for c in sheet[1]]
    out = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        formula = validation.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:
            where, cells = formula.rsplit("!", 1)
            lists = workbook[where.strip("'")]
            assert lists.sheet_state == "hidden"  # a long list lives on the hidden sheet
            values = [row[0].value for row in lists[cells.replace("$", "")]]
        for cells in str(validation.sqref).split():
            match = RANGE.match(cells)
            assert match, cells  # the whole column below the header
            assert int(match[2]) >= 5000
            header = headers[_index(match[1])]
            out[header] = (values, bool(validation.showErrorMessage))
    return out


def _index(letter):
    return next(i for i in range(1, 200) if get_column_letter(i) == letter) - 1


def choices_read(choices, values):
    lookup = sheets.choice_lookup(choices)
    return [lookup[sheets.normalize(v)] for v in values]


def test_every_coded_column_of_the_archive_template_lists_what_the_import_reads():
    workbook = load_workbook(io.BytesIO(archive_template()))
    assert workbook.sheetnames == ["客户", "家庭成员", "说明", sheets.LISTS_SHEET]
    for sheet_name, columns in (
        (sheets.CUSTOMER_SHEET, sheets.IMPORT_COLUMNS),
        (sheets.MEMBER_SHEET, sheets.MEMBER_COLUMNS),
    ):
        found = dropdowns(workbook, sheet_name)
        coded = [c for c in columns if c.kind in ("choice", "products", "boolean")]
        assert set(found) == {c.header for c in coded}, sheet_name  # and no other column
        for column in coded:
            values, strict = found[column.header]
            if column.kind == "boolean":
                assert [files.boolean(v) for v in values] == [True, False]
                assert strict
            else:
                # Each label reads as its own choice, and every choice is on the list but
                # a family row's 户主, which the import always refuses (archives.household).
                left_off = ["head"] if column.header == "关系" else []
                wanted = [v for v in column.choices.values if v not in left_off]
                assert choices_read(column.choices, values) == wanted
                assert values == [v for v in sheets.labels(column.choices) if v != "户主"]
                # Several products go in one cell: the list helps, it does not refuse.
                assert strict == (column.kind == "choice"), column.header


def test_the_ledger_template_lists_every_item_the_import_reads():
    workbook = load_workbook(io.BytesIO(ledger_template()))
    found = dropdowns(workbook, ledger_imports.SHEET)
    kind = next(c.header for c in ledger_imports.COLUMNS if c.name == "kind")
    assert set(found) == {kind}
    values, strict = found[kind]
    lookup = ledger_imports.kind_lookup()
    assert [lookup[sheets.normalize(v)] for v in values] == list(LedgerKind.values)
    assert strict


def test_the_movement_template_lists_the_directions_and_yes_no():
    from archives.movements_template import build_template

    workbook = load_workbook(io.BytesIO(build_template()))
    found = dropdowns(workbook, movements.SHEET)
    headers = {c.name: c.header for c in movements.COLUMNS}
    assert set(found) == {headers["direction"], headers["cross_bank"]}
    directions, _strict = found[headers["direction"]]
    assert [movements.DIRECTION_WORDS[v] for v in directions] == list(Direction)
    assert [files.boolean(v) for v in found[headers["cross_bank"]][0]] == [True, False]


def test_the_credit_figures_template_lists_yes_no_for_its_yes_no_columns():
    from credit.import_template import build_template

    workbook = load_workbook(io.BytesIO(build_template()))
    found = dropdowns(workbook, credit_imports.SHEET)
    booleans = {c.header for c in credit_imports.COLUMNS if c.kind == "boolean"}
    assert set(found) == booleans
    for values, strict in found.values():
        assert [files.boolean(v) for v in values] == [True, False]
        assert strict


def test_the_balance_template_has_no_coded_column_and_no_list():
    from archives.balances_template import build_template

    workbook = load_workbook(io.BytesIO(build_template()))
    assert all(not ws.data_validations.dataValidation for ws in workbook.worksheets)
    assert sheets.LISTS_SHEET not in workbook.sheetnames


# --- Filled from the lists -----------------------------------------------------------------


def test_an_archive_file_filled_from_the_drop_downs_imports_cleanly(world):
    response = login(world.head_office).get(reverse("archives:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    customers, members = workbook[sheets.CUSTOMER_SHEET], workbook[sheets.MEMBER_SHEET]
    lists = dropdowns(workbook, sheets.CUSTOMER_SHEET)
    member_lists = dropdowns(workbook, sheets.MEMBER_SHEET)
    headers = [c.value for c in customers[1]]
    by_header = {c.header: c for c in sheets.IMPORT_COLUMNS}
    type_labels = lists[sheets.COLUMN["customer_type"].header][0]
    customers.delete_rows(2)
    members.delete_rows(2)
    household_id = None
    for number, type_label in enumerate(type_labels * 2):  # every value of every list
        customer_type = sheets.choice_lookup(CustomerType)[sheets.normalize(type_label)]
        row = {
            "客户类型": type_label,
            "行政村编码": world.village_a.code,
            "姓名/名称": f"户{number}",
        }
        if customer_type in NEEDS_CREDIT_CODE:
            row["统一社会信用代码"] = credit_code()
        else:
            row["身份证号"] = resident_id()
            household_id = household_id or row["身份证号"]
        for header, (values, _strict) in lists.items():
            column = by_header[header]
            if column.name != "customer_type" and column.name in fields_for(customer_type):
                row[header] = values[number % len(values)]
        customers.append([row.get(h) for h in headers])
    member_headers = [c.value for c in members[1]]
    relations = member_lists[sheets.MEMBER_COLUMN["relation"].header][0]
    for number, relation in enumerate(relations):
        row = {"户主证件号": household_id, "姓名": f"成员{number}", "关系": relation}
        row["务工地点"] = "武汉"  # asked for when 是否外出务工 is 是
        for header, (values, _strict) in member_lists.items():
            row.setdefault(header, values[number % len(values)])
        members.append([row.get(h) for h in member_headers])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_archive(buffer.getvalue(), user=world.head_office)

    assert result.ok, result.problems
    assert result.created == 2 * len(type_labels)


def test_a_ledger_file_filled_from_the_drop_down_imports_cleanly(world):
    world.manager_a.staff_no = "1001"
    world.manager_a.save(update_fields=["staff_no"])
    workbook = load_workbook(io.BytesIO(ledger_template()))
    sheet = workbook[ledger_imports.SHEET]
    headers = {c.name: c.header for c in ledger_imports.COLUMNS}
    ((kinds, _strict),) = dropdowns(workbook, ledger_imports.SHEET).values()
    order = [c.value for c in sheet[1]]
    lookup = ledger_imports.kind_lookup()
    for number, label in enumerate(kinds):
        kind = LedgerKind(lookup[sheets.normalize(label)])
        row = {headers["staff_no"]: "1001", headers["month"]: "2026-11", headers["kind"]: label}
        for name in required_columns_of(kind):
            row[headers[name]] = "3"
        if kind in PER_ITEM_KINDS:
            row[headers["item_ref"]] = f"T-{number}"
        sheet.append([row.get(h) for h in order])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_ledger(buffer.getvalue(), user=world.head_office)

    assert result.ok, result.problems
