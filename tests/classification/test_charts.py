"""Trends: tiers, business connection and revisit rate by week, coverage by month, with targets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.charts import Chart, Series, svg
from classification import services
from classification.models import Visit
from tests.conftest import login

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 23)


def points(page, series):
    """The values a series draws, read from its points' titles."""
    return re.findall(rf"<title>{re.escape(series)} ([\d.,]+)%?</title>", page)


def confirmed_weeks(world, n, *, last=MONDAY):
    for k in range(n):
        week = services.run_week(
            branch=world.branch1,
            today=last - datetime.timedelta(days=7 * (n - 1 - k)),
            now=timezone.now(),
        )
        services.confirm_week(
            week=week, user=world.branch_head, today=week.week_start, now=timezone.now()
        )


@pytest.fixture
def branch_history(world):
    world.customer_a.deposit_balance = Decimal("5000")  # business with us, ranked: key
    world.customer_a.save()
    Visit.objects.create(
        customer=world.customer_a, visited_on=MONDAY, visitor=world.manager_a, learnt="回访"
    )
    confirmed_weeks(world, 2)
    return world


def test_the_branch_charts_show_the_weeks_figures_against_their_targets(branch_history):
    page = login(branch_history.branch_head).get(reverse("classification:charts")).text
    # Business connection now, one bar per village: A村's one customer has a deposit
    # (100%), B村's has nothing (0%, below the 70% target).
    assert re.findall(r"<title>([AB]村) (\d+)%</title>", page) == [("B村", "0"), ("A村", "100")]
    assert 'class="bar below"' in page
    assert 'data-target="70"' in page
    # The key customer was visited on 11-23: not yet by the end of the week of 11-16,
    # within 30 days by the end of the week of 11-23.
    assert points(page, "回访率") == ["0", "100"]
    assert 'data-target="100"' in page
    # Coverage: 2 households of 200 registered (two villages of 100) = 1%.
    assert points(page, "已建档户数 / 登记户数")[-1] == "1"


def test_the_page_costs_the_same_for_two_weeks_and_eight(world, django_assert_max_num_queries):
    confirmed_weeks(world, 2, last=MONDAY - datetime.timedelta(days=42))
    client = login(world.branch_head)
    with django_assert_max_num_queries(14) as two:
        client.get(reverse("classification:charts"))
    confirmed_weeks(world, 6)  # eight weeks in all
    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(reverse("classification:charts")).text
    assert len(re.findall(r"<polyline", page)) >= 4


def test_head_office_sees_the_whole_bank_and_each_branch(branch_history):
    client = login(branch_history.head_office)
    page = client.get(reverse("classification:charts")).text
    assert "全行" in page
    page = client.get(reverse("classification:charts"), {"branch": branch_history.branch2.pk})
    assert page.status_code == 200


@pytest.mark.parametrize("role", ["branch_head", "section_chief", "leader"])
def test_another_branch_is_a_404(branch_history, role):
    client = login(getattr(branch_history, role))
    response = client.get(reverse("classification:charts"), {"branch": branch_history.branch2.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("values", "drawn"),
    [
        ([10, None, 30], 2),  # a week without a value is a gap, not a zero
        ([None, None], 0),
        ([0, 0, 0], 3),
    ],
)
def test_the_svg_draws_one_point_per_value(values, drawn):
    chart = Chart("t", ["a", "b", "c"][: len(values)], [Series("s", values)], target=70, unit="%")
    text = svg(chart)
    assert text.count("<circle") == drawn
    assert text.startswith("<svg")
    assert 'role="img"' in text
