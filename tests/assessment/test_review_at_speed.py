"""Reviewing at speed: filters, every day without findings at once, findings ruled together."""

import pytest
from django.urls import reverse

from assessment.models import FieldDay, Finding
from tests.assessment.statement_builders import NOVEMBER, make_days, make_finding
from tests.conftest import login

pytestmark = pytest.mark.django_db
REVIEW = reverse("assessment:review")


@pytest.fixture
def month(world):
    """manager_a: 3 days, two with an open finding; manager_c (branch 2): 2 clean days."""
    a_days = make_days(world.manager_a, world.village_a, 3, month=NOVEMBER)
    c_days = make_days(world.manager_c, world.village_c, 2, month=NOVEMBER)
    world.reused = make_finding(a_days[0])
    world.far = make_finding(a_days[1], kind=Finding.Kind.TOO_FAR)
    FieldDay.objects.update(status=FieldDay.Status.SUBMITTED)
    world.a_days, world.c_days = a_days, c_days
    return world


def shown(page):
    return page.count('class="card field-day')


@pytest.mark.parametrize(
    ("query", "days"),
    [
        ({}, 5),
        ({"branch": "B01"}, 3),
        ({"branch": "B02"}, 2),
        ({"kind": "too_far"}, 1),
        ({"kind": "reused"}, 1),
        ({"kind": "other_day"}, 0),
    ],
)
def test_filters_by_branch_person_and_finding_kind(month, query, days):
    client = login(month.head_office)
    params = {"month": "2026-11", "show": "all"}
    if "branch" in query:
        branch = month.branch1 if query["branch"] == "B01" else month.branch2
        params["branch"] = branch.pk
    if "kind" in query:
        params["kind"] = query["kind"]
    page = client.get(REVIEW, params).text
    assert page.count('id="field-day-') == days


def test_one_person_is_a_filter_too(month):
    page = (
        login(month.head_office)
        .get(REVIEW, {"month": "2026-11", "show": "all", "person": month.manager_c.pk})
        .text
    )
    assert page.count('id="field-day-') == 2


def test_every_day_without_findings_is_confirmed_in_one_step_from_the_review(month):
    client = login(month.head_office)
    here = f"{REVIEW}?month=2026-11&show=submitted"
    response = client.post(reverse("assessment:confirm_days", args=[2026, 11]), {"next": here})
    assert response.status_code == 302
    assert response["Location"] == here
    statuses = dict(FieldDay.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in month.a_days] == ["submitted", "submitted", "confirmed"]
    assert [statuses[d.pk] for d in month.c_days] == ["confirmed", "confirmed"]


def test_several_findings_are_ruled_at_once_with_one_reason(month):
    client = login(month.head_office)
    page = client.get(REVIEW, {"month": "2026-11", "show": "findings"}).text
    versions = {
        f.pk: page.split(f'name="version-{f.pk}" value="', 1)[1].split('"', 1)[0]
        for f in (month.reused, month.far)
    }
    response = client.post(
        reverse("assessment:rule_findings"),
        {
            "finding": [month.reused.pk, month.far.pk],
            **{f"version-{pk}": v for pk, v in versions.items()},
            "ruling": "dismissed",
            "note": "同一农户不同时间走访",
            "next": REVIEW,
        },
    )
    assert response.status_code == 302
    assert set(Finding.objects.values_list("status", "ruling_note")) == {
        ("dismissed", "同一农户不同时间走访")
    }


def test_a_batch_with_one_stale_finding_rules_none(month):
    client = login(month.head_office)
    page = client.get(REVIEW, {"month": "2026-11", "show": "findings"}).text
    versions = {
        f.pk: page.split(f'name="version-{f.pk}" value="', 1)[1].split('"', 1)[0]
        for f in (month.reused, month.far)
    }
    # Someone rules the second finding meanwhile.
    from django.utils import timezone

    from assessment import fieldwork

    fieldwork.rule_on_finding(
        finding=month.far,
        reviewer=month.head_office,
        ruling="confirmed_falsification",
        note="核实属实",
        now=timezone.now(),
    )
    response = client.post(
        reverse("assessment:rule_findings"),
        {
            "finding": [month.reused.pk, month.far.pk],
            **{f"version-{pk}": v for pk, v in versions.items()},
            "ruling": "dismissed",
            "note": "同一农户不同时间走访",
            "next": REVIEW,
        },
        follow=True,
    )
    assert "未作认定" in response.text
    month.reused.refresh_from_db()
    month.far.refresh_from_db()
    assert month.reused.status == "open"
    assert month.far.status == "confirmed_falsification"


def test_the_reasons_are_offered_and_a_branch_head_cannot_rule(month):
    page = login(month.head_office).get(REVIEW, {"month": "2026-11"}).text
    assert '<datalist id="ruling-reasons">' in page
    assert 'list="ruling-reasons"' in page
    response = login(month.branch_head).post(
        reverse("assessment:rule_findings"),
        {"finding": [month.reused.pk], "ruling": "dismissed", "note": "x"},
    )
    assert response.status_code == 404
    assert Finding.objects.get(pk=month.reused.pk).status == "open"
