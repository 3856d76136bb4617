"""Contacts and visits, my cadences, compliance and the work diary (DOMAIN.md §5.4),
through the pages and the functions the dashboard calls."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from credit.cadences import cadence_compliance
from credit.diary import diary_gaps
from credit.models import Activity, Cadence, CadenceBook, DiaryEntry, ListState
from tests.builders import make_corporate
from tests.conftest import login

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 11)  # a Wednesday


@pytest.fixture
def today(monkeypatch):
    def set_day(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)
        return day

    set_day(TODAY)
    return set_day


def strategic(customer, **flags):
    ListState.objects.create(
        customer=customer, list="strategic", status="confirmed", updated_at=timezone.now()
    )
    type(customer).objects.filter(pk=customer.pk).update(**flags)


def log(client, **data):
    return client.post(reverse("credit:activity_new"), data)


def test_a_manager_logs_a_visit_seen_on_their_page_and_the_customers(world, today):
    client = login(world.corp_a1)
    answer = log(
        client,
        kind="visit",
        day="2026-03-10",
        customers=[world.company_1.pk],
        participants=[world.corp_b1.pk],
        notes="谈了流贷续期",
        next_step="下周送材料",
    )
    assert answer.status_code == 302
    activity = Activity.objects.get()
    assert set(activity.participants.all()) == {world.corp_a1, world.corp_b1}
    assert "谈了流贷续期" in client.get(reverse("credit:activities")).text
    page = login(world.branch_head).get(reverse("credit:customer", args=[world.company_1.pk]))
    assert "下周送材料" in page.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "visit", "day": "2026-03-10"}, "customers"),
        ({"kind": "salon", "day": "2026-03-10", "customers": ["own"]}, "plan"),
        ({"kind": "visit", "day": "2026-03-12", "customers": ["own"]}, "day"),  # tomorrow
        ({"kind": "visit", "day": "2026-03-10", "customers": ["other"]}, "customers"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(world, today, data, field):
    ids = {"own": world.company_1.pk, "other": world.company_2.pk}
    data = {**data, "customers": [ids[c] for c in data.get("customers", [])]}
    answer = log(login(world.corp_a1), **data)
    assert answer.status_code == 200
    assert field in answer.context["form"].errors
    assert not Activity.objects.exists()


def test_a_progress_meeting_needs_no_customer(world, today):
    assert (
        log(login(world.branch_head), kind="progress_meeting", day="2026-03-11").status_code == 302
    )


def test_my_cadences_lists_due_and_overdue_with_a_link_to_log(world, today):
    strategic(world.company_1)
    client = login(world.deputy_head)
    page = client.get(reverse("credit:my_cadences"))
    overdue = page.context["overdue"]
    # Last week: no contact; last month: no visit; last quarter: no salon.
    assert {r["o"].cadence.kind for r in overdue} == {"contact", "visit", "salon"}
    link = reverse("credit:activity_new") + f"?kind=contact&customer={world.company_1.pk}"
    assert link.replace("&", "&amp;") in page.text
    # A contact this week meets it; the overdue week stays overdue.
    log(client, kind="contact", day="2026-03-09", customers=[world.company_1.pk])
    page = client.get(reverse("credit:my_cadences"))
    contact = next(r for r in page.context["overdue"] if r["o"].cadence.kind == "contact")
    assert (contact["o"].met, contact["o"].overdue) == (True, True)
    assert all(r["o"].cadence.kind != "contact" for r in page.context["due"])
    # The form opens with the kind and the customer chosen.
    form = client.get(link).context["form"]
    assert form["kind"].value() == "contact"


def test_the_page_cost_does_not_grow_with_customers_and_activities(
    world, today, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            c = make_corporate(world.branch1, team=[(world.corp_a1, "A")])
            strategic(c, bank_shareholder=bool(i % 2))
            a = Activity.objects.create(kind="contact", day=TODAY, logged_by=world.deputy_head)
            a.participants.set([world.deputy_head, world.branch_head])
            a.customers.set([c])

    grow(2)
    client = login(world.deputy_head)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("credit:my_cadences"))
    grow(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("credit:my_cadences"))
    head = login(world.branch_head)
    url = reverse("credit:branch_compliance", args=[world.branch1.pk])
    with django_assert_max_num_queries(25) as few:
        head.get(url)
    grow(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        head.get(url)


def test_compliance_per_person_and_branch(world, today):
    strategic(world.company_1)
    # The deputy contacted company_1 last week and this week; the head only this week.
    for day, people in (
        (D(2026, 3, 4), [world.deputy_head]),
        (TODAY, [world.deputy_head, world.branch_head]),
    ):
        a = Activity.objects.create(kind="contact", day=day, logged_by=world.deputy_head)
        a.participants.set(people)
        a.customers.set([world.company_1])
    figures = cadence_compliance([world.branch1, world.branch2], TODAY)
    people = {row.user.username: row.compliance for row in figures[world.branch1.pk].people}
    deputy = people["deputy_1"]  # weekly contact, monthly visit, quarterly salon
    assert (deputy.obligations, deputy.last_met, deputy.current_met) == (3, 1, 1)
    # The head: contact, visit, the two meetings, company_1's yearly analysis and joint visit.
    head = people["branch_head_1"]
    assert (head.obligations, head.last_met, head.current_met) == (6, 0, 1)
    # Branch 2's head: the two meetings and company_2's yearly analysis.
    assert figures[world.branch2.pk].total.obligations == 3
    page = login(world.corporate_finance).get(reverse("credit:compliance"))
    assert world.branch1.name in page.text


def test_a_half_yearly_joint_visit_for_a_shareholder_a_yearly_one_otherwise(world, today):
    strategic(world.company_1, bank_shareholder=True)
    other = make_corporate(world.branch1)
    strategic(other)
    page = login(world.branch_head).get(reverse("credit:my_cadences"))
    joint = {
        r["o"].customer_id: r["o"].cadence.period
        for r in page.context["overdue"] + page.context["due"]
        if r["o"].cadence.kind == "joint_visit"
    }
    assert joint == {world.company_1.pk: "half_year", other.pk: "year"}


def test_a_new_cadence_book_takes_over_from_its_date(world, today):
    strategic(world.company_1)
    book = CadenceBook.objects.create(effective_from=D(2026, 3, 12))
    Cadence.objects.create(
        book=book, who="deputy_head", kind="visit", targets="important", count=3, period="month"
    )
    client = login(world.deputy_head)
    assert len(client.get(reverse("credit:my_cadences")).context["due"]) + len(client.get(reverse("credit:my_cadences")).context["overdue"]) == 3  # fmt: skip
    today(D(2026, 3, 12))
    page = client.get(reverse("credit:my_cadences"))
    (row,) = page.context["overdue"] + page.context["due"]
    assert row["o"].required == 3


# --- the work diary ----------------------------------------------------------------------


def test_the_diary_is_written_and_edited_the_same_day_and_a_stale_edit_refused(world, today):
    phone, other_phone = login(world.corp_a1), login(world.corp_a1)
    url = reverse("credit:diary")
    assert (
        phone.post(url, {"summary": "拜访两户", "plan": "写报告", "version": ""}).status_code == 302
    )
    version = phone.get(url).context["form"]["version"].value()
    shown_elsewhere = other_phone.get(url).context["form"]["version"].value()
    assert (
        phone.post(url, {"summary": "拜访三户", "plan": "写报告", "version": version}).status_code
        == 302
    )
    answer = other_phone.post(
        url, {"summary": "拜访两户，补充", "plan": "", "version": shown_elsewhere}
    )
    assert answer.status_code == 409
    assert "拜访三户" in answer.text
    assert DiaryEntry.objects.get().summary == "拜访三户"
    # A second, deliberate save from the refused page goes through.
    version = answer.context["form"]["version"].value()
    answer = other_phone.post(url, {"summary": "拜访两户，补充", "plan": "", "version": version})
    assert answer.status_code == 302
    # The next day is a new entry; yesterday's is no longer edited.
    today(D(2026, 3, 12))
    assert phone.get(url).context["form"]["summary"].value() in (None, "")
    assert phone.post(url, {"summary": "新的一天", "plan": "", "version": ""}).status_code == 302
    assert DiaryEntry.objects.get(day=TODAY).summary == "拜访两户，补充"


def test_a_double_submit_of_a_new_entry_is_no_500(world, today):
    phone = login(world.corp_a1)
    url = reverse("credit:diary")
    for _ in range(2):
        assert phone.post(url, {"summary": "同一条", "plan": "", "version": ""}).status_code == 302
    assert DiaryEntry.objects.count() == 1


def test_diary_gaps_count_working_days_only(world):
    # 2026: 16-23 February is the Spring Festival break; Saturday 28 February is worked.
    DiaryEntry.objects.create(user=world.corp_a1, day=D(2026, 2, 25), summary="x")
    gaps = {
        u.username: days
        for u, days in diary_gaps(world.branch1, D(2026, 2, 21), D(2026, 2, 28)).items()
    }
    assert gaps["corp_a1"] == [D(2026, 2, 24), D(2026, 2, 26), D(2026, 2, 27), D(2026, 2, 28)]
    assert set(gaps) == {"corp_a1", "corp_b1", "branch_head_1", "deputy_1"}


def test_the_branch_head_sees_each_persons_missing_days(world, today):
    DiaryEntry.objects.create(user=world.corp_a1, day=D(2026, 3, 2), summary="x")
    page = login(world.branch_head).get(
        reverse("credit:branch_compliance", args=[world.branch1.pk])
    )
    gaps = dict((u.username, days) for u, days in page.context["gaps"])
    # 2 to 10 March (today's may still be written): seven working days.
    assert len(gaps["corp_b1"]) == 7
    assert len(gaps["corp_a1"]) == 6


def test_my_activities_and_the_customer_page_cost_does_not_grow(
    world, today, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            a = Activity.objects.create(kind="visit", day=TODAY, logged_by=world.corp_a1)
            a.participants.set([world.corp_a1, world.corp_b1])
            a.customers.set([world.company_1])

    grow(2)
    client = login(world.corp_a1)
    for url in (
        reverse("credit:activities"),
        reverse("credit:customer", args=[world.company_1.pk]),
    ):
        with django_assert_max_num_queries(60) as few:
            client.get(url)
        grow(6)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).text.count("activity-card") >= 8


FEBRUARY = D(2026, 2, 1)


def _target(world, stage="proposal", month=FEBRUARY):
    from credit.models import ProjectEntry

    now = timezone.now()
    return ProjectEntry.objects.create(
        branch=world.branch1,
        manager=world.corp_a1,
        month=month,
        customer=world.company_1,
        products=["流动资金贷款"],
        stage=stage,
        created_at=now,
        updated_at=now,
    )


def _target_visits(client):
    page = client.get(reverse("credit:my_cadences")).context
    found = [r["o"] for r in [*page["due"], *page["overdue"]]]
    return list({id(o): o for o in found if o.cadence.targets == "project_targets"}.values())


@pytest.mark.parametrize(("visits", "met"), [(1, False), (2, True)])
def test_a_project_library_target_is_visited_twice_a_month(world, today, visits, met):
    _target(world)
    client = login(world.corp_a1)
    (due,) = _target_visits(client)  # the library's open target: this month's visits owed
    assert due.customer_id == world.company_1.pk
    for day in ("2026-03-02", "2026-03-10")[:visits]:
        log(client, kind="visit", day=day, customers=[world.company_1.pk])
    (owed,) = _target_visits(client)  # named in February: February's were owed too
    assert (owed.met, owed.overdue) == (met, True)


@pytest.mark.parametrize(
    ("stage", "month"), [("won", D(2026, 2, 1)), ("lost", D(2026, 2, 1)), ("proposal", TODAY)]
)
def test_a_closed_target_or_one_named_this_month_is_owed_no_visits_yet(world, today, stage, month):
    _target(world, stage=stage, month=month.replace(day=1))
    assert _target_visits(login(world.corp_a1)) == []


def test_the_corporate_dashboard_shows_each_branchs_cadences_met(world, today):
    from credit.cadences import cadence_compliance

    strategic(world.company_1)
    client = login(world.corporate_finance)

    def row(branch):
        page = client.get(reverse("credit:dashboard")).text
        section = page.split('id="dashboard-cadences"')[1]
        return section.split(f'data-branch="{branch.code}"')[1].split("</tr>")[0]

    total = cadence_compliance([world.branch1], TODAY)[world.branch1.pk].total
    assert total.obligations > 0
    assert total.last_met == 0
    assert '<strong class="warn">0%</strong>' in row(world.branch1)  # nothing done last period
    # Every obligation of the branch's last complete periods done, by whoever owes it:
    for user in (world.branch_head, world.deputy_head):
        leader = login(user)
        for kind, day in [("contact", "2026-03-04"), ("visit", "2026-02-20"), ("joint_visit", "2025-12-01")]:  # fmt: skip
            log(leader, kind=kind, day=day, customers=[world.company_1.pk])
    after = cadence_compliance([world.branch1], TODAY)[world.branch1.pk].total
    assert after.last_met > total.last_met
    assert after.last_text in row(world.branch1)
