"""The downloadable movement template (大额资金流水导入模板.xlsx): the header row and a 说明 sheet,
generated from archives/movements.py so it always matches what the import accepts."""

import datetime

from django.utils.translation import gettext as _

from . import movements, template_book
from .dropdowns import yes_no
from .movement_models import Direction

EXAMPLE = {
    "account": "1820100000012345",
    "date": datetime.date(2026, 12, 3),
    "sequence": "20261203000123",
    "identifier": "91421122MA4XXXXXX0",
    "customer_name": "红安示例建材有限公司（示例）",
    "direction": "支",
    "counterparty_bank": "中国工商银行武汉分行",
    "cross_bank": "是",
    "amount": "12000000.00",
}


def build_template() -> bytes:
    return template_book.build(
        title=movements.SHEET,
        columns=movements.COLUMNS,
        example=EXAMPLE,
        rules=rules(),
        accepted=accepted,
        example_width=30,
        lists={"direction": directions(), "cross_bank": yes_no()},
    )


def directions() -> list[str]:
    """收 and 支: the first word the import reads as each direction."""
    words = movements.DIRECTION_WORDS
    return [next(w for w, d in words.items() if d == direction) for direction in Direction]


def rules():
    return [
        _(
            "One row per movement on the 资金流水 sheet. Account, date and transaction number together name a movement: importing the same extract again adds nothing."
        ),
        _(
            "If any row has a problem nothing is imported: fix the rows listed and import the whole file again. A dry run checks the file without writing anything."
        ),
    ]


def accepted(column):
    texts = {
        "account": _("Text: the customer's account number."),
        "date": _("The movement's date such as 2026-12-03, not in the future."),
        "sequence": _(
            "Text: the core-banking transaction number, unique within the account and day."
        ),
        "identifier": _(
            "Text: the unified social credit code of a corporate customer, or the ID number or credit code of a village customer."
        ),
        "customer_name": _("For people reading the file; not checked."),
        "direction": _("收 (into the account) or 支 (out of it)."),
        "counterparty_bank": _("The bank of the other party."),
        "cross_bank": _(
            "是 or 否. Blank: cross-bank when the counterparty bank is given and is not this bank."
        ),
        "amount": _("Yuan, above 0, at most 2 decimals."),
    }
    return texts[column.name]
