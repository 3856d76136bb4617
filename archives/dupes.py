"""Possible duplicates on save: another customer of the same village who may be this person.

A warning, not a refusal (the same ID number in a type group is the refusal, forms.py):
the same mobile, or the same name with an ID number one or two characters apart (a
typing slip), or the same name and birth date. `reasons` is the pure rule; `candidates`
asks the database once, inside the village (indexes customer_village_name and
customer_village_phone).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Customer

NEAR_ID = (1, 2)  # characters apart that look like a slip, not another person
MAX_SHOWN = 10

SAME_PHONE = _("same mobile")
NEAR_ID_NUMBER = _("same name, ID number one or two digits apart")
SAME_BIRTH = _("same name and birth date")


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str
    id_number: str
    birth_date: datetime.date | None


def hamming(a: str, b: str) -> int | None:
    """How many of the characters differ, for two ID numbers of one length (else None)."""
    if not a or not b or len(a) != len(b):
        return None
    return sum(x != y for x, y in zip(a, b, strict=True))


def reasons(new: Identity, other: Identity) -> list:
    """Why `other` may be the person `new` is; [] if there is no reason to think so.

    The same ID number is never a warning: in a type group it is refused, across
    groups it is the same person's household and business, linked (DOMAIN.md §7).
    """
    if new.id_number and new.id_number == other.id_number:
        return []
    found = []
    if new.phone and new.phone == other.phone:
        found.append(SAME_PHONE)
    if new.name and new.name == other.name:
        if hamming(new.id_number, other.id_number) in NEAR_ID:
            found.append(NEAR_ID_NUMBER)
        if new.birth_date and new.birth_date == other.birth_date:
            found.append(SAME_BIRTH)
    return found


@dataclass(frozen=True)
class Candidate:
    customer: Customer
    reasons: list


def candidates(*, village, identity: Identity, exclude_pk=None) -> list[Candidate]:
    """The customers of `village` who may be `identity`, in one query."""
    wanted = Q()
    if identity.phone:
        wanted |= Q(phone=identity.phone)
    if identity.name:
        wanted |= Q(name=identity.name)
    if not wanted:
        return []
    found = []
    rows = (
        Customer.objects.filter(village=village)
        .filter(wanted)
        .exclude(pk=exclude_pk)
        .select_related("village")
        .order_by("name", "pk")
    )
    for customer in rows[:200]:
        why = reasons(identity, identity_of(customer))
        if why:
            found.append(Candidate(customer, why))
    return found[:MAX_SHOWN]


def identity_of(customer) -> Identity:
    return Identity(customer.name, customer.phone, customer.id_number, customer.birth_date)
