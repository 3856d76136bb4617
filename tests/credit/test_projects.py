"""The project library through its pages: naming a target, moving its stage, the weekly
progress meeting, the monthly XLSX; credit starts at the list run; the dashboard."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit import lists
from credit.models import CreditStart, Figures, ProjectEntry, StageChange
from tests.builders import make_branch, make_corporate, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db
SEQ = itertools.count(1)


def valid_code():
    from tests.builders import credit_code

    return credit_code("91421122")


def name(client, **data):
    payload = {"products": "流动资金贷款\n代发工资", "next_step": "", "next_step_due": ""}
    payload.update(data)
    return client.post(reverse("credit:project_create"), payload)


def make_entry(world, *, manager=None, stage="contacted", due=None, month=None, **fields):
    now = timezone.now()
    return ProjectEntry.objects.create(
        branch=world.branch1,
        manager=manager or world.corp_a1,
        month=month or timezone.localdate().replace(day=1),
        prospect_name=fields.pop("prospect_name", None) or f"红安某新材料{next(SEQ)}有限公司",
        products=["流动资金贷款"],
        stage=stage,
        next_step_due=due,
        created_at=now,
        updated_at=now,
        **fields,
    )


# --- naming a target -------------------------------------------------------------------


def test_a_manager_names_a_prospect_with_its_credit_code(world):
    code = valid_code()
    response = name(
        login(world.corp_a1), prospect_name="红安新能源有限公司", prospect_credit_code=code
    )
    entry = ProjectEntry.objects.get()
    assert response.status_code == 302
    assert (entry.prospect_name, entry.prospect_credit_code) == ("红安新能源有限公司", code)
    assert entry.products == ["流动资金贷款", "代发工资"]
    assert entry.stage == "contacted"
    assert entry.month == timezone.localdate().replace(day=1)
    assert entry.branch == world.branch1


def test_a_wrong_credit_code_is_refused_in_chinese_and_nothing_is_saved(world):
    response = name(login(world.corp_a1), prospect_name="某公司", prospect_credit_code="123")
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert not ProjectEntry.objects.exists()


def test_a_target_named_twice_in_a_month_is_refused_without_a_500(world):
    client = login(world.corp_a1)
    assert name(client, prospect_name="重复公司").status_code == 302
    response = name(client, prospect_name="重复公司")
    assert response.status_code == 200
    assert "本月已储备过" in response.content.decode()
    assert ProjectEntry.objects.count() == 1


def test_the_library_reads_a_constant_number_of_queries(world):
    client = login(world.branch_head)
    url = reverse("credit:projects")
    make_entry(world)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        entry = make_entry(world, prospect_name=f"公司{i}")
        move(login(world.corp_a1), entry, "proposal", "contacted")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_target_needs_a_customer_or_a_prospect(world):
    response = name(login(world.corp_a1))
    assert response.status_code == 200
    assert not ProjectEntry.objects.exists()


def test_a_manager_names_an_existing_customer_of_theirs_only(world):
    client = login(world.corp_a1)
    assert name(client, customer=world.company_1.pk).status_code == 302
    assert ProjectEntry.objects.get().customer == world.company_1
    # Another branch's customer is not offered, and a forged post is refused.
    assert name(client, customer=world.company_2.pk).status_code == 200
    assert ProjectEntry.objects.count() == 1


def test_the_library_counts_the_month_against_four(world):
    for _ in range(3):
        make_entry(world)
    page = login(world.corp_a1).get(reverse("credit:projects")).content.decode()
    assert 'id="month-count" class="warn"' in page
    make_entry(world)
    page = login(world.corp_a1).get(reverse("credit:projects")).content.decode()
    assert 'id="month-count" class="ok"' in page


# --- moving the stage ------------------------------------------------------------------


def move(client, entry, to, shown, **data):
    payload = {
        "to_stage": to,
        "shown_stage": shown,
        "note": "",
        "next_step": "",
        "next_step_due": "",
    }
    payload.update(data)
    return client.post(reverse("credit:project_move", args=[entry.pk]), payload, follow=True)


def test_every_stage_change_is_kept_with_who_when_and_a_note(world):
    entry = make_entry(world)
    client = login(world.corp_a1)
    move(client, entry, "proposal", "contacted", note="已提交方案", next_step="约见财务")
    entry.refresh_from_db()
    assert (entry.stage, entry.next_step) == ("proposal", "约见财务")
    move(client, entry, "won", "proposal")
    entry.refresh_from_db()
    assert entry.stage == "won"
    changes = list(
        StageChange.objects.order_by("at", "pk").values_list("from_stage", "to_stage", "note", "by")
    )
    assert changes == [
        ("contacted", "proposal", "已提交方案", world.corp_a1.pk),
        ("proposal", "won", "", world.corp_a1.pk),
    ]


def test_a_stale_or_repeated_move_is_refused_saying_what_the_stage_is_now(world):
    entry = make_entry(world)
    client = login(world.corp_a1)
    move(client, entry, "proposal", "contacted")
    response = move(client, entry, "proposal", "contacted")  # the same form sent twice
    assert response.status_code == 200
    assert "方案" in response.content.decode()
    assert StageChange.objects.count() == 1


@pytest.mark.parametrize(
    ("stage", "to"), [("proposal", "contacted"), ("won", "lost"), ("lost", "won")]
)
def test_a_stage_never_moves_back_and_final_stages_stay(world, stage, to):
    entry = make_entry(world, stage=stage)
    move(login(world.corp_a1), entry, to, stage)
    entry.refresh_from_db()
    assert entry.stage == stage
    assert not StageChange.objects.exists()


def test_only_the_manager_who_named_it_moves_it(world):
    entry = make_entry(world)
    response = move(login(world.branch_head), entry, "proposal", "contacted")
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.stage == "contacted"


# --- the weekly progress meeting -------------------------------------------------------


def meeting(world, user=None, **params):
    url = reverse("credit:project_meeting", args=[world.branch1.pk])
    return login(user or world.branch_head).get(url, params)


def test_the_meeting_shows_what_was_named_moved_and_is_late_per_manager(world):
    today = timezone.localdate()
    moved = make_entry(world, prospect_name="移动公司")
    move(login(world.corp_a1), moved, "approval", "contacted", note="已上会")
    make_entry(world, prospect_name="逾期公司", due=today - datetime.timedelta(days=1))
    make_entry(
        world,
        manager=world.corp_b1,
        prospect_name="已落地公司",
        stage="won",
        due=today - datetime.timedelta(days=1),
    )
    page = meeting(world).content.decode()
    assert "移动公司</a>：已接触 → 审批" in page
    assert page.count("逾期公司") == 2  # named this week and late
    assert "已落地公司" in page  # named this week, never late once won
    assert 'data-manager="corp_b1"' in page
    assert "2 / 4" in page
    assert "1 / 4" in page


def test_another_week_shows_nothing_of_this_one(world):
    make_entry(world, prospect_name="本周公司")
    year, week, _ = (timezone.localdate() - datetime.timedelta(days=14)).isocalendar()
    page = meeting(world, week=f"{year}-W{week:02d}").content.decode()
    assert page.count("本周公司") == 0


def test_a_malformed_week_is_404(world):
    assert meeting(world, week="2026-W99").status_code == 404
    assert meeting(world, week="abc").status_code == 404


def _visit(world, manager, day, customer=None):
    from credit.models import Activity

    activity = Activity.objects.create(
        kind="visit", day=day, notes="走访", next_step="下周报方案", logged_by=manager
    )
    activity.participants.add(manager)
    activity.customers.add(customer or world.company_1)
    return activity


def test_the_meeting_shows_each_managers_contacts_and_visits_of_the_week(world):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    _visit(world, world.corp_a1, monday)
    _visit(world, world.corp_a1, monday - datetime.timedelta(days=1))  # last Sunday: not shown
    page = meeting(world).content.decode()
    row = page.split('data-manager="corp_a1"')[1].split("</tr>")[0]
    cell = row.split('class="contacts"')[1].split("</td>")[0]
    assert f"{monday:%m-%d} 拜访：{world.company_1.name}" in cell
    assert "下周报方案" in cell
    assert cell.count("拜访") == 1
    other = page.split('data-manager="corp_b1"')[1].split("</tr>")[0]
    assert "拜访" not in other.split('class="contacts"')[1].split("</td>")[0]


def test_the_meeting_reads_a_constant_number_of_queries(world):
    _visit(world, world.corp_a1, timezone.localdate())  # (no visit at all skips one query)
    meeting(world)
    with CaptureQueriesContext(connection) as few:
        meeting(world)
    for i in range(6):
        manager = make_user(
            "account_manager",
            username=f"corp_x{i}",
            branches=[world.branch1],
            corporate_manager=True,
        )
        entry = make_entry(
            world, manager=manager, due=timezone.localdate() - datetime.timedelta(days=2)
        )
        move(login(manager), entry, "proposal", "contacted")
        _visit(world, manager, timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        assert meeting(world).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 34  # with the week's contacts and visits (two queries)


# --- the monthly export ----------------------------------------------------------------


def test_the_export_holds_the_months_entries_with_their_history_text_as_text(world):
    entry = make_entry(world, prospect_name="=HYPERLINK(1)", prospect_credit_code=valid_code())
    move(login(world.corp_a1), entry, "proposal", "contacted", note="联系 13912345678")
    make_entry(world, month=datetime.date(2020, 1, 1), prospect_name="旧月份公司")
    month = timezone.localdate().strftime("%Y-%m")
    response = login(world.branch_head).get(
        reverse("credit:projects_export", args=[world.branch1.pk]), {"month": month}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("客户经理", "客户名称", "统一社会信用代码")
    assert len(rows) == 2
    row = rows[1]
    assert row[1] == "'=HYPERLINK(1)"
    assert ws.cell(2, 2).data_type == "s"
    assert row[2] == entry.prospect_credit_code
    assert row[5] == "方案"
    assert "已接触 → 方案" in row[8]
    assert "13912345678" not in row[8]


# --- credit starts at the list run ------------------------------------------------------


def run(world, day):
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return lists.run_lists(branch=world.branch1, user=world.branch_head, today=day, now=now)


def figures(customer, exposure, period):
    Figures.objects.update_or_create(
        customer=customer,
        period=period,
        defaults={"exposure": exposure, "imported_at": timezone.now()},
    )


def test_a_potential_customer_whose_credit_starts_counts_once_for_its_a_manager(world):
    type(world.company_1).objects.filter(pk=world.company_1.pk).update(tax_grade="A")
    figures(world.company_1, Decimal(0), datetime.date(2026, 2, 1))
    run(world, datetime.date(2026, 3, 1))
    assert world.company_1.proposals.get().list == "potential"
    assert not CreditStart.objects.exists()
    figures(world.company_1, Decimal(500000), datetime.date(2026, 3, 1))
    run(world, datetime.date(2026, 3, 31))
    run(world, datetime.date(2026, 4, 1))  # a second run counts nothing again
    start = CreditStart.objects.get()
    assert (start.customer, start.manager, start.started_on) == (
        world.company_1,
        world.corp_a1,
        datetime.date(2026, 3, 31),
    )


def test_a_customer_on_no_list_without_credit_whose_credit_starts_counts(world):
    figures(world.company_1, Decimal(0), datetime.date(2026, 2, 1))
    run(world, datetime.date(2026, 3, 1))
    assert world.company_1.proposals.get().list == "unlisted"
    figures(world.company_1, Decimal(1), datetime.date(2026, 4, 1))
    run(world, datetime.date(2026, 4, 2))
    assert CreditStart.objects.get().started_on == datetime.date(2026, 4, 2)


def test_a_customer_with_credit_from_the_first_run_is_no_credit_start(world):
    figures(world.company_1, Decimal(500000), datetime.date(2026, 2, 1))
    run(world, datetime.date(2026, 3, 1))
    run(world, datetime.date(2026, 3, 2))
    assert not CreditStart.objects.exists()


# --- the dashboard ---------------------------------------------------------------------


def dashboard(user):
    return login(user).get(reverse("credit:dashboard"))


def test_the_dashboard_shows_a_branch_its_own_and_head_office_every_branch(world):
    for _ in range(4):
        make_entry(world)
    CreditStart.objects.create(
        customer=world.company_1,
        manager=world.corp_a1,
        branch=world.branch1,
        started_on=timezone.localdate(),
    )
    page = dashboard(world.branch_head).content.decode()
    assert world.branch1.name in page
    assert world.branch2.name not in page
    assert "1 / 2" in page  # of corp_a1 and corp_b1, one named 4 and one won credit
    page = dashboard(world.corporate_finance).content.decode()
    assert world.branch1.name in page
    assert world.branch2.name in page


def test_the_dashboard_reads_a_constant_number_of_queries_whatever_the_branches(world):
    dashboard(world.corporate_finance)
    with CaptureQueriesContext(connection) as few:
        dashboard(world.corporate_finance)
    for i in range(5):
        branch = make_branch(name=f"测试{i}支行", code=f"T{i:02d}")
        manager = make_user(
            "account_manager", username=f"corp_t{i}", branches=[branch], corporate_manager=True
        )
        make_corporate(branch, team=[(manager, "A")])
    with CaptureQueriesContext(connection) as many:
        assert dashboard(world.corporate_finance).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 47  # with the movements (two queries) and cadences (nine) sections


def test_the_dashboard_counts_the_lists_and_the_age_of_head_offices_queue(world):
    from credit.models import ListChange, ListState

    now = timezone.now()
    ListState.objects.create(
        customer=world.company_1, status="declared", requested="quality", updated_at=now
    )
    ListChange.objects.create(
        customer=world.company_1,
        step="declared",
        to_list="quality",
        by=world.branch_head,
        at=now - datetime.timedelta(days=5),
    )
    page = dashboard(world.corporate_finance).content.decode()
    row = page.split(f'data-branch="{world.branch1.code}"')[1].split("</tr>")[0]
    assert '<td class="num awaiting" data-label="待总行审核"><span class="cell">1<' in row
    assert '<td class="num oldest" data-label="最久待确认（天）"><span class="cell">5<' in row
