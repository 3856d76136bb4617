"""Figures from the core-banking extract (DOMAIN.md §5.1): the columns, the row checks and the writes.

Head office (and its corporate finance and credit management departments) imports the
monthly extract keyed on the unified social credit code of a corporate customer on file;
each row is one customer's figures for one period (the first day of a month), stored as
one Figures row per customer and period. The import is the balance import's
(archives/balances.py) in every other respect: all or nothing, a dry run listing each
change (old → new), a blank cell keeps the stored value of that period, 清空 clears an
optional field, and the change history keeps who imported it. File reading, the
row-by-row report and the progress are archives/imports/; the layout is
docs/credit-figures-template.md.
"""

import datetime
import re
from decimal import Decimal
from itertools import batched

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.identity import validate_credit_code
from archives.imports import CHUNK, ImportResult, Progress, Row, RowChecker, files
from archives.sheets import LIST_SEPARATORS, Column

from .models import CorporateCustomer, Figures
from .rules import to_fen

SHEET = "经营数据"

# The extract's columns. Headers are a data format files depend on, so they are fixed
# here, not translated (as archives/sheets.py); aliases are other headers accepted.
COLUMNS = (
    Column(
        "key",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一代码"),
        "identifier",
        mandatory=True,
    ),
    Column("customer_name", "客户名称", ("企业名称", "名称", "户名")),
    Column("period", "数据期间", ("期间", "数据月份", "月份", "数据日期"), "month", mandatory=True),
    Column(
        "exposure",
        "上年度日均授信敞口",
        ("上年度日均授信敞口（元）", "日均授信敞口", "授信敞口"),
        "decimal",
    ),
    Column("deposits", "日均存款", ("日均存款（元）", "存款日均"), "decimal"),
    Column("settlement_share", "结算占比(%)", ("结算占比",), "percent"),
    Column("funds_return_rate", "资金归行率(%)", ("资金归行率",), "percent"),
    Column("online_banking_opened", "企业网银已开通", ("企业网银开通",), "boolean"),
    Column("online_banking_settlement", "企业网银用于结算", ("企业网银结算",), "boolean"),
    Column("payroll_headcount", "代发工资人数", ("代发人数",), "integer"),
    Column(
        "payroll_monthly",
        "代发工资月金额",
        ("代发工资月金额（元）", "代发工资金额", "代发金额"),
        "decimal",
    ),
    Column("pos_monthly", "POS月结算额", ("POS月结算额（元）", "POS结算额"), "decimal"),
    Column("credit_cards", "信用卡发卡数", ("信用卡数", "发卡数"), "integer"),
    Column("products", "使用产品", ("已用产品", "产品"), "products"),
)
COLUMN = {c.name: c for c in COLUMNS}
# The Figures fields a row sets, in the columns' order.
FIELDS = tuple(c.name for c in COLUMNS if c.name not in ("key", "customer_name", "period"))
BOOLEAN_FIELDS = tuple(c.name for c in COLUMNS if c.kind == "boolean")
NUMBER_FIELDS = tuple(c.name for c in COLUMNS if c.kind in ("decimal", "percent", "integer"))
EMPTY = {
    name: False if name in BOOLEAN_FIELDS else [] if name == "products" else None for name in FIELDS
}
PRODUCT_LENGTH = 40  # characters of one product's name
PRODUCT_LIMIT = 50  # products in one cell

NON_NEGATIVE = MinValueValidator(0, message=gettext_lazy("This cannot be negative."))
AT_MOST_100 = MaxValueValidator(100, message=gettext_lazy("A percentage is at most 100."))
MONTH = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))")


def _money():
    return forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, validators=[NON_NEGATIVE]
    )


def _percent():
    return forms.DecimalField(
        required=False, max_digits=6, decimal_places=2, validators=[NON_NEGATIVE, AT_MOST_100]
    )


def _count():
    return forms.IntegerField(required=False, max_value=2_147_483_647, validators=[NON_NEGATIVE])


class FiguresForm(forms.Form):
    """One row's numbers: money in yuan (2 decimals), percentages 0-100, counts from 0."""

    exposure = _money()
    deposits = _money()
    settlement_share = _percent()
    funds_return_rate = _percent()
    online_banking_opened = forms.BooleanField(required=False)
    online_banking_settlement = forms.BooleanField(required=False)
    payroll_headcount = _count()
    payroll_monthly = _money()
    pos_monthly = _money()
    credit_cards = _count()


def import_figures(
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
    """Check every row of the extract; write all of it in one transaction, or nothing.

    Same arguments and result as archives.imports.import_archive, so the import job
    (archives.tasks.register_import) and the command run it as they run the others.
    """
    run = _FiguresImport(today=today, dry_run=dry_run, progress=progress, chunk=chunk)
    with files.open_archive(fileobj, filename, main_sheet=SHEET) as (sheet, _others):
        run.total = sheet.size
        run.check(sheet)
    if run.result.ok and not dry_run:
        run.write(user=user, now=now, reason=_("Imported from %(file)s") % {"file": filename})
        run.result.written = True
    return run.result


class _FiguresImport(RowChecker):
    def __init__(self, *, today, dry_run, progress, chunk):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.today = today
        self.seen = {}  # (credit code, period) -> first row, for duplicates inside the file
        # (customer pk, period, {field: value} the file states), in the file's order.
        self.planned = []

    def check(self, sheet):
        mapped, headers = self.header(sheet, Figures, COLUMNS)
        present = {c.name for c in mapped if c is not None}
        if not present & set(FIELDS):
            self.problem(sheet.title, 1, "", _("The file has no figures column."))
        for rows in self.rows(sheet, mapped, headers):
            customers, figures = self.existing(rows)
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                self.check_row(row, cells, customers, figures, present)
                row.report()

    def existing(self, rows):
        """The chunk's customers by credit code and their figures on file: two queries."""
        keys = {k for _n, cells in rows if (k := _code_or_none(cells.get("key")))}
        customers = {
            c.credit_code: c for c in CorporateCustomer.objects.filter(credit_code__in=keys)
        }
        periods = {
            p for _n, cells in rows if (p := _period_or_none(cells.get("period"), self.today))
        }
        figures = {
            (f.customer_id, f.period): f
            for f in Figures.objects.filter(
                customer__in=[c.pk for c in customers.values()], period__in=periods
            )
        }
        return customers, figures

    def check_row(self, row, cells, customers, figures, present):
        key, period = self.key_and_period(row, cells)
        if row.problems:
            return
        first = self.seen.setdefault((key, period), row.number)
        if first != row.number:
            row.add(
                "key",
                _("The same customer and period are already in row %(row)d of this file.")
                % {"row": first},
            )
            return
        if key == EXAMPLE_CODE:
            row.add("key", _("This is the template's example row: delete it."))
            return
        customer = customers.get(key)
        if customer is None:
            row.add("key", _("No corporate customer on file has this credit code."))
            return
        on_file = figures.get((customer.pk, period))
        before = _values(on_file)
        given = {}  # the fields this row sets or clears
        for name in FIELDS:
            # A column left out or a blank cell keeps what that period has on file
            # (DOMAIN.md §7); 清空 clears an optional field.
            cell = cells.get(name) if name in present else None
            if files.is_clear(cell):
                if row.cleared(name, required=name in BOOLEAN_FIELDS):
                    given[name] = _empty()[name]
            elif not files.blank(cell):
                value = self.cell(row, name, cell)
                if name not in row.columns:
                    given[name] = value
        data = {name: _as_data(given.get(name, before[name])) for name in NUMBER_FIELDS}
        data.update({name: given.get(name, before[name]) for name in BOOLEAN_FIELDS})
        form = FiguresForm(data)
        row.add_form_errors(form)
        if row.problems:
            return
        for name in (*NUMBER_FIELDS, *BOOLEAN_FIELDS):
            if name in given:
                value = form.cleaned_data[name]
                # 350000 is stored, listed and compared as 350000.00, as the database gives it.
                given[name] = to_fen(value) if isinstance(value, Decimal) else value
        after = {**before, **given}
        subject = f"{customer.name} {period:%Y-%m}"
        if on_file is None:
            self.change(
                row.sheet, row.number, row.headers["period"], subject, "", f"{period:%Y-%m}"
            )
        for name in FIELDS:
            if after[name] != before[name]:
                self.change(
                    row.sheet,
                    row.number,
                    row.headers[name],
                    subject,
                    _text(before[name]),
                    _text(after[name]),
                )
        if on_file is None:
            self.result.created += 1
        elif after != before:
            self.result.updated += 1
        else:
            self.result.unchanged += 1
            return
        self.planned.append((customer.pk, period, given))

    def key_and_period(self, row, cells):
        """The row's credit code and period, or problems under their columns."""
        key = period = None
        if files.blank(cells.get("key")):
            row.add("key", _("This field is required."))
        else:
            try:
                key = _code(cells["key"])
            except (ValueError, ValidationError) as error:
                row.add("key", _message(error))
        if files.blank(cells.get("period")):
            row.add("period", _("This field is required."))
        else:
            try:
                period = read_period(cells["period"], self.today)
            except ValueError as error:
                row.add("period", str(error))
        return key, period

    def cell(self, row, name, value):
        """A cell as the form's data (numbers, 是/否) or the products' list; a bad one is the row's problem."""
        try:
            if name in BOOLEAN_FIELDS:
                return files.boolean(value)
            if name == "products":
                return read_products(value)
        except ValueError as error:
            row.add(name, str(error))
            return None
        text = re.sub(r"[,，\s]", "", files.text(value))  # 12,345.60 as a bank's report writes it
        if COLUMN[name].kind == "percent":
            text = text.removesuffix("%").removesuffix("％")
        return text

    @transaction.atomic
    def write(self, *, user, now, reason):
        """Create or update each customer's period, a chunk at a time, with its history.

        The chunk's customers are locked first, so two imports of the same customers
        queue; the figures are read again under the lock and only the fields the file
        states are applied to them, so what another import wrote meanwhile is kept.
        """
        for batch in batched(self.planned, self.chunk):
            ids = {pk for pk, _period, _given in batch}
            list(CorporateCustomer.objects.select_for_update().filter(pk__in=ids).values("pk"))
            on_file = {
                (f.customer_id, f.period): f
                for f in Figures.objects.filter(
                    customer__in=ids, period__in={period for _pk, period, _given in batch}
                )
            }
            created, updated = [], []
            for pk, period, given in batch:
                figures = on_file.get((pk, period))
                if figures is None:
                    figures = Figures(customer_id=pk, period=period, **_empty())
                    created.append(figures)
                else:
                    updated.append(figures)
                for name, value in given.items():
                    setattr(figures, name, value)
                figures.imported_at = now
            Figures.objects.bulk_create(created)
            Figures.objects.bulk_update(updated, [*FIELDS, "imported_at"])
            for rows, update in ((created, False), (updated, True)):
                if rows:
                    Figures.history.bulk_history_create(
                        rows,
                        update=update,
                        default_user=user,
                        default_date=now,
                        default_change_reason=reason,
                    )


# The template's example code: a valid code no customer should hold.
EXAMPLE_CODE = "91421122MA49X0001T"


def _code(value) -> str:
    """The credit code as stored: text (a number cell loses digits), compacted and checked."""
    return validate_credit_code(files.identifier(value))


def _code_or_none(value):
    if files.blank(value):
        return None
    try:
        return _code(value)
    except (ValueError, ValidationError):
        return None


def _message(error) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


def read_period(value, today: datetime.date) -> datetime.date:
    """A period cell as the first day of its month: 2026-10, 2026年10月, 202610, or any date."""
    if isinstance(value, float | Decimal) and value % 1:
        # 2026.10 typed in a number cell is 2026.1: it cannot say October.
        raise ValueError(_("Write the period as text such as 2026-10, or as a date."))
    if isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
    elif match := MONTH.fullmatch(files.text(value)):
        year, month = int(match[1]), int(match[2] or match[3])
        if not 1 <= month <= 12:
            raise ValueError(_("Write the period as a month such as 2026-10, or as a date."))
        day = datetime.date(year, month, 1)
    else:
        try:
            day = files.read_date(value)
        except ValueError:
            raise ValueError(
                _("Write the period as a month such as 2026-10, or as a date.")
            ) from None
    if day > today:
        raise ValueError(_("The period cannot be in the future."))
    return day.replace(day=1)


def _period_or_none(value, today):
    if files.blank(value):
        return None
    try:
        return read_period(value, today)
    except ValueError:
        return None


def read_products(value) -> list[str]:
    """The products used: names separated by 、 , ; (or line breaks), each kept once."""
    names = [p.strip() for p in LIST_SEPARATORS.split(files.text(value)) if p.strip()]
    for name in names:
        if len(name) > PRODUCT_LENGTH:
            raise ValueError(
                _("A product name is at most %(n)d characters: “%(name)s”.")
                % {"n": PRODUCT_LENGTH, "name": name}
            )
    names = list(dict.fromkeys(names))
    if len(names) > PRODUCT_LIMIT:
        raise ValueError(_("At most %(n)d products in one cell.") % {"n": PRODUCT_LIMIT})
    return names


def _empty() -> dict:
    """The fields of a period not on file yet: no figure, 否, no product."""
    return {**EMPTY, "products": []}


def _values(figures) -> dict:
    if figures is None:
        return _empty()
    return {name: getattr(figures, name) for name in FIELDS}


def _as_data(value):
    return "" if value is None else str(value)


def _text(value) -> str:
    """A value as the dry run lists it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)
