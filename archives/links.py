"""The household ↔ business link of DOMAIN.md §7: each business record points at its
operator's household, found by the ID number they share."""

from itertools import batched

from django.db.models import OuterRef, Subquery

from .choices import BUSINESS_TYPES, PERSON_HOUSEHOLD_TYPES
from .models import Customer

CHUNK = 1000


def link_households(id_numbers) -> int:
    """Point every business holding one of `id_numbers` at the household with that number.

    Set-based (two queries per thousand numbers): a business whose household is on file
    gets it, one whose household is gone or holds another number now gets none. Returns
    how many businesses were written.
    """
    changed = 0
    for chunk in batched(sorted(set(id_numbers) - {""}), CHUNK):
        household = Customer.objects.filter(
            customer_type__in=PERSON_HOUSEHOLD_TYPES, id_number=OuterRef("id_number")
        ).values("pk")[:1]
        # Two indexed look-ups in one query: an OR across the household join (and the
        # model's ordering by village) made PostgreSQL read every business of the bank,
        # 90–130 ms of each save at county scale.
        businesses = Customer.objects.filter(customer_type__in=BUSINESS_TYPES).order_by()
        businesses = list(
            businesses.filter(id_number__in=chunk)
            .values_list("pk", flat=True)
            .union(businesses.filter(household__id_number__in=chunk).values_list("pk", flat=True))
            .order_by()
        )
        changed += Customer.objects.filter(pk__in=businesses).update(household=Subquery(household))
    return changed


def linked(customer):
    """The records of the same person: a business's household, or a household's businesses."""
    if customer.customer_type in BUSINESS_TYPES:
        return [customer.household] if customer.household_id else []
    if customer.customer_type in PERSON_HOUSEHOLD_TYPES:
        return list(customer.businesses.select_related("village").order_by("customer_type"))
    return []
