"""Follow-up pages, the weekly queue, dashboards and home, with the weekly history of the seed.

Run after `seed_demo --weeks N` (make bench: BENCH_WEEKS, default 52). Head office's
revisit rate and dashboard read kept per-branch figures (classification/figures.py):
each is measured as read, with one branch changed before every request, and with
nothing kept (the first look of a day, every branch computed). Each page as the
user who reads it, through django.test.Client: p95 and p50 over REQUESTS requests after
WARMUP, and the queries of one request. The floor is the admin's changelist of the
customers (50 rows, same page size), measured in the same run as head office: what a
plain Django page of one table costs on this machine and this database. The load
average is printed beside each row, since other work on the machine moves the times.
"""

import os
import statistics
import time

from django.contrib import admin
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archives.models import Customer, Role, User
from benchmarks.clients import head_office, signed_in
from classification.models import BranchFigures, FiguresChange, Maintainer, Week

REQUESTS = 20
WARMUP = 2


def _measure(client, url, before=None):
    """(p50 ms, p95 ms, queries of one request) for GET url; `before()` runs untimed
    before each request."""
    before = before or (lambda: None)
    for _ in range(WARMUP):
        before()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    before()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # now: later requests rotate the connection's log
    times = []
    for _ in range(REQUESTS):
        before()
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    return statistics.median(times), p95, queries


def _busiest(role):
    """The user of `role` who maintains the most customers (ranked duties)."""
    top = (
        Maintainer.objects.filter(user__role=role)
        .values("user")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if top is None:
        return User.objects.filter(role=role, is_active=True).order_by("pk").first()
    return User.objects.get(pk=top["user"])


def _busiest_manager():
    """The account manager with the most customers in their villages."""
    top = (
        Customer.objects.filter(village__owners__role=Role.ACCOUNT_MANAGER)
        .values("village__owners")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return User.objects.get(pk=top["village__owners"])


def run(*, Row, median_of):
    weeks = Week.objects.filter(status=Week.Status.CONFIRMED).values("week_start").distinct()
    confirmed = weeks.count()
    head = head_office()
    manager = _busiest_manager()
    branch_head = _busiest(Role.BRANCH_HEAD)
    branch = branch_head.branches.order_by("code").first()
    queue = Week.objects.filter(branch=branch).order_by("-week_start").first()
    as_head, as_manager, as_branch_head = (signed_in(u) for u in (head, manager, branch_head))

    customer_admin = admin.site._registry[Customer]
    saved = customer_admin.list_per_page
    customer_admin.list_per_page = 50
    try:
        f50, f95, fq = _measure(as_head, "/admin/archives/customer/")
    finally:
        customer_admin.list_per_page = saved

    def one_changed():  # something counted changed in one branch since the last look
        FiguresChange.objects.create(branch=branch, at=timezone.now())

    def none_kept():  # nothing kept yet today: every branch computed
        BranchFigures.objects.all().delete()

    cases = [
        ("my customers (acct manager)", as_manager, "/classification/mine/"),
        ("my customers, overdue (acct manager)", as_manager, "/classification/mine/?overdue=1"),
        ("revisits due (acct manager)", as_manager, "/classification/mine/due/"),
        ("revisits due (branch head)", as_branch_head, "/classification/mine/due/"),
        ("weekly queue (branch head)", as_branch_head, f"/classification/weeks/{queue.pk}/"),
        ("revisit rate (branch head)", as_branch_head, "/classification/revisit-rate/"),
        ("revisit rate (head office)", as_head, "/classification/revisit-rate/"),
        (
            "revisit rate (head office), a branch changed",
            as_head,
            "/classification/revisit-rate/",
            one_changed,
        ),
        (
            "revisit rate (head office), first look of the day",
            as_head,
            "/classification/revisit-rate/",
            none_kept,
        ),
        ("dashboard (head office)", as_head, "/classification/dashboard/"),
        (
            "dashboard (head office), a branch changed",
            as_head,
            "/classification/dashboard/",
            one_changed,
        ),
        (
            "dashboard (head office), first look of the day",
            as_head,
            "/classification/dashboard/",
            none_kept,
        ),
        (
            "dashboard of a branch (head office)",
            as_head,
            f"/classification/dashboard/branches/{branch.pk}/",
        ),
        ("home (head office)", as_head, "/"),
        ("home (acct manager)", as_manager, "/"),
    ]
    rows = []
    # The scheduled entry that computes every branch after midnight (classification/tasks.py
    # branch_figures, 00:30), so the first look of the day reads kept figures: its time is the
    # worker's, not a page's; measured with nothing kept, as after a day turns.
    from classification.tasks import branch_figures

    def scheduled():
        none_kept()
        branch_figures(timezone.now())

    nightly = median_of(scheduled, repeat=3)
    rows.append(
        Row(
            "branch figures after midnight (worker, 25 branches)",
            nightly,
            None,
            note=f"the scheduled branch_figures entry, median of 3; {confirmed} confirmed "
            f"weeks; load {os.getloadavg()[0]:.2f}",
        )
    )
    for label, client, url, *before in cases:
        o50, o95, oq = _measure(client, url, *before)
        load = os.getloadavg()[0]
        rows.append(
            Row(
                f"{label} p95",
                o95,
                f95,
                note=f"p50 {o50:.1f}/{f50:.1f}, queries {oq}/{fq} (ours/admin 50 customers); "
                f"{confirmed} confirmed weeks; load {load:.2f}",
            )
        )
    return rows
