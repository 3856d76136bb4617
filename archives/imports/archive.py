"""Import of village archives from XLSX or CSV: each row checked by the survey forms, all or nothing.

The file's layout is archives/sheets.py (docs/import-template.md for people).
Every customer row is checked by the same CustomerForm the pages use, every family
row by FamilyMemberForm: one form per customer type, bound to each row in turn
(row_forms.RowByRow, compiled once per type). The import runs in two passes so progress can be shown while it
runs: first every row is checked (nothing written; the customers a chunk of rows
names, and those holding its ID numbers and credit codes, fetched in one query per
chunk, so no query runs per row) and what would change is kept as compact tuples;
then, only if no row has a problem and it is not a dry run, everything is written
in one transaction with bulk inserts and updates that keep the change history.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import batched

from django import forms
from django.utils.translation import gettext as _

from .. import household as family_rules
from .. import sheets
from ..choices import ORGANISATION_TYPES, PERSON_HOUSEHOLD_TYPES, id_group, id_rivals
from ..forms import person_of
from ..models import Customer, CustomerType, FamilyMember, Village, VillageGroup
from ..row_forms import CustomerRowForm, FamilyMemberRowForm
from ..survey import HAS_FAMILY, NEEDS_ID_NUMBER, fields_for
from . import files, writes
from .duplicates import holders
from .rows import CHUNK, ImportResult, Progress, Row, RowChecker
from .writes import (
    FIELD_NAMES,
    MEMBER_ATTNAMES,
    MEMBER_FIELDS,
    freeze,
    member_key,
    tracked_values,
)

MAX_MEMBERS = 30  # as the page's family formset


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
        writes.write(run)
        run.result.written = True
    return run.result


class _Importer(RowChecker):
    def __init__(self, *, user, today, now, dry_run, progress, chunk, reason):
        super().__init__(dry_run=dry_run, progress=progress, chunk=chunk)
        self.user, self.today, self.now = user, today, now
        self.reason = reason  # the change reason kept with every history record
        self.villages = {v.code: v for v in Village.objects.all()}
        groups = VillageGroup.objects.values_list("village_id", "name", "pk")
        self.groups = {(village, sheets.normalize(name)): pk for village, name, pk in groups}
        self.group_villages = {pk: village for village, _name, pk in groups}
        self.group_names = {pk: name for _village, name, pk in groups}
        self.village_codes = {v.pk: code for code, v in self.villages.items()}
        self.forms = {}  # customer type -> its CustomerRowForm, made on first use
        self.plans = {}  # customer type -> what form_data reads for each of its fields
        self.choices = {cls: sheets.choice_lookup(cls) for cls in sheets.CHOICE_LABELS}
        self.seen = {}  # (field, identifier) -> row, for duplicates inside the file
        self.shared = {}  # most amounts of a county are 0: one Decimal object for all of them
        self.creates, self.updates, self.update_fields = [], [], set()
        # Person-type customers of the file by ID number, for the family sheet; None if the row failed.
        # A household-type row wins over a business row of the same person (DOMAIN.md §7).
        self.households: dict[str, _Household | None] = {}
        self.person_households = set()  # ID numbers whose state above is a household row's
        self.file_members = defaultdict(list)
        self.member_creates, self.member_updates, self.member_deletes = [], [], []
        self.member_update_fields = set()

    # --- customers -----------------------------------------------------------

    def check_customers(self, sheet):
        refused = (
            sheets.BALANCE_COLUMNS,
            _(
                "Balances are set by the core-banking balance import only; "
                "delete this column from the archive file."
            ),
        )
        mapped, self.customer_headers = self.header(sheet, Customer, sheets.IMPORT_COLUMNS, refused)
        self.present = {c.name for c in mapped if c is not None}
        for rows in self.rows(sheet, mapped, self.customer_headers):
            existing = holders(rows)
            for n, cells in rows:
                row = Row(self, sheet.title, n, self.customer_headers)
                self.check_customer(row, cells, existing)
                row.report()

    def form(self, customer_type):
        if customer_type not in self.forms:
            self.forms[customer_type] = CustomerRowForm(
                customer_type=customer_type, today=self.today
            )
        return self.forms[customer_type]

    def check_customer(self, row, cells, existing):
        for name in ("customer_type", "village", "archived_on"):
            if files.is_clear(cells.get(name)):
                row.cleared(name, required=True)
                cells = {**cells, name: None}
        customer_type = row.convert(sheets.COLUMN["customer_type"], cells.get("customer_type"))
        if files.blank(cells.get("customer_type")) and "customer_type" not in row.columns:
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
            if name == "id_number" and value:
                first = self.first_holder(value, customer_type, row.number)
            else:
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
        if key_field == "id_number":  # the row's own record: the one of its type group
            group = id_group(customer_type)
            instance = next((c for c in instance or () if c.customer_type in group), None)
        if instance is not None and (instance.customer_type in NEEDS_ID_NUMBER) != (
            key_field == "id_number"
        ):
            instance = None  # held by a customer of the other kind: the form refuses the number
        instance = instance or Customer()
        before = tracked_values(instance) if instance.pk else None
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
            self.creates.append(freeze(instance, shared=self.shared))
            self.result.created += 1
            state = _Household(None, "new", instance.name, person_of(form.resident_id))
        else:
            after = tracked_values(instance)
            changed = [name for name, value in after.items() if before[name] != value]
            self.record_changes(row, instance.name, changed, before, after)
            if changed:
                self.updates.append(freeze(instance, shared=self.shared))
                self.update_fields.update(changed)
                self.result.updated += 1
            else:
                self.result.unchanged += 1
            state = _Household(
                instance.pk,
                "updated" if changed else "unchanged",
                instance.name,
                person_of(form.resident_id),
            )
        if customer_type in HAS_FAMILY and (
            customer_type in PERSON_HOUSEHOLD_TYPES
            or instance.id_number not in self.person_households
        ):
            self.households[instance.id_number] = state
            if customer_type in PERSON_HOUSEHOLD_TYPES:
                self.person_households.add(instance.id_number)

    def first_holder(self, number, customer_type, row_number):
        """The first row of the file holding `number` in a rival type (else `row_number`).

        An ID number is a key per type group: a household row and the same person's
        family-farm row may both be in a file (DOMAIN.md §7, archives.choices.id_rivals).
        """
        mine = id_group(customer_type) or ORGANISATION_TYPES
        rivals = {id_group(t) or ORGANISATION_TYPES for t in id_rivals(customer_type)}
        rows = [self.seen[key] for g in rivals if (key := ("id_number", number, g)) in self.seen]
        self.seen.setdefault(("id_number", number, mine), row_number)
        return min(rows, default=row_number)

    def record_changes(self, row, subject, changed, before, after):
        """List each changed field that has a column, old → new as the file writes it."""
        for attname in changed:
            name = FIELD_NAMES[attname]
            if name not in sheets.COLUMN:
                continue  # derived (the birth date from the ID number), or bookkeeping
            old, new = self.shown(name, before[attname]), self.shown(name, after[attname])
            self.change(row.sheet, row.number, row.headers[name], subject, old, new)

    def shown(self, name, value):
        if name == "village":
            return self.village_codes.get(value, "")
        if name == "group":
            return self.group_names.get(value, "")
        return sheets.shown_text(sheets.COLUMN[name], value)

    def village(self, row, value):
        code = files.text(value)
        if not code:
            if "village" not in row.columns:
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

        Imports never blank what they do not mention (DOMAIN.md §7): a blank cell and a
        column the file does not have both leave the customer's current value (the
        default for a new customer); a cell saying 清空 clears an optional field.
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
        fields = self.form(customer_type).fields
        for name, column, model_field in plan:
            cell = cells.get(name) if name in self.present else None
            kept = getattr(instance, model_field.attname)
            if files.is_clear(cell):
                required = name in fields and fields[name].required
                value = model_field.get_default() if row.cleared(name, required=required) else kept
            elif not files.blank(cell):
                value = row.convert(column, cell, village=village)
            else:
                value = kept
            if name == "group":
                group = value
            else:
                _put(data, name, value)
        if group is not None and self.group_villages.get(group) != village.pk:
            # Kept from the customer on file, who is moving to another village.
            message = forms.ModelChoiceField.default_error_messages["invalid_choice"]
            row.add("group", message)
        for name in other_columns:
            if not (files.empty_value(cells.get(name)) or files.is_clear(cells.get(name))):
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
        self.member_sheet, self.member_headers = sheet.title, headers
        present = {c.name for c in mapped if c is not None}
        counts = defaultdict(int)
        form = FamilyMemberRowForm(today=self.today)
        for rows in self.rows(sheet, mapped, headers):
            stored = self.stored_members(rows)
            for n, cells in rows:
                row = Row(self, sheet.title, n, headers)
                household = cells.get("household")
                if files.is_clear(household):
                    row.cleared("household", required=True)
                key = files.compact(household) if not files.is_clear(household) else ""
                if not key:
                    if "household" not in row.columns:
                        row.add("household", _("This field is required."))
                elif key not in self.households:
                    row.add(
                        "household", _("No household in the customer sheet has this ID number.")
                    )
                match = _match_member(stored.get(key, ()), cells)
                data = self.member_data(row, cells, present, match, form)
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
                    self.check_relation(row, self.households[key].head, form)
                if not row.problems and self.households.get(key) is not None:
                    values = freeze(form.instance, MEMBER_FIELDS, self.shared)
                    self.file_members[key].append((n, values))
                row.report()

    def check_relation(self, row, head, form):
        """The household rules of the family form (archives.household): one 户主, ages
        that fit the relation to the head; the message names the sheet's row."""
        cleaned = form.cleaned_data
        member = family_rules.Member(
            row.number, cleaned.get("name", ""), cleaned["relation"], person_of(form.resident_id)
        )
        found = family_rules.problems(head, [member], today=self.today)
        if found:
            row.add("relation", found[row.number])

    def stored_members(self, rows):
        """The family members on file of the chunk's households, in one query, by household."""
        keys = {}
        for _n, cells in rows:
            key = (
                files.compact(cells.get("household"))
                if not files.is_clear(cells.get("household"))
                else ""
            )
            household = self.households.get(key)
            if household is not None and household.pk is not None:
                keys[household.pk] = key
        stored = defaultdict(list)
        for member in FamilyMember.objects.filter(customer_id__in=keys).order_by("pk"):
            stored[keys[member.customer_id]].append(member)
        return stored

    def member_data(self, row, cells, present, match, form):
        """The member form's data: the member on file, with the row's filled cells over it.

        As for customers, a blank cell keeps what is on file and 清空 clears.
        """
        data = {}
        if match is not None:
            for name in form.fields:
                _put(data, name, getattr(match, name))
        for name in present - {"household"}:
            cell = cells.get(name)
            if files.is_clear(cell):
                if row.cleared(name, required=form.fields[name].required):
                    data.pop(name, None)
            elif not files.blank(cell):
                data.pop(name, None)
                _put(data, name, row.convert(sheets.MEMBER_COLUMN[name], cell))
        return data

    def plan_members(self):
        """Turn the family sheet into creates, updates and deletes; count changed households."""
        existing_households = []
        for key, members in self.file_members.items():
            household = self.households[key]
            if household.pk is None:
                self.member_creates += [(key, m) for _n, m in members]
            else:
                existing_households.append((key, household))
        for batch in batched(existing_households, self.chunk):
            on_file = defaultdict(list)
            for member in FamilyMember.objects.filter(customer_id__in=[h.pk for _k, h in batch]):
                on_file[member.customer_id].append(member)
            for key, household in batch:
                if self.diff_members(key, household, on_file[household.pk], self.file_members[key]):
                    if household.state == "unchanged":
                        self.result.unchanged -= 1
                        self.result.updated += 1
                    household.state = "updated"
        self.file_members.clear()

    def diff_members(self, key, household, old, new):
        """Match members by ID number (else by name); list and return whether anything changes.

        A member on file that the household's rows no longer list is removed.
        """
        remaining = defaultdict(list)
        for member in old:
            remaining[member_key(freeze(member, MEMBER_FIELDS))].append(member)
        sheet, headers, who = self.member_sheet, self.member_headers, household.name
        changed = False
        for n, values in new:
            match = remaining[member_key(values)]
            if not match:
                self.member_creates.append((key, values))
                self.change(sheet, n, headers["name"], who, "", values[0])
                changed = True
                continue
            current = match.pop(0)
            fields = [
                f for f, v in zip(MEMBER_FIELDS, values, strict=True) if getattr(current, f) != v
            ]
            if fields:
                for f, v in zip(MEMBER_FIELDS, values, strict=True):
                    if f in sheets.MEMBER_COLUMN and getattr(current, f) != v:
                        column = sheets.MEMBER_COLUMN[f]
                        old_text = sheets.shown_text(column, getattr(current, f))
                        self.change(
                            sheet, n, headers[f], who, old_text, sheets.shown_text(column, v)
                        )
                    setattr(current, f, v)
                self.member_updates.append(freeze(current, MEMBER_ATTNAMES))
                self.member_update_fields.update(fields)
                changed = True
        for leftovers in remaining.values():
            for member in leftovers:
                self.change(sheet, 0, "", who, member.name, _("(removed from the household)"))
            self.member_deletes += [freeze(m, MEMBER_ATTNAMES) for m in leftovers]
            changed = changed or bool(leftovers)
        return changed


@dataclass(slots=True)
class _Household:
    pk: int | None
    state: str  # new / updated / unchanged
    name: str = ""
    head: family_rules.Person = field(default_factory=family_rules.Person)  # from the ID number


def _match_member(members, cells):
    """The member on file a family row means: by its ID number, else by its name."""
    number = cells.get("id_number")
    if not files.blank(number) and not files.is_clear(number):
        number = files.compact(number)
        return next((m for m in members if m.id_number == number), None)
    name = files.text(cells.get("name"))
    return next((m for m in members if m.name == name), None) if name else None


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
