"""The downloadable import template (导入模板.xlsx): headers, an example row and a 说明 sheet;
each coded column has a drop-down of the labels the import accepts (archives/dropdowns.py).

Generated from archives/sheets.py, so it always matches what the import accepts.
"""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from stdnum.cn import ric

from .. import sheets
from ..dropdowns import Dropdowns, column_values
from ..models import CustomerType
from ..survey import NEEDS_CREDIT_CODE, NEEDS_ID_NUMBER, fields_for

_EXAMPLE_BODY = "42112219560708016"  # Hong'an county, born 1956-07-08
EXAMPLE_ID = _EXAMPLE_BODY + ric.calc_check_digit(_EXAMPLE_BODY + "0")
EXAMPLE_CUSTOMER = {
    # Labels as the drop-downs list them (sheets.labels), so Excel accepts the example.
    "customer_type": sheets.label(CustomerType, CustomerType.HOUSEHOLD),
    "group": "一组",
    "name": "张三（示例）",
    "id_number": EXAMPLE_ID,
    "phone": "13812345678",
    "address": "某某村一组",
    "credit_record": "良好",
    "main_income": "外出务工",
    "has_deposit_account": "是",
    "ebanking_products": "福卡、手机银行",
    "household_income": 60000,
    "household_expenses": 30000,
    "letter_delivered": "是",
    "contact_card_delivered": "是",
    "form_collected": "是",
    "gift_delivered": "否",
    "archived_on": datetime.date(2024, 3, 1),
}
EXAMPLE_MEMBER = {
    "household": EXAMPLE_ID,
    "name": "李四（示例）",
    "relation": "配偶",
    "works_away": "是",
    "away_location": "武汉",
}
BOLD = Font(bold=True)


def build_template(*, village_code="") -> bytes:
    """The template workbook; `village_code` fills the example row's village."""
    workbook = Workbook()
    customers = workbook.active
    customers.title = sheets.CUSTOMER_SHEET
    lists = Dropdowns(workbook)
    _table(customers, sheets.IMPORT_COLUMNS, {**EXAMPLE_CUSTOMER, "village": village_code}, lists)
    members = workbook.create_sheet(sheets.MEMBER_SHEET)
    _table(members, sheets.MEMBER_COLUMNS, EXAMPLE_MEMBER, lists)
    notes = workbook.create_sheet(sheets.NOTES_SHEET)
    for rule in rules():
        notes.append([rule])
    notes.append([])
    notes.append(
        [_("Sheet"), _("Column"), _("Required"), _("For customer types"), _("What to write")]
    )
    for cell in notes[notes.max_row]:
        cell.font = BOLD
    for column in sheets.IMPORT_COLUMNS:
        notes.append(
            [
                sheets.CUSTOMER_SHEET,
                column.header,
                required(column),
                applies_to(column),
                accepted(column),
            ]
        )
    for column in sheets.MEMBER_COLUMNS:
        notes.append([sheets.MEMBER_SHEET, column.header, required(column), "", accepted(column)])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 24
    notes.column_dimensions["D"].width = 36
    notes.column_dimensions["E"].width = 90
    lists.finish()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table(ws, columns, example, lists):
    ws.append([c.header for c in columns])
    ws.append([example.get(c.name) for c in columns])
    for index, column in enumerate(columns, start=1):
        if dropdown := column_values(column):
            values, several = dropdown
            lists.add(ws, index, values, several=several)
        ws.cell(1, index).font = BOLD
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(12, 2 * len(column.header) + 2)
        if column.kind in ("identifier", "text") or column.name == "village":
            # Text format for the whole column, so an ID typed in later stays 18 digits.
            ws.column_dimensions[letter].number_format = "@"
            ws.cell(2, index).number_format = "@"
        if column.kind == "date":
            ws.cell(2, index).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"


def rules():
    return [
        _(
            "Row 1 holds the column names; every row below it is one customer (on 家庭成员, one family member). Delete the example rows before importing."
        ),
        _(
            "Customers are matched by resident ID number (households, growers, individual businesses, family farms) or by unified social credit code (cooperatives, leading enterprises): a customer already on file is updated, never added twice."
        ),
        _(
            "A blank cell keeps what is on file (for a new customer: empty, or the usual yes/no; an amount left blank is unknown, not 0); a cell saying 清空 clears an optional field; a column left out of the file keeps what is on file."
        ),
        _(
            "Format the ID number, credit code and mobile columns as text: a number cell keeps only 15 digits."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the whole file again. A dry run checks the file without writing anything."
        ),
        _(
            "家庭成员: 户主证件号 is the ID number of the household on the customer sheet. The members listed for a household replace those on file; households not listed keep theirs."
        ),
    ]


def required(column):
    if column.required:
        return _("yes")
    if column is sheets.COLUMN["id_number"]:
        return _("for %(types)s") % {"types": _types(NEEDS_ID_NUMBER)}
    if column.name == "credit_code":
        return _("for %(types)s") % {"types": _types(NEEDS_CREDIT_CODE)}
    return ""


def applies_to(column):
    types = [t for t in CustomerType.values if column.name in fields_for(t)]
    if column.name in ("village", "archived_on") or len(types) == len(CustomerType.values):
        return _("all")
    return _types(types)


def _types(types):
    return "、".join(sheets.label(CustomerType, t) for t in CustomerType.values if t in types)


def accepted(column):
    """What a cell of this column may hold, in words."""
    if column.name == "village":
        return _("The code of an administrative village in the system, as on the village's page.")
    if column.name == "group":
        return _("The name of one of that village's groups, e.g. 一组; may be blank.")
    if column.name == "household":
        return _("The ID number of the household on the customer sheet, as text.")
    if column.name == "archived_on":
        return _("A date such as 2024-03-01, not in the future; blank: today for a new customer.")
    if column.choices is not None:
        values = "、".join(
            "/".join(sheets.CHOICE_LABELS[column.choices][value]) for value in column.choices.values
        )
        if column.kind == "products":
            return _("Any of these, separated by 、 or commas: %(values)s") % {"values": values}
        return _("One of: %(values)s") % {"values": values}
    return {
        "identifier": _(
            "Text, not a number cell: 18 characters for an ID number or credit code, 11 digits for a mobile."
        ),
        "boolean": _("是 or 否 (Y/N and 1/0 also work)."),
        "decimal": _("A number of yuan (or mu), not negative, at most 2 decimals."),
        "integer": _("A whole number, not negative."),
        "text": _("Text."),
    }[column.kind]
