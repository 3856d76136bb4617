"""Import of village archives from XLSX or CSV: each row checked by the survey forms, all or nothing.

The file's layout is archives/sheets.py (docs/import-template.md for people).
Every customer row is checked by the same CustomerForm the pages use, every family
row by FamilyMemberForm: one form per customer type, bound to each row in turn
(forms.RowByRow). The import runs in two passes so progress can be shown while it
runs: first every row is checked (nothing written; the customers a chunk of rows
names, and those holding its ID numbers and credit codes, fetched in one query per
chunk, so no query runs per row) and what would change is kept as compact tuples;
then, only if no row has a problem and it is not a dry run, everything is written
in one transaction with bulk inserts and updates that keep the change history.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched

from django import forms
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from stdnum.cn import uscc

from .. import sheets
from ..forms import CustomerRowForm, FamilyMemberRowForm
from ..models import Customer, CustomerType, FamilyMember, Village, VillageGroup
from ..survey import HAS_FAMILY, NEEDS_ID_NUMBER, fields_for
from . import files

CHUNK = 1000
ERROR_LIMIT = 1000  # problems kept for the report; the count goes on
MAX_MEMBERS = 30  # as the page's family formset

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str
    message: str

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self):
        return self.problem_count == 0


def import_archive(
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
    """Check every row of the file; write all of it in one transaction, or nothing.

    `user` is recorded as who filed new customers and in the change history.
    """
    with files.open_archive(fileobj, filename) as (customers, members):
        run = _Importer(
            user=user,
            today=today,
            now=now,
            dry_run=dry_run,
            progress=progress,
            chunk=chunk,
            reason=_("Imported from %(file)s") % {"file": filename},
        )
        run.total = customers.size + (members.size if members else 0)
        run.check_customers(customers)
        if members is not None:
            run.check_members(members)
        run.plan_members()
    if run.result.ok and not dry_run:
        run.write()
        run.result.written = True
    return run.result


class RowChecker:
    """What every file import shares: the problem report, progress, header and chunked rows.

    The archive import below and the balance import (archives/balances.py) build on it,
    so both report problems and progress the same way to the same ImportJob.
    """

    def __init__(self, *, dry_run, progress, chunk):
        self.chunk = chunk
        self.progress = progress
        self.result = ImportResult(dry_run=dry_run)
        self.total = self.done = 0
        self.error_keys = set()

    # --- reporting -----------------------------------------------------------

    def problem(self, sheet, row, column, message):
        self.result.problem_count += 1
        if len(self.result.problems) < ERROR_LIMIT:
            self.result.problems.append(Problem(sheet, row, column, str(message)))
        if (sheet, row) not in self.error_keys:
            self.error_keys.add((sheet, row))
            self.result.error_rows += 1

    def advance(self, rows):
        self.done += rows
        self.total = max(self.total, self.done)
        if self.progress:
            self.progress(self.done, self.total)

    def header(self, sheet, model, columns):
        """Map the header row to columns; unknown, repeated and missing columns are problems."""
        lookup = sheets.header_lookup(model, columns)
        header = next(sheet.rows, None) or ()
        mapped, headers = [], {}
        for text in header:
            text = "" if text is None else str(text).strip()
            column = lookup.get(sheets.normalize(text)) if text else None
            if text and column is None:
                self.problem(
                    sheet.title, 1, text, _("Unknown column; the template lists the column names.")
                )
            elif column is not None and column.name in headers:
                self.problem(sheet.title, 1, text, _("This column appears twice."))
                column = None
            elif column is not None:
                headers[column.name] = text
            mapped.append(column)
        for column in columns:
            if column.required and column.name not in headers:
                self.problem(sheet.title, 1, column.header, _("This column is missing."))
        return mapped, {c.name: headers.get(c.name, c.header) for c in columns}

    def rows(self, sheet, mapped):
        """Yield chunks of (row number, {column name: cell}) without the blank rows."""
        numbered = enumerate(sheet.rows, start=2)
        for chunk in batched(numbered, self.chunk):
            cells = [
                (n, {c.name: v for c, v in zip(mapped, values, strict=False) if c is not None})
                for n, values in chunk
                if any(not files.blank(v) for v in values)
            ]
            yield cells
            self.advance(len(chunk))


class _Importer(RowChecker):
    def __init__(self, *, user, today, now, dry_run, progress, chunk, reason):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.user, self.today, self.now = user, today, now
        self.reason = reason  # the change reason kept with every history record
        self.villages = {v.code: v for v in Village.objects.all()}
        groups = VillageGroup.objects.values_list("village_id", "name", "pk")
        self.groups = {(village, sheets.normalize(name)): pk for village, name, pk in groups}
        self.group_villages = {pk: village for village, _name, pk in groups}
        self.forms = {}  # customer type -> its CustomerRowForm, made on first use
        self.plans = {}  # customer type -> what form_data reads for each of its fields
        self.choices = {cls: sheets.choice_lookup(cls) for cls in sheets.CHOICE_LABELS}
        self.seen = {}  # (field, identifier) -> row, for duplicates inside the file
        self.shared = {}  # most amounts of a county are 0: one Decimal object for all of them
        self.creates, self.updates, self.update_fields = [], [], set()
        # Person-type customers of the file by ID number, for the family sheet; None if the row failed.
        self.households: dict[str, _Household | None] = {}
        self.file_members = defaultdict(list)
        self.member_creates, self.member_updates, self.member_deletes = [], [], []
        self.member_update_fields = set()

    # --- customers -----------------------------------------------------------

    def check_customers(self, sheet):
        mapped, self.customer_headers = self.header(sheet, Customer, sheets.CUSTOMER_COLUMNS)
        self.present = {c.name for c in mapped if c is not None}
        for rows in self.rows(sheet, mapped):
            existing = self.existing(rows)
            for n, cells in rows:
                row = Row(self, sheet.title, n, self.customer_headers)
                self.check_customer(row, cells, existing)
                row.report()

    def existing(self, rows):
        """The customers holding the chunk's ID numbers and credit codes, in one query.

        Gives {(field, number): customer} for every holder (what the forms' duplicate
        checks read); the row's own customer is found by its type's key in it.
        """
        ids = {files.compact(cells.get("id_number")) for _n, cells in rows} - {""}
        codes = set()
        for _n, cells in rows:
            value = cells.get("credit_code")
            if not files.blank(value):  # as matched, and as the form will store it
                codes |= {files.compact(value), uscc.compact(files.text(value))}
        # Each arm repeats its unique index's condition (≠ ""): PostgreSQL proves that a
        # 1,000-value IN list implies it only up to 100 values, and without the partial
        # indexes every chunk read the whole table (a county: 170 scans of 170,000 rows).
        found = (
            Customer.objects.filter(
                (Q(id_number__in=ids) & ~Q(id_number=""))
                | (Q(credit_code__in=codes) & ~Q(credit_code=""))
            )
            .select_related("village")  # a duplicate's message names its village
            .order_by()
        )
        holders = {}
        for customer in found:
            if customer.id_number:
                holders["id_number", customer.id_number] = customer
            if customer.credit_code:
                holders["credit_code", customer.credit_code] = customer
        return holders

    def form(self, customer_type):
        if customer_type not in self.forms:
            self.forms[customer_type] = CustomerRowForm(
                customer_type=customer_type, today=self.today
            )
        return self.forms[customer_type]

    def check_customer(self, row, cells, existing):
        customer_type = row.convert(sheets.COLUMN["customer_type"], cells.get("customer_type"))
        if files.blank(cells.get("customer_type")):
            row.add("customer_type", _("This field is required."))
        village = self.village(row, cells.get("village"))
        if not customer_type:
            return
        key_field = "id_number" if customer_type in NEEDS_ID_NUMBER else "credit_code"
        key = files.compact(cells.get(key_field))
        if customer_type in HAS_FAMILY and key:
            self.households.setdefault(key, None)  # known, so its family rows are not "unknown"
        if village is None:
            return
        duplicate = False
        wanted = fields_for(customer_type)
        for name in ("id_number", "credit_code"):
            value = files.compact(cells.get(name)) if name in wanted else ""
            first = self.seen.setdefault((name, value), row.number) if value else row.number
            if first != row.number:
                row.add(
                    name,
                    _("The same number is already in row %(row)d of this file.") % {"row": first},
                )
                duplicate = duplicate or name == key_field
        if duplicate:  # the first row already claims this customer
            return
        instance = existing.get((key_field, key)) if key else None
        if instance is not None and (instance.customer_type in NEEDS_ID_NUMBER) != (
            key_field == "id_number"
        ):
            instance = None  # held by a customer of the other kind: the form refuses the number
        instance = instance or Customer()
        before = _values(instance) if instance.pk else None
        data, group = self.form_data(row, cells, customer_type, village, instance)
        form = self.form(customer_type)
        form.holders = existing
        form.check(data, instance=instance, village=village)
        row.add_form_errors(form)
        archived_on = row.convert(sheets.COLUMN["archived_on"], cells.get("archived_on"))
        if row.problems:
            return
        instance.group_id = group
        if archived_on:
            instance.archived_on = archived_on
        if instance.pk is None:
            instance.archived_on = instance.archived_on or self.today
            instance.filed_by = self.user
            self.creates.append(_freeze(instance, shared=self.shared))
            self.result.created += 1
            state = _Household(None, "new")
        else:
            changed = [name for name, value in _values(instance).items() if before[name] != value]
            if changed:
                self.updates.append(_freeze(instance, shared=self.shared))
                self.update_fields.update(changed)
                self.result.updated += 1
            else:
                self.result.unchanged += 1
            state = _Household(instance.pk, "updated" if changed else "unchanged")
        if customer_type in HAS_FAMILY:
            self.households[instance.id_number] = state

    def village(self, row, value):
        code = files.text(value)
        if not code:
            row.add("village", _("This field is required."))
            return None
        village = self.villages.get(code)
        if village is None:
            row.add(
                "village",
                _("There is no administrative village with code %(code)s.") % {"code": code},
            )
        return village

    def form_data(self, row, cells, customer_type, village, instance):
        """The survey form's POST data for this row, and the row's group (its pk or None).

        A blank cell means the field's default; a column the file does not have
        leaves the customer's current value (the default for a new customer).
        """
        if customer_type not in self.plans:
            wanted = [n for n in fields_for(customer_type) if n != "customer_type"]
            ignored = {"customer_type", "village", "archived_on"}
            self.plans[customer_type] = (
                [(n, sheets.COLUMN[n], Customer._meta.get_field(n)) for n in wanted],
                sorted(self.present - set(wanted) - ignored),
            )
        plan, other_columns = self.plans[customer_type]
        data, group = {}, None
        for name, column, model_field in plan:
            if name in self.present and not files.blank(cells.get(name)):
                value = row.convert(column, cells[name], village=village)
            elif name in self.present:
                value = model_field.get_default()
            else:
                value = getattr(instance, model_field.attname)
            if name == "group":
                group = value
            else:
                _put(data, name, value)
        if group is not None and self.group_villages.get(group) != village.pk:
            # Kept from the customer on file, who is moving to another village.
            message = forms.ModelChoiceField.default_error_messages["invalid_choice"]
            row.add("group", message)
        for name in other_columns:
            if not files.empty_value(cells.get(name)):
                type_label = sheets.label(CustomerType, customer_type)
                row.add(
                    name,
                    _("This column does not apply to %(type)s; leave it blank.")
                    % {"type": type_label},
                )
        return data, group

    # --- family members ------------------------------------------------------

    def check_members(self, sheet):
        mapped, headers = self.header(sheet, FamilyMember, sheets.MEMBER_COLUMNS)
        present = {c.name for c in mapped if c is not None}
        counts = defaultdict(int)
        form = FamilyMemberRowForm(today=self.today)
        for rows in self.rows(sheet, mapped):
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                key = files.compact(cells.get("household"))
                if not key:
                    row.add("household", _("This field is required."))
                elif key not in self.households:
                    row.add(
                        "household", _("No household in the customer sheet has this ID number.")
                    )
                data = {}
                for name in present - {"household"}:
                    if not files.blank(cells.get(name)):
                        _put(data, name, row.convert(sheets.MEMBER_COLUMN[name], cells[name]))
                errors = form.check(data, instance=FamilyMember())
                row.add_form_errors(form)
                number = form.cleaned_data.get("id_number") if not errors else ""
                if key and number:
                    first = self.seen.setdefault(("member", key, number), n)
                    if first != n:
                        row.add(
                            "id_number",
                            _(
                                "The same ID number is entered twice in this household (row %(row)d)."
                            )
                            % {"row": first},
                        )
                counts[key] += 1
                if key and counts[key] == MAX_MEMBERS + 1:
                    row.add(
                        "household",
                        _("A household has at most %(n)d family members.") % {"n": MAX_MEMBERS},
                    )
                if not row.problems and self.households.get(key) is not None:
                    self.file_members[key].append(
                        _freeze(form.instance, MEMBER_FIELDS, self.shared)
                    )
                row.report()

    def plan_members(self):
        """Turn the family sheet into creates, updates and deletes; count changed households."""
        existing_households = []
        for key, members in self.file_members.items():
            household = self.households[key]
            if household.pk is None:
                self.member_creates += [(key, m) for m in members]
            else:
                existing_households.append((key, household))
        for batch in batched(existing_households, self.chunk):
            on_file = defaultdict(list)
            for member in FamilyMember.objects.filter(customer_id__in=[h.pk for _k, h in batch]):
                on_file[member.customer_id].append(member)
            for key, household in batch:
                if self.diff_members(key, on_file[household.pk], self.file_members[key]):
                    if household.state == "unchanged":
                        self.result.unchanged -= 1
                        self.result.updated += 1
                    household.state = "updated"
        self.file_members.clear()

    def diff_members(self, key, old, new):
        """Match members by ID number (else by name); return whether anything changes."""
        remaining = defaultdict(list)
        for member in old:
            remaining[_member_key(_freeze(member, MEMBER_FIELDS))].append(member)
        changed = False
        for values in new:
            match = remaining[_member_key(values)]
            if not match:
                self.member_creates.append((key, values))
                changed = True
                continue
            current = match.pop(0)
            fields = [
                f for f, v in zip(MEMBER_FIELDS, values, strict=True) if getattr(current, f) != v
            ]
            if fields:
                for f, v in zip(MEMBER_FIELDS, values, strict=True):
                    setattr(current, f, v)
                self.member_updates.append(_freeze(current, MEMBER_ATTNAMES))
                self.member_update_fields.update(fields)
                changed = True
        for leftovers in remaining.values():
            self.member_deletes += [_freeze(m, MEMBER_ATTNAMES) for m in leftovers]
            changed = changed or bool(leftovers)
        return changed

    # --- writing -------------------------------------------------------------

    @transaction.atomic
    def write(self):
        history = {
            "default_user": self.user,
            "default_date": self.now,
            "default_change_reason": self.reason,
        }
        new_households = {}
        for batch in batched(self.creates, self.chunk):
            objs = _create_customers([_thaw(Customer, v) for v in batch], history)
            new_households.update(
                (c.id_number, c.pk) for c in objs if c.customer_type in HAS_FAMILY
            )
        fields = sorted(FIELD_NAMES[a] for a in self.update_fields)
        for batch in batched(self.updates, self.chunk):
            _update_customers([_thaw(Customer, v) for v in batch], fields, self.now, history)
        for batch in batched(self.member_creates, self.chunk):
            objs = []
            for key, values in batch:
                member = FamilyMember(**dict(zip(MEMBER_FIELDS, values, strict=True)))
                member.customer_id = new_households.get(key) or self.households[key].pk
                objs.append(member)
            bulk_create_with_history(objs, FamilyMember, **history)
        for batch in batched(self.member_updates, self.chunk):
            objs = [_thaw(FamilyMember, v, MEMBER_ATTNAMES) for v in batch]
            bulk_update_with_history(
                objs, FamilyMember, sorted(self.member_update_fields), **history
            )
        for batch in batched(self.member_deletes, self.chunk):
            objs = [_thaw(FamilyMember, v, MEMBER_ATTNAMES) for v in batch]
            for obj in objs:  # simple_history records the deletion with this user and time
                obj._history_user, obj._history_date = self.user, self.now
                obj._change_reason = self.reason
            collector = Collector(using="default", origin=objs)
            collector.collect(objs)
            collector.delete()


# On PostgreSQL the customers' writes below are SQL the database runs for a whole
# batch: Django's bulk_update writes a CASE with a WHEN per row and field, and
# simple_history's bulk_history_create binds ~50 values per row; at 1,000 rows a
# batch, building those statements cost more than checking the rows. Other
# databases (SQLite in the tests) take the library calls.


def _create_customers(objs, history):
    if connection.vendor != "postgresql":
        return bulk_create_with_history(objs, Customer, **history)
    objs = Customer.objects.bulk_create(objs)
    _copy_history([obj.pk for obj in objs], "+", **history)
    return objs


def _update_customers(objs, fields, now, history):
    """Write `fields` of every customer, set its updated_at to `now` and record the change."""
    if connection.vendor != "postgresql":
        for obj in objs:
            obj.updated_at = now
        bulk_update_with_history(objs, Customer, [*fields, "updated_at"], **history)
        return
    qn, meta = connection.ops.quote_name, Customer._meta
    pk, columns = meta.pk, [meta.get_field(name) for name in fields]
    row = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in (pk, *columns))
    params = [meta.get_field("updated_at").get_db_prep_save(now, connection)]
    for obj in objs:
        params.append(obj.pk)
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
    sets = "".join(f"{qn(f.column)} = v.{qn(f.column)}, " for f in columns)
    names = ", ".join(qn(f.column) for f in (pk, *columns))
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {sets}{qn('updated_at')} = %s"
        f" FROM (VALUES {', '.join([f'({row})'] * len(objs))}) AS v ({names})"
        f" WHERE t.{qn(pk.column)} = v.{qn(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _copy_history([obj.pk for obj in objs], "~", **history)


def _copy_history(pks, history_type, *, default_user, default_date, default_change_reason):
    """The history records bulk_history_create would write, copied from the rows just written.

    Every tracked column, and who, when, why and how (+ or ~), in one INSERT … SELECT.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    record, qn = Customer.history.model, connection.ops.quote_name
    tracked = {f.attname: f.column for f in record.tracked_fields}
    given = {
        "history_date": default_date,
        "history_user_id": default_user.pk if default_user else None,
        "history_change_reason": default_change_reason,
        "history_type": history_type,
    }
    columns, values, params = [], [], []
    for f in record._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.attname in tracked:
            values.append(f"t.{qn(tracked[f.attname])}")
        else:  # a column this copy does not know is a KeyError: fail, never guess
            values.append("%s")
            params.append(f.get_db_prep_save(given[f.attname], connection))
    pk = qn(Customer._meta.pk.column)
    sql = (
        f"INSERT INTO {qn(record._meta.db_table)} ({', '.join(columns)})"
        f" SELECT {', '.join(values)} FROM {qn(Customer._meta.db_table)} AS t"
        f" WHERE t.{pk} IN ({', '.join(['%s'] * len(pks))}) ORDER BY t.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pks])


@dataclass(slots=True)
class _Household:
    pk: int | None
    state: str  # new / updated / unchanged


class Row:
    """The problems of one row, each under the column header the file uses."""

    def __init__(self, importer, sheet, number, headers):
        self.importer, self.sheet, self.number, self.headers = importer, sheet, number, headers
        self.problems = []
        self.columns = set()

    def add(self, name, message):
        self.problems.append((self.headers.get(name, ""), message))
        self.columns.add(name)

    def add_form_errors(self, form):
        for name, messages in form.errors.items():
            if name in self.columns:  # already explained by the cell's conversion
                continue
            for message in messages:
                self.add(name if name != "__all__" else "", message)

    def report(self):
        for column, message in self.problems:
            self.importer.problem(self.sheet, self.number, column, message)

    def convert(self, column, value, village=None):
        """A cell as the form's data; records a problem and returns None if it cannot be."""
        if files.blank(value):
            return None
        try:
            return _convert(self.importer, column, value, village)
        except ValueError as error:
            self.add(column.name, str(error))
            return None


def _convert(importer, column, value, village):
    kind = column.kind
    if kind == "identifier":
        return files.identifier(value)
    if kind == "date":
        return files.parse_date(value, importer.today)
    if kind == "boolean":
        return files.boolean(value)
    if column.name == "group":
        group = importer.groups.get((village.pk, sheets.normalize(files.text(value))))
        if group is None:
            raise ValueError(
                _("Village %(village)s has no group named %(group)s.")
                % {"village": village.name, "group": files.text(value)}
            )
        return group
    if kind in ("choice", "products"):
        lookup = importer.choices[column.choices]
        text = files.text(value)
        parts = [text] if kind == "choice" else sheets.LIST_SEPARATORS.split(text)
        parts = [p.strip() for p in parts if p.strip()]
        codes = [lookup.get(sheets.normalize(p)) for p in parts]
        for part, code in zip(parts, codes, strict=True):
            if code is None:
                raise ValueError(
                    _("“%(value)s” is not an accepted value; use one of: %(choices)s.")
                    % {"value": part, "choices": "、".join(sheets.labels(column.choices))}
                )
        return codes[0] if kind == "choice" else list(dict.fromkeys(codes))
    if kind == "decimal" and isinstance(value, str):
        return re.sub(r"[,，\s]", "", value)
    return files.text(value)


def _put(data, name, value):
    """Put a model value into form POST data the way a browser would send it."""
    if value is None or value is False:
        return  # an unticked box, or no value
    if value is True:
        data[name] = "on"
    elif isinstance(value, list):
        data[name] = value
    elif name == "group":
        data[name] = str(value.pk if hasattr(value, "pk") else value)
    else:
        data[name] = str(value)


# Customers and members are kept as tuples of their column values between the
# check and the write: a county's 170,000 rows fit in a fraction of the memory
# model instances would need.
ATTNAMES = tuple(f.attname for f in Customer._meta.concrete_fields)
TRACKED = tuple(a for a in ATTNAMES if a not in ("id", "updated_at"))
FIELD_NAMES = {f.attname: f.name for f in Customer._meta.concrete_fields}
MEMBER_ATTNAMES = tuple(f.attname for f in FamilyMember._meta.concrete_fields)
MEMBER_FIELDS = (
    "name",
    "relation",
    "id_number",
    "birth_date",
    "phone",
    "works_away",
    "away_location",
)


def _values(customer):
    return {name: getattr(customer, name) for name in TRACKED}


def _freeze(obj, attnames=ATTNAMES, shared=None):
    """The values of a model instance as a tuple; equal amounts and dates share one object."""
    values = (getattr(obj, name) for name in attnames)
    if shared is None:
        return tuple(values)
    return tuple(
        shared.setdefault((type(v), v), v) if isinstance(v, Decimal | datetime.date) else v
        for v in values
    )


def _thaw(model, values, attnames=ATTNAMES):
    return model(**dict(zip(attnames, values, strict=True)))


def _member_key(values):
    """Who a family row is: the ID number if it has one, else the name."""
    name, _relation, id_number, *_rest = values
    return ("id", id_number) if id_number else ("name", name)
