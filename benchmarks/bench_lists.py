"""Customer list and search: our view vs. Django admin's changelist of the same model.

In-process through django.test.Client, so "server time" is the whole request through
the middleware and the template, without a socket. Per case: p50 and p95 over
REQUESTS requests after WARMUP, and the queries of one request (session and user
lookups included, for both sides alike).

Same rows: the admin sees every customer, so the floor is measured as head office;
our list is measured both as head office (same rows: all customers) and as the
account manager with the most customers (their villages only, against the admin's
all rows). The admin's page is set to our page size for the run. The admin searches
`=id_number` / `=phone` exactly, so the prefix cases use its changelist filters
`id_number__startswith` / `phone__startswith` to reach the same rows.
"""

import statistics
import time
from collections import Counter

from django.contrib import admin
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from archives.models import Customer, CustomerType, Role, User
from archives.views import PAGE_SIZE
from benchmarks.clients import head_office, signed_in

REQUESTS = 30
WARMUP = 3


def _measure(client, url):
    """(p50 ms, p95 ms, queries of one request) for GET url."""
    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    return statistics.median(times), p95, queries


def _client(user):
    return signed_in(user)


def _busiest_manager():
    counts = (
        Customer.objects.filter(village__owners__role=Role.ACCOUNT_MANAGER)
        .values("village__owners")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    top = counts.first()
    return User.objects.get(pk=top["village__owners"]), top["n"]


def _search_terms(manager):
    """A surname, an ID number prefix and a phone prefix found among the manager's rows."""
    mine = Customer.objects.visible_to(manager)
    names = mine.values_list("name", flat=True)
    surnames = Counter(n[0] for n in names if n)
    surname = "张" if surnames.get("张") else surnames.most_common(1)[0][0]
    id_number = mine.exclude(id_number="").values_list("id_number", flat=True).first()
    phone = mine.exclude(phone="").values_list("phone", flat=True).first()
    return surname, id_number[:10], phone[:7]


def run(*, Row, median_of):
    manager, manager_rows = _busiest_manager()
    head = head_office()
    surname, id_prefix, phone_prefix = _search_terms(manager)
    total = Customer.objects.count()

    customer_admin = admin.site._registry[Customer]
    saved_per_page = customer_admin.list_per_page
    customer_admin.list_per_page = PAGE_SIZE
    try:
        as_head = _client(head)
        as_manager = _client(manager)
        admin_url = "/admin/archives/customer/"
        cases = [
            ("list first page", "/customers/", admin_url),
            (
                "type filter household",
                f"/customers/?type={CustomerType.HOUSEHOLD}",
                f"{admin_url}?customer_type__exact={CustomerType.HOUSEHOLD}",
            ),
            ("search name " + surname, f"/customers/?q={surname}", f"{admin_url}?q={surname}"),
            (
                "search ID prefix (10 digits)",
                f"/customers/?q={id_prefix}",
                f"{admin_url}?id_number__startswith={id_prefix}",
            ),
            (
                "search phone prefix (7 digits)",
                f"/customers/?q={phone_prefix}",
                f"{admin_url}?phone__startswith={phone_prefix}",
            ),
        ]
        rows = []
        for label, ours_url, admin_url_case in cases:
            a50, a95, aq = _measure(as_head, admin_url_case)
            for who, client in (("head office", as_head), ("acct manager", as_manager)):
                o50, o95, oq = _measure(client, ours_url)
                scope = f"{total} rows" if who == "head office" else f"{manager_rows} vs {total}"
                rows.append(
                    Row(
                        f"{label} p50 ({who})",
                        o50,
                        a50,
                        note=f"p95 {o95:.1f}/{a95:.1f}, queries {oq}/{aq} (ours/admin; {scope})",
                    )
                )
    finally:
        customer_admin.list_per_page = saved_per_page
    return rows
