"""Import of the monthly marketing extract into the ledger: keyed on staff number, all or nothing.

The layout is docs/ledger-template.md. Reading the file, the row-by-row problem
report, the progress and the background job are the archive import's
(archives/imports/, archives/tasks.py): the job is a jobs.Job of kind "ledger_import".
Every row is checked by LedgerLineForm, the form head office uses for a line by
hand. A row names a person, a month, an item and maybe a household or terminal;
importing a line already on file replaces its quantities, so importing a month's
extract again replaces instead of adding. Nothing is written if any row has a
problem, and never into a closed month: rows of a month closed when they are read
are problems, and the write locks each month of the file (assessment/months.py)
and raises MonthClosed, writing nothing, if one was closed since.
"""

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from archives.imports import CHUNK, ImportResult, Progress, Row, RowChecker, files
from archives.models import User
from archives.sheets import Column, normalize

from .ledger import (
    QUANTITY_FIELDS,
    LedgerLineForm,
    closed_month_message,
    first_of_month,
    month_is_closed,
    read_month,
)
from .models.ledger import LedgerEntry, LedgerKind
from .months import lock_open_months

SHEET = "台账"

# The extract's columns. Headers are a data format files depend on, so they are fixed
# here, not translated (as archives/sheets.py); aliases are other headers accepted.
COLUMNS = (
    Column("staff_no", "工号", ("员工号", "员工编号", "柜员号"), "identifier", mandatory=True),
    Column("staff_name", "姓名", ("员工姓名", "客户经理")),
    Column("month", "月份", ("所属月份", "统计月份"), "month", mandatory=True),
    Column("kind", "项目", ("营销项目", "业务项目"), "choice", mandatory=True),
    Column("item_ref", "编号/户名", ("编号", "户名", "终端号", "账号", "商户名称")),
    Column("amount", "金额", ("金额（元）", "积数", "金额/积数"), "decimal"),
    Column("count", "数量", ("户数", "张数", "台数"), "integer"),
    Column("avg_tx_count", "月均笔数", ("月均交易笔数",), "decimal"),
    Column("avg_tx_amount", "月均交易额", ("月均交易额（元）", "月均交易金额"), "decimal"),
)

# The label of each item in files; the first is the one the template shows.
KIND_LABELS = {
    LedgerKind.FIXED_DEPOSIT: ("定期存款", "组织定期存款"),
    LedgerKind.DEMAND_DEPOSIT: ("活期存款积数", "活期存款", "活期积数"),
    LedgerKind.LOAN_PRINCIPAL: ("收回贷款本金", "贷款本金"),
    LedgerKind.LOAN_INTEREST: ("收回贷款利息", "贷款利息"),
    LedgerKind.NPL_RECOVERED: ("收回不良贷款本息", "收回不良贷款", "不良贷款本息"),
    LedgerKind.FUKA: ("福卡", "福卡借记卡"),
    LedgerKind.VIP_CARD: ("VIP卡", "贵宾卡"),
    LedgerKind.PERSONAL_EBANKING: ("个人网银/手机银行", "个人网银", "手机银行", "个人网上银行"),
    LedgerKind.CORPORATE_EBANKING: ("企业网银", "企业网上银行"),
    LedgerKind.SMS_THIRDPARTY: ("短信银行/第三方支付", "短信银行", "第三方支付"),
    LedgerKind.POS: ("POS", "POS机"),
    LedgerKind.KALEFU: ("卡乐付", "卡乐付终端"),
    LedgerKind.SPECIAL_MERCHANT: ("特惠商户",),
}


def kind_label(kind) -> str:
    return KIND_LABELS[kind][0]


def kind_lookup() -> dict[str, str]:
    """Normalised label, alias, code or catalogue label -> kind."""
    lookup = {}
    for kind, labels in KIND_LABELS.items():
        for text in (*labels, kind.value, kind.label):
            lookup.setdefault(normalize(text), kind.value)
    return lookup


def import_ledger(
    fileobj,
    *,
    filename,
    user,
    today: datetime.date,
    now: datetime.datetime,
    dry_run: bool,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    job=None,
) -> ImportResult:
    """Check every row of the extract; write all of it in one transaction, or nothing.

    Same arguments and result as archives.imports.import_archive, so the import job runs
    it; `job` is recorded on every line it writes.
    """
    run = _LedgerImport(today=today, dry_run=dry_run, progress=progress, chunk=chunk)
    with files.open_archive(fileobj, filename, main_sheet=SHEET) as (sheet, _others):
        run.total = sheet.size
        run.check(sheet)
    if run.result.ok and not dry_run:
        run.write(
            user=user, now=now, job=job, reason=_("Imported from %(file)s") % {"file": filename}
        )
        run.result.written = True
    return run.result


class _LedgerImport(RowChecker):
    def __init__(self, *, today, dry_run, progress, chunk):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.today = today
        self.staff = {
            number.upper(): pk
            for pk, number in User.objects.exclude(staff_no=None).values_list("pk", "staff_no")
        }
        self.kinds = kind_lookup()
        self.closed = {}  # month -> closed?, asked once per month of the file
        self.seen = {}  # line key -> first row, for duplicates inside the file
        self.creates, self.updates = [], []

    def check(self, sheet):
        mapped, headers = self.header(sheet, LedgerEntry, COLUMNS)
        for rows in self.rows(sheet, mapped, headers):
            lines = []
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                for name in ("staff_no", "month", "kind"):  # what names the line
                    if files.is_clear(cells.get(name)):
                        row.cleared(name, required=True)
                person = self.person(row, cells.get("staff_no"))
                month = self.month(row, cells.get("month"))
                kind = self.kind(row, cells.get("kind"))
                lines.append((row, cells, (person, month, kind)))
            existing = self.existing([key for _r, _c, key in lines if None not in key])
            for row, cells, key in lines:
                self.check_row(row, cells, key, existing)
                row.report()

    def person(self, row, value):
        if "staff_no" in row.columns:  # 清空: already the row's problem
            return None
        if files.blank(value):
            row.add("staff_no", _("This field is required."))
            return None
        number = files.text(value)
        person = self.staff.get(number.upper())
        if person is None:
            row.add(
                "staff_no", _("No staff member has staff number %(number)s.") % {"number": number}
            )
        return person

    def month(self, row, value):
        if "month" in row.columns:  # 清空: already the row's problem
            return None
        if files.blank(value):
            row.add("month", _("This field is required."))
            return None
        try:
            month = read_month(value)
        except ValueError as error:
            row.add("month", str(error))
            return None
        if month > first_of_month(self.today):
            row.add("month", _("The month cannot be in the future."))
            return None
        if month not in self.closed:
            self.closed[month] = month_is_closed(month)
        if self.closed[month]:
            row.add("month", closed_month_message(month))
            return None
        return month

    def kind(self, row, value):
        if "kind" in row.columns:  # 清空: already the row's problem
            return None
        if files.blank(value):
            row.add("kind", _("This field is required."))
            return None
        text = files.text(value)
        kind = self.kinds.get(normalize(text))
        if kind is None:
            row.add(
                "kind",
                _("“%(value)s” is not an accepted value; use one of: %(choices)s.")
                % {"value": text, "choices": "、".join(kind_label(k) for k in LedgerKind)},
            )
        return kind

    def existing(self, keys):
        """The lines on file of the chunk's people and months, in one query."""
        people = {person for person, _month, _kind in keys}
        months = {month for _person, month, _kind in keys}
        found = LedgerEntry.objects.filter(person_id__in=people, month__in=months)
        return {(e.person_id, e.month, e.kind, e.item_ref): e for e in found}

    def check_row(self, row, cells, key, existing):
        """Check the quantities by the line form; count the line as new, updated or unchanged.

        For a line on file, a blank cell keeps its quantity and 清空 clears it (DOMAIN.md §7).
        """
        ref = cells.get("item_ref")
        item_ref = "" if files.is_clear(ref) else files.text(ref)
        on_file = existing.get((*key, item_ref)) if None not in key else None
        data = {"kind": key[2] or "", "item_ref": item_ref}
        for name in QUANTITY_FIELDS:
            cell = cells.get(name)
            if files.is_clear(cell):
                row.cleared(name, required=False)  # left out of the data: the field's default
            elif not files.blank(cell):
                data[name] = re.sub(r"[,，\s]", "", files.text(cell))
            elif on_file is not None and getattr(on_file, name) is not None:
                data[name] = str(getattr(on_file, name))
        form = LedgerLineForm(data)
        row.add_form_errors(form)  # an unknown item is already the row's problem
        if row.problems:
            return
        values = {name: form.cleaned_data[name] for name in QUANTITY_FIELDS}
        line = (*key, form.cleaned_data["item_ref"])
        where = "item_ref" if line[3] else "kind"
        first = self.seen.setdefault(line, row.number)
        if first != row.number:
            row.add(
                where,
                _(
                    "The same staff number, month, item and number or name are already in row %(row)d of this file."
                )
                % {"row": first},
            )
            return
        entry = existing.get(line)
        if entry is None:
            person, month, kind, item_ref = line
            self.creates.append(
                LedgerEntry(person_id=person, month=month, kind=kind, item_ref=item_ref, **values)
            )
            self.result.created += 1
        elif all(getattr(entry, name) == value for name, value in values.items()):
            self.result.unchanged += 1
        elif entry.source == LedgerEntry.Source.MANUAL:
            row.add(
                where,
                _(
                    "Head office entered this line by hand (%(reason)s); an import does not overwrite it. Leave the row out of the file, or correct the line to the file's values first."
                )
                % {"reason": entry.reason},
            )
        else:
            subject = " ".join(
                (files.text(cells.get("staff_no")), f"{entry.month:%Y-%m}", kind_label(entry.kind))
            )
            subject = f"{subject} {entry.item_ref}".strip()
            for name, value in values.items():
                if getattr(entry, name) != value:
                    old = "" if getattr(entry, name) is None else str(getattr(entry, name))
                    new = "" if value is None else str(value)
                    self.change(row.sheet, row.number, row.headers[name], subject, old, new)
                setattr(entry, name, value)
            self.updates.append(entry)
            self.result.updated += 1

    @transaction.atomic
    def write(self, *, user, now, job, reason):
        lock_open_months(entry.month for entry in (*self.creates, *self.updates))
        history = {"default_user": user, "default_date": now, "default_change_reason": reason}
        for entry in (*self.creates, *self.updates):
            entry.source = LedgerEntry.Source.IMPORT
            entry.created_by, entry.created_at, entry.import_job = user, now, job
        bulk_create_with_history(self.creates, LedgerEntry, batch_size=self.chunk, **history)
        fields = [*QUANTITY_FIELDS, "created_by", "created_at", "import_job"]
        bulk_update_with_history(
            self.updates, LedgerEntry, fields, batch_size=self.chunk, **history
        )
