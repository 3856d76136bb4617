"""Balances from the core-banking extract: the row form, the import (all or nothing) and the writes.

Head office imports the extract keyed on ID number or credit code; it is the one
source of balances and maturities (DOMAIN.md §7): no page edits them, the survey
form shows them read only. Each row is checked by BalancesForm and the change
history keeps who imported it. The file reading, the row-by-row problem report, the progress and the job are the archive
import's (archives/imports/, archives/tasks.py); the layout is
docs/balances-template.md.
"""

import datetime
import re
from itertools import batched

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric

from .imports import CHUNK, ImportResult, Progress, Row, RowChecker, files
from .models import ZERO, Customer
from .sheets import Column
from .signals import customers_written
from .survey import BALANCE_DATE_FIELDS as DATE_FIELDS
from .survey import BALANCE_FIELDS, NEEDS_ID_NUMBER
from .survey import BALANCE_MONEY_FIELDS as MONEY_FIELDS

SHEET = "余额"

# The extract's columns. Headers are a data format files depend on, so they are fixed
# here, not translated (as archives/sheets.py); aliases are other headers accepted.
COLUMNS = (
    Column(
        "key",
        "证件号码",
        ("身份证号", "身份证号码", "统一社会信用代码", "信用代码", "证件号"),
        "identifier",
        mandatory=True,
    ),
    Column("customer_name", "客户名称", ("姓名", "名称", "户名", "姓名/名称")),
    Column("deposit_balance", "存款余额", ("存款余额（元）",), "decimal"),
    Column("loan_balance", "贷款余额", ("贷款余额（元）",), "decimal"),
    Column("deposit_maturity", "定期存款到期日", ("存款到期日",), "date"),
    Column("loan_maturity", "贷款到期日", (), "date"),
    Column("interest_due_on", "下次付息日", ("付息日",), "date"),
    Column("balances_as_of", "数据日期", ("余额日期",), "date", mandatory=True),
)
COLUMN = {c.name: c for c in COLUMNS}


class BalancesForm(forms.ModelForm):
    """One row's balances and dates; blank amounts mean 0, the data date is required."""

    class Meta:
        model = Customer
        fields = BALANCE_FIELDS
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in DATE_FIELDS
        }
        help_texts = {
            "balances_as_of": gettext_lazy(
                "The date of the core-banking data the balances were read from."
            ),
        }

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for name in MONEY_FIELDS:
            self.fields[name].required = False
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "min": "0"})
        self.fields["balances_as_of"].required = True

    def clean_balances_as_of(self):
        value = self.cleaned_data["balances_as_of"]
        if value > self.today:
            raise forms.ValidationError(_("The data date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        for name in MONEY_FIELDS:
            if name in data and data[name] is None:
                data[name] = ZERO
        return data


def import_balances(
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

    Same arguments and result as imports.import_archive, so the import job runs either.
    """
    run = _BalanceImport(today=today, dry_run=dry_run, progress=progress, chunk=chunk)
    with files.open_archive(fileobj, filename, main_sheet=SHEET) as (sheet, _others):
        run.total = sheet.size
        run.check(sheet)
    if run.result.ok and not dry_run:
        run.write(user=user, now=now, reason=_("Imported from %(file)s") % {"file": filename})
        run.result.written = True
    return run.result


class _BalanceImport(RowChecker):
    def __init__(self, *, today, dry_run, progress, chunk):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.today = today
        self.seen = {}  # identifier -> first row, for duplicates inside the file
        self.updates = []  # (customer pk, new values in BALANCE_FIELDS order)

    def check(self, sheet):
        mapped, headers = self.header(sheet, Customer, COLUMNS)
        present = {c.name for c in mapped if c is not None}
        if not present & (set(BALANCE_FIELDS) - {"balances_as_of"}):
            self.problem(sheet.title, 1, "", _("The file has no balance or date column."))
        for rows in self.rows(sheet, mapped, headers):
            found = self.existing(rows)
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                self.check_row(row, cells, found, present)
                row.report()

    def existing(self, rows):
        """The customers the chunk's identifiers name, in one query: ID number or credit code."""
        keys = {k for _n, cells in rows if (k := _key_or_none(cells.get("key")))}
        found = Customer.objects.filter(
            Q(id_number__in=keys, customer_type__in=NEEDS_ID_NUMBER) | Q(credit_code__in=keys)
        )
        by_key = {}
        for customer in found:
            # An organisation's id_number is its legal representative's: never a match.
            person = customer.id_number if customer.customer_type in NEEDS_ID_NUMBER else ""
            for key in {person, customer.credit_code} & keys:
                by_key[key] = customer if by_key.get(key, customer) == customer else AMBIGUOUS
        return by_key

    def check_row(self, row, cells, found, present):
        if files.blank(cells.get("key")):
            row.add("key", _("This field is required."))
            return
        try:
            key = _key(cells["key"])
        except ValueError as error:
            row.add("key", str(error))
            return
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.add(
                "key", _("The same number is already in row %(row)d of this file.") % {"row": first}
            )
            return
        customer = found.get(key)
        if customer is None:
            row.add("key", _("No customer on file has this ID number or credit code."))
            return
        if customer is AMBIGUOUS:
            row.add("key", _("More than one customer on file has this number; ask head office."))
            return
        before = _values(customer)
        data = {}
        for name in BALANCE_FIELDS:
            # A column left out or a blank cell keeps what is on file (DOMAIN.md §7), but
            # every row carries its data date; 清空 clears an amount to 0 or a date to none.
            cell = cells.get(name) if name in present else None
            if files.is_clear(cell):
                if row.cleared(name, required=name == "balances_as_of"):
                    continue
                data[name] = _as_data(getattr(customer, name))
            elif not files.blank(cell):
                data[name] = self.cell(row, name, cell)
            elif name != "balances_as_of":
                data[name] = _as_data(getattr(customer, name))
        form = BalancesForm(data, instance=customer, today=self.today)
        row.add_form_errors(form)
        if row.problems:
            return
        on_file = before[BALANCE_FIELDS.index("balances_as_of")]
        if on_file and customer.balances_as_of < on_file:
            row.add(
                "balances_as_of",
                _("Balances as of %(date)s are already on file; this row is older.")
                % {"date": on_file.isoformat()},
            )
            return
        after = _values(customer)
        for name, old, new in zip(BALANCE_FIELDS, before, after, strict=True):
            if old != new:
                self.change(
                    row.sheet, row.number, row.headers[name], customer.name, _text(old), _text(new)
                )
        if after != before:
            self.updates.append((customer.pk, after))
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def cell(self, row, name, value):
        """A cell as the form's data; a date that cannot be read is the row's problem."""
        if name in DATE_FIELDS:
            try:
                return files.read_date(value).isoformat()
            except ValueError as error:
                row.add(name, str(error))
                return None
        text = files.text(value)
        return re.sub(r"[,，\s]", "", text)  # 12,345.60 as a bank's report writes it

    @transaction.atomic
    def write(self, *, user, now, reason):
        """Update the customers and record their history, a chunk at a time.

        One UPDATE per customer rather than QuerySet.bulk_update: every customer has its
        own amounts, and bulk_update's CASE per field and row measured seven times slower
        (10,000 customers: 1.6 s against 11.8 s on SQLite). The customers are re-read
        whole and locked, because a history record holds every field.
        """
        villages = set()
        for batch in batched(self.updates, self.chunk):
            values = dict(batch)
            customers = list(Customer.objects.select_for_update().filter(pk__in=values))
            villages.update(customer.village_id for customer in customers)
            for customer in customers:
                changes = dict(zip(BALANCE_FIELDS, values[customer.pk], strict=True))
                changes["updated_at"] = now
                Customer.objects.filter(pk=customer.pk).update(**changes)
                for name, value in changes.items():
                    setattr(customer, name, value)
            Customer.history.bulk_history_create(
                customers,
                update=True,
                default_user=user,
                default_date=now,
                default_change_reason=reason,
            )
        if villages:
            customers_written.send(sender=Customer, village_ids=villages)


AMBIGUOUS = object()


def _key(value) -> str:
    """The identifier cell as stored: text only (a number cell loses digits), compacted."""
    return ric.compact(files.identifier(value))


def _key_or_none(value):
    if files.blank(value):
        return None
    try:
        return _key(value)
    except ValueError:
        return None


def _values(customer):
    return tuple(getattr(customer, name) for name in BALANCE_FIELDS)


def _text(value) -> str:
    """A balance or date as the dry run lists it."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _as_data(value):
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime.date) else str(value)
