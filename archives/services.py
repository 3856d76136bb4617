"""Writes to the archive: each function is one transaction, with the history kept."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from . import dupes, unique, versions
from .choices import id_group
from .identity import mask_id, mask_phone
from .links import link_households
from .models import Customer, EBankingProduct, FamilyMember
from .survey import BALANCE_FIELDS


class AlreadyOnFile(Exception):
    """Another customer holds this ID number or credit code (filed at the same moment)."""

    def __init__(self, field: str, existing: Customer | None):
        self.field = field
        self.existing = existing
        super().__init__(field)


class PossibleDuplicates(Exception):
    """Customers of the same village who may be this person; nothing was written."""

    def __init__(self, candidates: list[dupes.Candidate]):
        self.candidates = candidates
        super().__init__(len(candidates))


# The unique constraints of a customer, and the form field each one is about.
UNIQUE_FIELDS = {
    "customer_unique_household_id": "id_number",
    "customer_unique_business_id": "id_number",
    "customer_unique_credit_code": "credit_code",
}

# What a possible duplicate is judged on: an edit that changes none of them is not asked.
IDENTITY_FIELDS = ("name", "phone", "id_number")


# Set by the form from what it edits (its village and type, the birth date from the ID).
DERIVED_FIELDS = {"village", "customer_type", "birth_date", "updated_at"}


@transaction.atomic
def file_customer(
    *, form, members, user, today: datetime.date, warn_duplicates: bool = False
) -> Customer:
    """Save a validated survey form and its family rows together, or nothing.

    `form` is a bound, valid CustomerForm; `members` a valid FamilyFormSet or None
    for types without family members. The change history records `user`.

    An edit locks the customer and refuses with versions.StaleEdit when the record
    changed since the form was shown. An identifier filed by someone else between the
    form's check and this save raises AlreadyOnFile, never the database's error.

    With `warn_duplicates` (the survey pages, until the user ticks "not the same
    person"), a new record, or an edit of its name, mobile or ID number, that looks like
    another customer of the village (archives.dupes) raises PossibleDuplicates. A business is linked to the
    household holding its ID number, and a household to its businesses (DOMAIN.md §7).
    """
    if form.instance.pk is not None:
        stored = Customer.objects.select_for_update().get(pk=form.instance.pk)
        versions.check(
            form.cleaned_data.get("version"),
            stored=form.stored_values(stored),
            yours=form.submitted_values(members),
        )
    asks = form.instance.pk is None or any(name in form.changed_data for name in IDENTITY_FIELDS)
    if asks and warn_duplicates:
        found = dupes.candidates(
            village=form.village,
            identity=dupes.Identity(
                form.cleaned_data.get("name", ""),
                form.cleaned_data.get("phone", ""),
                form.cleaned_data.get("id_number", ""),
                form.resident_id.birth_date if form.resident_id else None,
            ),
            exclude_pk=form.instance.pk,
        )
        if found:
            raise PossibleDuplicates(found)
    before = stored.id_number if form.instance.pk is not None else ""
    customer = form.save(commit=False)
    if customer.pk is not None:
        # What the form does not edit is written back as stored now, not as it was read
        # before the lock (an import may have set balances or maturities meanwhile).
        for field in Customer._meta.concrete_fields:
            if field.name not in form.fields and field.name not in DERIVED_FIELDS:
                setattr(customer, field.attname, getattr(stored, field.attname))
    if customer.pk is None:
        customer.archived_on = today
        customer.filed_by = user
    else:
        # The balances are the core-banking import's (DOMAIN.md §7): what is on file now,
        # even if an import wrote it after the form was read, is what this save keeps.
        on_file = Customer.objects.select_for_update().values(*BALANCE_FIELDS).get(pk=customer.pk)
        for name, value in on_file.items():
            setattr(customer, name, value)
    customer._history_user = user
    try:
        with unique.violations(Customer):
            customer.save()
    except unique.Violation as violation:
        field = UNIQUE_FIELDS.get(violation.constraint)
        if field is None:
            raise
        existing = Customer.objects.filter(**{field: getattr(customer, field)})
        if field == "id_number":
            existing = existing.filter(customer_type__in=id_group(customer.customer_type))
        raise AlreadyOnFile(field, existing.first()) from None
    link_households({before, customer.id_number})
    if members is not None:
        members.instance = customer
        for member in members.save(commit=False):
            member._history_user = user
            member.save()
        for member in members.deleted_objects:
            member._history_user = user
            member.delete()
    return customer


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    who: str
    what: str  # the record changed: the customer or a named family member
    action: str  # created / changed / deleted
    field: str
    old: str
    new: str

    @property
    def action_label(self):
        return {
            "created": _("record created"),
            "changed": _("changed"),
            "deleted": _("record deleted"),
        }[self.action]


def customer_history(customer) -> list[Change]:
    """Every change to a customer and its family members, newest first.

    Reads the history tables in three queries; each field change becomes one line
    with its old and new value as shown on the form. The history of records merged
    into this one (archives.merge) is part of it, each line naming that record.
    """
    pks = [customer.pk, *customer.merges.values_list("merged_pk", flat=True)]
    changes: list[Change] = []
    customer_records = list(
        Customer.history.filter(id__in=pks).select_related("history_user").order_by("history_date")
    )
    member_records = list(
        FamilyMember.history.filter(customer_id__in=pks)
        .select_related("history_user")
        .order_by("history_date")
    )
    merged = _("%(name)s (merged record)")
    changes += _diff_records(
        customer_records,
        Customer,
        label=lambda r: customer.name if r.id == customer.pk else merged % {"name": r.name},
        key="id",
    )
    changes += _diff_records(member_records, FamilyMember, label=lambda r: r.name, key="id")
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _diff_records(records, model, *, label, key=None):
    """Turn simple_history rows (oldest first) into per-field changes."""
    out = []
    previous = {}
    for record in records:
        ident = getattr(record, key) if key else None
        prev = previous.get(ident)
        who = str(record.history_user) if record.history_user else _("system")
        action = ACTIONS[record.history_type]
        if record.history_type == "~" and prev is not None:
            delta = record.diff_against(prev)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                out.append(
                    Change(
                        when=record.history_date,
                        who=who,
                        what=label(record),
                        action=action,
                        field=str(field.verbose_name),
                        old=_display(field, change.old),
                        new=_display(field, change.new),
                    )
                )
        else:
            out.append(
                Change(
                    when=record.history_date,
                    who=who,
                    what=label(record),
                    action=action,
                    field="",
                    old="",
                    new="",
                )
            )
        previous[ident] = record
    return out


def _display(field, value):
    if value is None or value == "":
        return "—"
    # History is a list: identifiers stay masked there as in every other list.
    if field.name == "id_number":
        return mask_id(value)
    if field.name == "phone":
        return mask_phone(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        labels = dict(EBankingProduct.choices)
        return "、".join(str(labels.get(v, v)) for v in value) or "—"
    if field.is_relation:
        target = field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target else str(value)
    return str(value)
