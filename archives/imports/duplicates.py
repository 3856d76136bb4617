"""Duplicates in an archive import: the customers already holding a chunk's numbers.

Duplicates inside the file are caught as the rows are checked (archive.py keeps the
first row of each number); this finds the customers on file, for the survey forms'
own duplicate checks.
"""

from django.db.models import Q
from stdnum.cn import uscc

from ..models import Customer
from . import files


def holders(rows):
    """The customers holding the chunk's ID numbers and credit codes, in one query.

    Gives {("id_number", number): [customers]} (a household and the operator's
    businesses share a number, DOMAIN.md §7) and {("credit_code", code): customer}: what
    the forms' duplicate checks read; the row's own customer is found by its type's key
    in it (an ID number within the type's group, archives.choices.id_group).
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
    by_number = {}
    for customer in found:
        if customer.id_number:
            by_number.setdefault(("id_number", customer.id_number), []).append(customer)
        if customer.credit_code:
            by_number["credit_code", customer.credit_code] = customer
    return by_number
