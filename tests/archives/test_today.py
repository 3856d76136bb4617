"""今日 (each role's home), 更多 and the menus built from one list of places per role."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from archives import today as today_sections
from archives.models import Role
from classification.models import FollowUp, Maintainer
from classification.rules import Tier
from classification.services import run_week
from tests.assessment.fieldwork_builders import make_field_day
from tests.builders import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db

HOME = reverse("home")
MORE = reverse("archives:more")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sections(html: str) -> list[str]:
    return re.findall(r'<section [^>]*id="today-([a-z-]+)"', html)


def count(html: str, section: str, name: str) -> int:
    part = html.split(f'id="today-{section}"')[1].split("</section>")[0]
    return int(re.search(rf'data-count="{name}"[^>]*>\s*(?:<strong>)?\s*(\d+)', part).group(1))


def overdue(customer, days=200):
    """A periodic-revisit customer last visited `days` ago (the kept FollowUp columns)."""
    FollowUp.objects.update_or_create(
        customer=customer,
        defaults={
            "tier": Tier.PERIODIC_REVISIT,
            "last_visit": timezone.localdate() - datetime.timedelta(days=days),
        },
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager_a", ["revisits", "field-day", "outbox", "villages"]),
        (
            "branch_head",
            ["weekly-queue", "branch-revisits", "field-day", "branch-field-days"],
        ),
        ("section_chief", ["branch-revisits", "field-day", "branch-field-days"]),
        ("leader", ["branch-revisits", "field-day", "branch-field-days"]),
        ("head_office", ["review-queue", "months", "imports"]),
    ],
)
def test_each_role_sees_its_own_sections_in_order(world, role, expected):
    html = login(getattr(world, role)).get(HOME).text
    shown = sections(html)
    if "outbox" in shown:
        # Filled by static/js/outbox.js: shown while forms wait on the phone.
        summary = html.split('<section id="today-outbox"', 1)[1].split("</section>", 1)[0]
        assert "data-outbox-summary hidden" in summary
        assert 'href="/pending/"' in summary
    assert [s for s in shown if s != "outbox"] == [s for s in expected if s != "outbox"]
    assert ("outbox" in shown) is (role != "head_office")


@pytest.mark.parametrize("role", ["deputy_head", "corporate_finance", "credit_management"])
def test_corporate_only_roles_keep_going_to_the_credit_lists(world, role):
    response = login(getattr(world, role)).get(HOME)
    assert response["Location"] == reverse("credit:home")


def test_the_manager_sees_their_own_revisits_due_and_nobody_elses(world):
    overdue(world.customer_a)
    overdue(world.customer_b)  # manager_b's village: never on manager_a's page
    soon = make_customer(world.village_a, name="李近期")
    overdue(soon, days=85)  # quarterly: due within the week
    html = login(world.manager_a).get(HOME).text
    assert count(html, "revisits", "overdue") == 1
    assert count(html, "revisits", "due") == 1  # due within the week, not yet overdue
    part = html.split('id="today-revisits"')[1].split("</section>")[0]
    assert world.customer_a.name in part
    assert "李近期" in part
    assert world.customer_b.name not in html


def test_the_field_day_section_says_whether_today_is_logged(world):
    client = login(world.manager_a)
    html = client.get(HOME).text
    assert 'data-logged="no"' in html
    assert f'href="{reverse("assessment:field_day_log")}"' in html
    day = make_field_day(world.manager_a, [world.village_a], timezone.localdate())
    html = client.get(HOME).text
    assert 'data-logged="yes"' in html
    assert day.get_absolute_url() in html


def test_the_manager_sees_their_villages_with_coverage_and_the_village_list(world):
    html = login(world.manager_a).get(HOME).text
    part = html.split('id="today-villages"')[1].split("</section>")[0]
    assert world.village_a.name in part
    assert world.village_b.name not in part
    assert "<meter" in part
    assert f'href="{reverse("archives:villages")}"' in part
    villages = login(world.manager_a).get(reverse("archives:villages")).text
    assert world.village_a.name in villages
    assert world.village_c.name not in villages


def test_the_branch_head_sees_the_weekly_queue_and_the_branch_figures(world):
    week = run_week(branch=world.branch1, today=timezone.localdate(), now=timezone.now())
    undecided = week.rows.filter(tier=Tier.UNDECIDED).count()
    overdue(world.customer_a)
    overdue(world.customer_b)
    overdue(world.customer_c)  # branch 2
    make_field_day(world.manager_a, [world.village_a], timezone.localdate())
    make_field_day(world.manager_c, [world.village_c], timezone.localdate())
    html = login(world.branch_head).get(HOME).text
    queue = html.split('id="today-weekly-queue"')[1].split("</section>")[0]
    assert reverse("classification:week", args=[week.pk]) in queue
    assert f"{undecided} " in queue.split('data-count="undecided"')[1]
    assert count(html, "branch-revisits", "overdue") == 2
    assert world.branch2.name not in html
    assert count(html, "branch-field-days", "waiting") == 1
    assert count(html, "branch-field-days", "today") == 1


def maintain(customer, user):
    duty = {"branch_head": "branch_head", "section_chief": "chief", "leader": "leader"}[user.role]
    Maintainer.objects.create(
        customer=customer, user=user, duty=duty, since=datetime.date(2026, 1, 1)
    )


@pytest.mark.parametrize("role", ["branch_head", "section_chief", "leader"])
def test_those_who_maintain_ranked_customers_see_their_revisits_due(world, role):
    user = getattr(world, role)
    assert "today-revisits" not in login(user).get(HOME).text  # maintains nobody: no section
    maintain(world.customer_a, user)
    overdue(world.customer_a, days=400)
    html = login(user).get(HOME).text
    assert count(html, "revisits", "overdue") == 1
    assert world.customer_a.name in html.split('id="today-revisits"')[1].split("</section>")[0]


def test_head_office_sees_days_to_review_months_to_close_and_imports(world):
    make_field_day(world.manager_a, [world.village_a], timezone.localdate())
    make_field_day(world.manager_c, [world.village_c], timezone.localdate())
    html = login(world.head_office).get(HOME).text
    assert count(html, "review-queue", "waiting") == 2
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime(
        "%Y-%m"
    )
    assert last_month in html.split('id="today-months"')[1].split("</section>")[0]
    assert reverse("archives:import_upload") in html


def test_items_returned_to_their_author_come_from_the_registered_sources(world, monkeypatch):
    assert "today-returned" not in login(world.manager_a).get(HOME).text  # no source yet
    item = today_sections.ReturnedItem(
        title="王大山 调查表", url="/customers/1/", comment="请补充家庭成员"
    )
    monkeypatch.setattr(
        today_sections,
        "_RETURNED",
        {"test": today_sections.Returned("test", lambda user, today: [item])},
    )
    html = login(world.manager_a).get(HOME).text
    part = html.split('id="today-returned"')[1].split("</section>")[0]
    assert "王大山 调查表" in part
    assert "请补充家庭成员" in part


# --- cost: a constant number of queries -----------------------------------------------------


def _grow(world, start, end):
    """More customers, overdue revisits and field days for every section to count."""
    for i in range(start, end):
        for village in (world.village_a, world.village_b):
            overdue(make_customer(village, name=f"户{village.pk}-{i}"))
        make_field_day(
            world.manager_a, [world.village_a], timezone.localdate() - datetime.timedelta(days=i)
        )


# Queries of the page: the session, the user, the second factor (head office), then each
# section's own, fixed whatever the number of rows.
# Each role's sections, plus one query per source of items sent back (field days, surveys).
QUERIES = {"manager_a": 10, "branch_head": 15, "section_chief": 14, "head_office": 8}


@pytest.mark.parametrize("role", sorted(QUERIES))
def test_today_costs_a_fixed_number_of_queries(world, role, django_assert_num_queries):
    run_week(branch=world.branch1, today=timezone.localdate(), now=timezone.now())
    if role in ("branch_head", "section_chief"):  # every section shown, with rows
        maintain(world.customer_a, getattr(world, role))
    client = login(getattr(world, role))
    _grow(world, 0, 2)
    with django_assert_num_queries(QUERIES[role]):
        assert client.get(HOME).status_code == 200
    _grow(world, 2, 8)
    with django_assert_num_queries(QUERIES[role]):
        assert client.get(HOME).status_code == 200


# --- menus: one list of places, three views of it ------------------------------------------


def tabs(html: str) -> list[str]:
    bar = html.split('class="tabbar"')[1].split("</nav>")[0]
    return re.findall(r'data-place="([a-z_]+)"', bar)


def places(html: str, where: str) -> list[str]:
    part = html.split(where)[1].split("</nav>" if "nav" in where else "</main>")[0]
    return re.findall(r'data-place="([a-z_]+)"', part)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager_a", ["today", "field_days", "customers", "my_customers", "more"]),
        ("branch_head", ["today", "weeks", "dashboard", "field_days", "more"]),
        ("section_chief", ["today", "dashboard", "field_days", "my_customers", "more"]),
        ("head_office", ["today", "review", "field_days", "dashboard", "more"]),
        ("deputy_head", ["credit", "more"]),
    ],
)
def test_each_role_has_its_tabs_and_every_other_place_once_on_the_more_page(world, role, expected):
    client = login(getattr(world, role))
    html = client.get(MORE).text
    assert tabs(html) == expected
    on_more = places(html, "<main")
    desktop = places(html, 'class="mainnav"')
    assert not set(on_more) & set(expected)
    assert len(on_more) == len(set(on_more))
    # The desktop menu: the same places, each once (main links, then the groups).
    assert sorted(desktop) == sorted({*expected, *on_more} - {"more"})
    assert str(getattr(world, role)) in html.split("data-whoami")[1].split("</p>")[0]


def test_head_office_keeps_its_many_places_in_groups_on_the_desktop(world):
    html = login(world.head_office).get(HOME).text
    menu = html.split('class="mainnav"')[1].split("</nav>")[0]
    direct = re.findall(r'<a href="[^"]+" data-place', menu.split("<details")[0])
    assert len(direct) == 4
    assert menu.count("<details") >= 3
    for url_name in ("archives:import_upload", "archives:access_log", "assessment:months"):
        assert f'href="{reverse(url_name)}"' in menu


@pytest.mark.parametrize(
    ("url", "tab"),
    [
        (reverse("assessment:field_day_log"), "field_days"),
        (reverse("archives:customers"), "customers"),
        (reverse("classification:revisits_due"), "my_customers"),
        (reverse("archives:villages"), "more"),  # a place of the 更多 page
        (MORE, "more"),
        (HOME, "today"),
    ],
)
def test_the_current_place_is_highlighted_in_the_tab_bar(world, url, tab):
    html = login(world.manager_a).get(url).text
    bar = html.split('class="tabbar"')[1].split("</nav>")[0]
    assert re.findall(r'data-place="([a-z_]+)" aria-current="page"', bar) == [tab]


def test_the_role_names_shown_are_the_users_own(world):
    html = login(world.manager_a).get(HOME).text
    who = html.split("data-whoami")[1].split("</p>")[0]
    assert str(world.manager_a) in who
    assert str(Role.ACCOUNT_MANAGER.label) in who or "客户经理" in who


def test_a_field_day_sent_back_waits_on_its_authors_today(world):
    from assessment.models import FieldDay
    from tests.assessment.statement_builders import make_days

    (day,) = make_days(
        world.manager_a,
        world.village_a,
        1,
        month=timezone.localdate().replace(day=1),
        status=FieldDay.Status.RETURNED,
    )
    FieldDay.objects.filter(pk=day.pk).update(review_note="请补拍农户门牌照片")
    html = login(world.manager_a).get(HOME).text
    assert "returned" in sections(html)
    part = html.split('id="today-returned"', 1)[1].split("</section>", 1)[0]
    assert "请补拍农户门牌照片" in part
    assert f"/assessment/field-days/{day.pk}/correct/" in part
    # Nobody else sees it on their 今日.
    assert "returned" not in sections(login(world.manager_b).get(HOME).text)
