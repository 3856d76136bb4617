"""The weekly queue, the dashboards and home cost the same queries after 1 confirmed week or 6,
and the queue's list is not counted a second time."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classification import services
from classification.models import Week
from tests.classification.test_followup import confirm, ranked_customers, visit
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def history(world, today):
    """52 ranked customers with visits; returns a function adding confirmed weeks."""
    customers = ranked_customers(world.village_a, 52)
    for i, customer in enumerate(customers[:20]):
        visit(customer, today - datetime.timedelta(days=1 + i), world.manager_a)
    confirm(world, day=today - datetime.timedelta(days=7))

    def more_weeks(backs):
        for back in backs:
            confirm(world, day=today - datetime.timedelta(days=7 * back))

    return more_weeks


def this_week(world, today):
    return services.run_week(branch=world.branch1, today=today, now=timezone.now())


def selects(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    # An INSERT of kept figures (classification/figures.py) is VALUES for one branch and
    # SELECT … UNNEST for several on PostgreSQL: the same one statement either way.
    sql = [q["sql"] for q in ctx.captured_queries]
    return [0 if q.startswith("INSERT") else q.count("SELECT") for q in sql], response


PAGES = [
    ("weekly queue", "branch_head", lambda w: reverse("classification:week", args=[w.pk])),
    (
        "weekly list, all",
        "branch_head",
        lambda w: reverse("classification:week", args=[w.pk]) + "?show=all",
    ),
    ("dashboard", "head_office", lambda w: reverse("classification:dashboard")),
    ("dashboard", "branch_head", lambda w: reverse("classification:dashboard")),
    (
        "branch dashboard",
        "head_office",
        lambda w: reverse("classification:dashboard_branch", args=[w.branch_id]),
    ),
    ("home", "head_office", lambda w: reverse("home")),
    ("home", "manager_a", lambda w: reverse("home")),
]


@pytest.mark.parametrize(("page", "role", "url"), PAGES, ids=[f"{p}-{r}" for p, r, _u in PAGES])
def test_the_page_costs_the_same_queries_after_1_confirmed_week_or_6(
    world, history, today, page, role, url
):
    week = this_week(world, today)
    client = login(getattr(world, role))
    after_one, first = selects(client, url(week))
    history(range(2, 7))
    after_six, again = selects(client, url(week))
    assert after_six == after_one
    assert first.content.count(b"<tr") == again.content.count(b"<tr")


def test_the_weekly_queue_counts_its_rows_once(world, history, today):
    week = this_week(world, today)
    client = login(world.branch_head)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("classification:week", args=[week.pk]) + "?show=all")
    assert response.status_code == 200
    week_rows = [
        q["sql"] for q in ctx.captured_queries if "classification_classification" in q["sql"]
    ]
    # One grouped count for the tabs and the paginator, one read of the page's rows.
    assert len(week_rows) == 2, week_rows
    total = Week.objects.get(pk=week.pk).rows.count()
    assert total >= 52
    assert response.context["page"].paginator.count == total
    assert len(response.context["page"].object_list) == min(total, 100)
