"""The daily core-banking movement extract (DOMAIN.md §5.5): the columns, the row checks and
the writes, all or nothing.

One row per movement, keyed on account + date + transaction number (the extract's
natural key): importing the same extract again adds no row; a row whose key is on file
with other values updates it, listed in the dry run (old → new). The customer identifier
is kept as given (a credit code or an ID number); a village customer it names is linked.
File reading, the row-by-row report and the progress are archives/imports/; the layout
is docs/movements-template.md.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from itertools import batched

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import movement_rules
from .imports import CHUNK, ImportResult, Progress, Row, RowChecker, files
from .models import Customer
from .movement_models import Direction, Movement
from .sheets import Column
from .survey import NEEDS_ID_NUMBER

SHEET = "资金流水"
FILE_NAME = "大额资金流水导入模板.xlsx"
COLUMNS = (
    Column("account", "账号", ("账户", "客户账号"), "identifier", mandatory=True),
    Column("date", "交易日期", ("日期", "记账日期"), "date", mandatory=True),
    Column("sequence", "交易流水号", ("流水号", "交易序号", "序号"), "identifier", mandatory=True),
    Column(
        "identifier",
        "证件号码",
        ("统一社会信用代码", "信用代码", "身份证号码", "身份证号", "证件号"),
        "identifier",
        mandatory=True,
    ),
    Column("customer_name", "客户名称", ("户名", "名称")),
    Column("direction", "收支方向", ("方向", "借贷方向"), mandatory=True),
    Column("counterparty_bank", "对方行名", ("对方开户行", "对方银行")),
    Column("cross_bank", "是否跨行", ("跨行",), "boolean"),
    Column("amount", "交易金额", ("交易金额（元）", "金额"), "decimal", mandatory=True),
)
FIELDS = (
    "identifier",
    "customer_name",
    "direction",
    "counterparty_bank",
    "cross_bank",
    "amount",
)
DIRECTION_WORDS = {
    "收": Direction.IN,
    "入": Direction.IN,
    "收入": Direction.IN,
    "转入": Direction.IN,
    "流入": Direction.IN,
    "贷": Direction.IN,
    "in": Direction.IN,
    "支": Direction.OUT,
    "出": Direction.OUT,
    "支出": Direction.OUT,
    "转出": Direction.OUT,
    "流出": Direction.OUT,
    "借": Direction.OUT,
    "out": Direction.OUT,
}
MAX_AMOUNT = Decimal("99999999999999.99")
LENGTHS = {"account": 40, "sequence": 40, "customer_name": 100, "counterparty_bank": 100}


def import_movements(
    fileobj,
    *,
    filename,
    user,
    today: datetime.date,
    now: datetime.datetime,
    dry_run: bool,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> ImportResult:
    """Check every row; write all of it in one transaction, or nothing (as import_balances)."""
    run = _MovementImport(today=today, dry_run=dry_run, progress=progress, chunk=chunk)
    with files.open_archive(fileobj, filename, main_sheet=SHEET) as (sheet, _others):
        run.total = sheet.size
        run.check(sheet)
    if run.result.ok and not dry_run:
        run.write(now=now)
        run.result.written = True
    return run.result


class _MovementImport(RowChecker):
    def __init__(self, *, today, dry_run, progress, chunk):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.today = today
        self.seen = {}  # natural key -> first row
        self.new = []  # Movement objects to create
        self.updates = []  # (pk, {field: value})

    def check(self, sheet):
        mapped, headers = self.header(sheet, Movement, COLUMNS)
        for rows in self.rows(sheet, mapped, headers):
            parsed = []
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                values = self.parse(row, cells)
                parsed.append((row, values))
            keys = [(v["account"], v["date"], v["sequence"]) for _r, v in parsed if v]
            on_file = _on_file(keys)
            villages = _village_customers({v["identifier"] for _r, v in parsed if v})
            for row, values in parsed:
                if values:
                    self.compare(row, values, on_file, villages)
                row.report()

    def parse(self, row, cells):
        """The row's values, or None when a cell is wrong (each problem under its column)."""
        values = {}
        for column in COLUMNS:
            cell = cells.get(column.name)
            if files.blank(cell):
                if column.required:
                    row.add(column.name, _("This field is required."))
                continue
            try:
                values[column.name] = _read(column, cell, self.today)
            except ValueError as error:
                row.add(column.name, str(error))
        if row.problems:
            return None
        values.setdefault("customer_name", "")
        values.setdefault("counterparty_bank", "")
        if "cross_bank" not in values:
            values["cross_bank"] = movement_rules.is_cross_bank(values["counterparty_bank"])
        key = (values["account"], values["date"], values["sequence"])
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.add(
                "sequence",
                _("The same account, date and transaction number are already in row %(row)d.")
                % {"row": first},
            )
            return None
        return values

    def compare(self, row, values, on_file, villages):
        customer = villages.get(values["identifier"])
        key = (values["account"], values["date"], values["sequence"])
        existing = on_file.get(key)
        if existing is None:
            self.new.append(
                Movement(**values, customer=customer if customer is not AMBIGUOUS else None)
            )
            self.result.created += 1
            return
        changed = {}
        for name in FIELDS:
            old = getattr(existing, name)
            if old != values[name]:
                changed[name] = values[name]
                self.change(
                    row.sheet,
                    row.number,
                    row.headers[name],
                    str(existing),
                    _text(old),
                    _text(values[name]),
                )
        if changed:
            self.updates.append((existing.pk, changed))
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    @transaction.atomic
    def write(self, *, now):
        for movement in self.new:
            movement.imported_at = now
        for batch in batched(self.new, self.chunk):
            Movement.objects.bulk_create(batch)
        for pk, changed in self.updates:
            Movement.objects.select_for_update().filter(pk=pk).update(**changed, imported_at=now)


AMBIGUOUS = object()


def _on_file(keys):
    """The movements on file with the chunk's natural keys, in one query."""
    if not keys:
        return {}
    accounts = {k[0] for k in keys}
    dates = {k[1] for k in keys}
    wanted = set(keys)
    found = Movement.objects.filter(account__in=accounts, date__in=dates)
    return {
        (m.account, m.date, m.sequence): m
        for m in found
        if (m.account, m.date, m.sequence) in wanted
    }


def _village_customers(identifiers):
    """identifier -> the one village customer holding it (or AMBIGUOUS), in one query."""
    found = Customer.objects.filter(
        Q(id_number__in=identifiers, customer_type__in=NEEDS_ID_NUMBER)
        | Q(credit_code__in=identifiers)
    ).only("pk", "id_number", "credit_code", "customer_type")
    by_key = {}
    for customer in found:
        person = customer.id_number if customer.customer_type in NEEDS_ID_NUMBER else ""
        for key in {person, customer.credit_code} & identifiers:
            by_key[key] = customer if by_key.get(key, customer) == customer else AMBIGUOUS
    return by_key


def _read(column, cell, today):
    name = column.name
    if name == "date":
        value = files.read_date(cell)
        if value > today:
            raise ValueError(_("A movement date cannot be in the future."))
        return value
    if name == "identifier":
        value = files.compact(files.identifier(cell)).upper()
        if not re.fullmatch(r"[0-9A-Z]{15,18}", value):
            raise ValueError(_("Write the 18-character credit code or ID number."))
        return value
    if name == "direction":
        word = files.text(cell).strip().lower()
        if word not in DIRECTION_WORDS:
            raise ValueError(_("Write 收 (in) or 支 (out)."))
        return DIRECTION_WORDS[word]
    if name == "cross_bank":
        return files.boolean(cell)
    if name == "amount":
        text = re.sub(r"[,，\s]", "", files.text(cell))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Write an amount in yuan, such as 12000000.00.")) from None
        if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
            raise ValueError(_("The amount must be above 0."))
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(_("An amount has at most 2 decimals."))
        return value.quantize(Decimal("0.01"))
    text = files.identifier(cell) if column.kind == "identifier" else files.text(cell)
    if len(text) > LENGTHS.get(name, 100):
        raise ValueError(_("At most %(n)d characters.") % {"n": LENGTHS.get(name, 100)})
    return text


def _text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
