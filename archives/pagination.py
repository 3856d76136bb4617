"""Pagination for lists that can hold the whole bank: the total is counted up to a cap."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a page of 170,000 customers does not count them all.

    Exact below the cap. Above it the list says "more than 10,000", pages stop at the
    cap and the page asks to search or filter; nobody pages through 200 pages of 50.
    """

    def __init__(self, object_list, per_page, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        # Unordered: how many of the first cap + 1 rows exist does not depend on their
        # order, and an ordered subquery would sort the whole bank to count it.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


class CountedPaginator(Paginator):
    """A paginator told its count: for a page that has already counted its rows in a
    grouped query it needs anyway (tabs with counts), so the list is not counted twice."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known
