"""Monthly minimums of going down: leaders ≥ 2 trips and ≥ 100 households, section chiefs
≥ 4 and ≥ 500, branch heads their field days (15 in the census phase, else 10); all 含."""

import subprocess

import pytest
from django.urls import reverse

from archives.models import Role
from assessment import pricing, quota_rules
from assessment.models import FieldDay, Month
from tests.assessment.statement_builders import NOVEMBER, make_days
from tests.conftest import login

RATES = pricing.RateTable()


@pytest.mark.parametrize(
    ("role", "census", "trips", "households", "met"),
    [
        (Role.LEADER, False, 2, 100, True),  # both at the minimum: met (含)
        (Role.LEADER, False, 1, 100, False),
        (Role.LEADER, False, 2, 99, False),
        (Role.LEADER, False, 3, 400, True),
        (Role.SECTION_CHIEF, False, 4, 500, True),
        (Role.SECTION_CHIEF, False, 3, 900, False),
        (Role.SECTION_CHIEF, False, 9, 499, False),
        (Role.BRANCH_HEAD, False, 10, 0, True),  # field days only, households not counted
        (Role.BRANCH_HEAD, False, 9, 999, False),
        (Role.BRANCH_HEAD, True, 15, 0, True),  # census phase: 15
        (Role.BRANCH_HEAD, True, 14, 0, False),
    ],
)
def test_the_minimums_at_their_boundaries(role, census, trips, households, met):
    quota = quota_rules.quota(
        pricing.Role(role), trips=trips, households=households, census_phase=census, rates=RATES
    )
    assert quota.met is met


@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.HEAD_OFFICE])
def test_other_roles_have_no_such_minimum(role):
    assert (
        quota_rules.quota(
            pricing.Role(role), trips=30, households=0, census_phase=False, rates=RATES
        )
        is None
    )


@pytest.fixture
def november(world):
    # The leader went down twice (2 × 10 households: 20 < 100), the chief four times, of
    # which one is still awaiting review (not counted), the branch head ten times.
    make_days(world.leader, world.village_a, 2, month=NOVEMBER)
    make_days(world.section_chief, world.village_a, 3, month=NOVEMBER)
    make_days(
        world.section_chief,
        world.village_a,
        1,
        month=NOVEMBER,
        start=10,
        status=FieldDay.Status.SUBMITTED,
    )
    make_days(world.branch_head, world.village_a, 10, month=NOVEMBER)
    return world


def rows(page):
    body = page.split('id="quotas"', 1)[1].split("</table>", 1)[0]
    out = {}
    for chunk in body.split('<tr data-person="')[1:]:
        person, rest = chunk.split('"', 1)
        out[person] = rest.split('data-met="', 1)[1].split('"', 1)[0]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "head_office",
            {"leader_1": "no", "chief_1": "no", "branch_head_1": "yes", "branch_head_2": "no"},
        ),
        ("branch_head", {"leader_1": "no", "chief_1": "no", "branch_head_1": "yes"}),
        ("leader", {"leader_1": "no"}),
        ("section_chief", {"chief_1": "no"}),
    ],
)
def test_each_sees_the_minimums_in_their_scope(
    november, django_assert_max_num_queries, role, expected
):
    client = login(getattr(november, role))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("assessment:quotas", args=[2026, 11])).text
    assert rows(page) == expected


@pytest.mark.django_db
def test_the_census_phase_raises_the_branch_heads_minimum(november):
    Month.objects.create(month=NOVEMBER, census_phase=True)
    page = login(november.head_office).get(reverse("assessment:quotas", args=[2026, 11])).text
    assert rows(page)["branch_head_1"] == "no"  # 10 field days < 15


@pytest.mark.django_db
def test_a_chiefs_statement_shows_trips_and_households_against_the_minimums(november, tmp_path):
    client = login(november.section_chief)
    url = reverse("assessment:statement", args=[2026, 11, november.section_chief.pk])
    page = client.get(url).text
    trips = page.split('id="quota-trips"', 1)[1].split("</dd>", 1)[0]
    households = page.split('id="quota-households"', 1)[1].split("</dd>", 1)[0]
    assert "3</span>" in trips
    assert "/ 4" in trips
    assert 'data-met="no"' in trips
    assert "30</span>" in households
    assert "/ 500" in households
    pdf = client.get(
        reverse("assessment:statement_pdf", args=[2026, 11, november.section_chief.pk])
    )
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "3 次（最低 4 次，未达标）" in text
    assert "30 户（最低 500 户，未达标）" in text


@pytest.mark.django_db
def test_the_dashboard_leads_to_the_minimums(november):
    page = login(november.branch_head).get(reverse("classification:dashboard")).text
    assert reverse("assessment:my_quotas") in page
