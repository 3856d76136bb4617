"""Pagination for lists that can hold the whole bank: the total is counted up to a cap."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
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


class OnePassPaginator(Paginator):
    """The count comes with the page: `COUNT(*) OVER ()` in the page's own query.

    For a list whose rows are computed (annotations, a filter or an order on them), where
    Paginator's separate count would compute every row a second time. Only a page past
    the end (a stale link) still counts apart, to fall back to the last page.
    """

    def page(self, number):
        number = self._number(number)
        bottom = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(page_total=Window(Count("pk")))[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.__dict__["count"] = rows[0].page_total
        elif number == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return super().page(self.num_pages)

    def _number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number
