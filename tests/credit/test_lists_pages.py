"""The lists pages: the rules' run, the branch's four lists, head office's queue, the export."""

import datetime
import io
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit import exports, facts, lists, rules
from credit.models import Figures, Industry, ListChange, ListProposal, ListState
from tests.builders import PASSWORD, login_request, make_corporate, stamp_login
from tests.conftest import login

pytestmark = pytest.mark.django_db

YI = Decimal(100_000_000)
WAN = Decimal(10_000)


def figures(customer, **values):
    return Figures.objects.create(
        customer=customer,
        period=datetime.date(2026, 10, 1),
        imported_at=timezone.now(),
        **values,
    )


def four_customers(w):
    """A customer for each list, and one on none, in branch 1, with figures."""
    key = Industry.objects.create(code="C39", name="电子设备制造", key_supported=True)
    strategic = make_corporate(w.branch1, name="省交投集团", has_credit_line=True)
    figures(strategic, exposure=Decimal("2.1") * YI, deposits=3000 * WAN)
    quality = make_corporate(
        w.branch1,
        name="光谷电子有限公司",
        industry=key,
        sound_finances=True,
        has_credit_line=True,
        team=[(w.corp_a1, "A")],
    )
    figures(quality, exposure=6000 * WAN, products=["网银", "代发", "POS"])
    basic = make_corporate(w.branch1, name="城关物流有限公司")
    figures(basic, exposure=200 * WAN, online_banking_settlement=True)
    potential = make_corporate(w.branch1, name="=HYPERLINK(1)科技", tax_grade="A")
    figures(potential, exposure=Decimal(0))
    return {"strategic": strategic, "quality": quality, "basic": basic, "potential": potential}


def test_a_run_proposes_what_the_rules_propose_for_each_customer(world):
    built = four_customers(world)
    today = timezone.localdate()

    run = lists.run_lists(
        branch=world.branch1, user=world.branch_head, today=today, now=timezone.now()
    )

    expected = {
        pk: rules.propose(f, rules.thresholds_on(today))
        for pk, f in facts.facts_for(world.branch1.corporate_customers.all(), on=today).items()
    }
    got = {p.customer_id: p for p in run.proposals.all()}
    assert set(got) == set(expected) == {*(c.pk for c in built.values()), world.company_1.pk}
    for pk, proposal in expected.items():
        assert got[pk].list == proposal.list.value
        assert [c["text"] for c in got[pk].criteria] == proposal.texts
        assert got[pk].note == proposal.note
    assert {name: got[c.pk].list for name, c in built.items()} == {
        "strategic": "strategic",
        "quality": "quality",
        "basic": "basic",
        "potential": "potential",
    }
    assert got[world.company_1.pk].list == "unlisted"  # no figures at all


def test_a_designation_is_a_strategic_criterion_at_the_next_run(world):
    figures(world.company_1, exposure=500 * WAN)  # a credit customer: the first three lists
    lists.designate_strategic(
        customer=world.company_1,
        reason="省重点项目",
        user=world.corporate_finance,
        now=timezone.now(),
    )

    run = lists.run_lists(
        branch=world.branch1, user=world.deputy_head, today=timezone.localdate(), now=timezone.now()
    )

    proposal = run.proposals.get(customer=world.company_1)
    assert proposal.list == "strategic"
    assert [c["text"] for c in proposal.criteria] == ["经总行认定为战略级客户：省重点项目"]


def test_the_run_button_makes_a_run_and_says_so(world):
    four_customers(world)

    response = login(world.deputy_head).post(
        reverse("credit:run_lists", args=[world.branch1.pk]), follow=True
    )

    assert ListProposal.objects.filter(run__branch=world.branch1).count() == 5
    assert "规则已为" in response.content.decode()


def rows_of(html):
    """(name, list in force) of each row of the lists page, in order."""
    return re.findall(r'<tr id="c\d+" data-customer="([^"]*)" data-list="([^"]*)"', html)


def test_the_lists_page_shows_lists_proposals_and_what_moved(world):
    built = four_customers(world)
    now = timezone.now()
    lists.run_lists(branch=world.branch1, user=world.branch_head, today=now.date(), now=now)
    later = now + datetime.timedelta(minutes=1)
    lists.declare(
        customer=built["basic"], list="basic", reason="", user=world.branch_head, now=later
    )
    lists.declare(
        customer=built["quality"],
        list="basic",
        reason="暂按基础",
        user=world.branch_head,
        now=later,
    )

    html = login(world.branch_head).get(reverse("credit:home")).content.decode()

    assert ("城关物流有限公司", "basic") in rows_of(html)
    assert ("光谷电子有限公司", "basic") in rows_of(html)
    assert ("省交投集团", "unlisted") in rows_of(html)
    assert "上年度日均授信敞口 2.10 亿元 ≥ 2 亿元" in html
    # Quality proposed, basic confirmed since the run: both flags of "moved".
    row = html[html.index('data-customer="光谷电子有限公司"') :]
    row = row[: row.index("</tr>")]
    assert "规则建议其他名单" in row
    assert "上次测算后名单已变更" in row
    assert "A角：corp_a1" in row
    tabs = dict(re.findall(r'data-tab="(\w+)">[^<]*<span class="count">(\d+)</span>', html))
    assert tabs == {
        "all": "5",
        "strategic": "0",
        "quality": "0",
        "basic": "2",
        "potential": "0",
        "unlisted": "3",
        "awaiting": "0",
        # Three never confirmed, quality proposed but basic confirmed, and basic confirmed
        # since the run (as proposed, yet a change of list since the run).
        "moved": "5",
        "due": "3",  # the three never confirmed
    }


def test_a_corporate_manager_sees_only_their_customers_and_no_forms(world):
    four_customers(world)

    html = login(world.corp_a1).get(reverse("credit:home")).content.decode()

    assert sorted(name for name, _l in rows_of(html)) == sorted(
        ["红安城关建材有限公司", "光谷电子有限公司"]
    )
    assert reverse("credit:declare", args=[world.company_1.pk]) not in html
    assert reverse("credit:run_lists", args=[world.branch1.pk]) not in html


def test_a_department_chooses_the_branch(world):
    make_corporate(world.branch2, name="二号支行企业")
    client = login(world.credit_management)

    first = client.get(reverse("credit:home")).content.decode()
    second = client.get(reverse("credit:home") + f"?branch={world.branch2.pk}").content.decode()

    assert "红安城关建材有限公司" in first
    assert "二号支行企业" not in first
    assert "二号支行企业" in second
    assert "红安城关建材有限公司" not in second
    assert client.get(reverse("credit:home") + "?branch=x").status_code == 404


def test_a_branch_head_cannot_choose_another_branch(world):
    response = login(world.branch_head).get(reverse("credit:home") + f"?branch={world.branch2.pk}")

    assert response.status_code == 404


def test_declaring_through_the_page(world):
    client = login(world.branch_head)
    url = reverse("credit:declare", args=[world.company_1.pk])

    refused = client.post(url, {"list": "basic", "reason": ""}, follow=True).content.decode()
    assert "请填写理由" in refused
    assert not ListState.objects.filter(customer=world.company_1).exists()

    done = client.post(url, {"list": "strategic", "reason": "省内龙头"}, follow=True)
    assert "提交总行公司金融部审核" in done.content.decode()
    assert ListState.objects.get(customer=world.company_1).status == "declared"

    again = client.post(url, {"list": "quality", "reason": "改报"}, follow=True)
    assert "已在总行审核" in again.content.decode()
    assert ListChange.objects.filter(customer=world.company_1).count() == 1


def test_the_queue_shows_each_department_what_awaits_it(world):
    now = timezone.now()
    lists.declare(
        customer=world.company_1, list="quality", reason="质优", user=world.branch_head, now=now
    )
    finance, credit = login(world.corporate_finance), login(world.credit_management)

    row = 'data-customer="红安城关建材有限公司"'
    assert row in finance.get(reverse("credit:queue")).content.decode()
    assert row not in credit.get(reverse("credit:queue")).content.decode()

    finance.post(reverse("credit:confirm", args=[world.company_1.pk]))
    assert row not in finance.get(reverse("credit:queue")).content.decode()
    assert row in credit.get(reverse("credit:queue")).content.decode()

    no_reason = credit.post(reverse("credit:refuse", args=[world.company_1.pk]), follow=True)
    assert "请填写退回的理由" in no_reason.content.decode()
    credit.post(reverse("credit:refuse", args=[world.company_1.pk]), {"reason": "不满足条件"})
    state = ListState.objects.get(customer=world.company_1)
    assert (state.status, state.reason, state.list) == ("refused", "不满足条件", "")


def test_a_stale_confirm_from_the_queue_says_so(world):
    now = timezone.now()
    shown = lists.declare(
        customer=world.company_1, list="quality", reason="质优", user=world.branch_head, now=now
    )
    lists.refuse(
        customer=world.company_1,
        reason="退回",
        user=world.corporate_finance,
        now=now + datetime.timedelta(seconds=1),
    )

    response = login(world.corporate_finance).post(
        reverse("credit:confirm", args=[world.company_1.pk]),
        {"version": lists.version_of(shown)},
        follow=True,
    )

    assert "已被他人更改" in response.content.decode()
    assert ListState.objects.get(customer=world.company_1).status == "refused"


def test_designating_from_the_queue_s_search(world):
    client = login(world.corporate_finance)

    found = client.get(reverse("credit:queue") + "?q=城关建材").content.decode()
    assert reverse("credit:designate", args=[world.company_1.pk]) in found

    client.post(reverse("credit:designate", args=[world.company_1.pk]), {"reason": "省属重点"})
    state = ListState.objects.get(customer=world.company_1)
    assert (state.list, state.designation) == ("strategic", "省属重点")


def test_the_review_due_page_lists_what_is_due(world):
    at = timezone.now() - datetime.timedelta(days=400)
    lists.declare(
        customer=world.company_1, list="basic", reason="x", user=world.branch_head, now=at
    )
    fresh = make_corporate(world.branch1, name="新确认企业")
    lists.declare(
        customer=fresh, list="basic", reason="x", user=world.branch_head, now=timezone.now()
    )

    html = login(world.deputy_head).get(reverse("credit:review_due")).content.decode()

    assert "红安城关建材有限公司" in html
    assert "新确认企业" not in html


@pytest.mark.parametrize("role", ["deputy_head", "corporate_finance", "credit_management"])
def test_the_village_home_sends_corporate_only_roles_to_the_lists(world, role):
    response = login(getattr(world, role)).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("credit:home")


def test_the_menu_has_the_lists_for_those_serving_corporate_customers_only(world):
    link = f'href="{reverse("credit:home")}"'

    assert link in login(world.branch_head).get(reverse("home")).content.decode()
    assert link in login(world.corp_a1).get(reverse("home")).content.decode()
    assert link not in login(world.manager_a).get(reverse("home")).content.decode()


# --- constant queries ----------------------------------------------------------------


def busy_branch(w, n):
    """n customers of branch 1, each with figures, a proposal, a state and changes."""
    now = timezone.now()
    for i in range(n):
        customer = make_corporate(
            w.branch1, name=f"企业{i:02d}", team=[(w.corp_a1, "A")] if i < 15 else ()
        )
        figures(customer, exposure=(i + 1) * 100 * WAN, online_banking_settlement=True)
    lists.run_lists(branch=w.branch1, user=w.branch_head, today=now.date(), now=now)
    for customer in w.branch1.corporate_customers.all():
        lists.declare(customer=customer, list="quality", reason="申报", user=w.branch_head, now=now)


def test_the_export_costs_the_same_queries_for_one_customer_or_twenty(world):
    client = login(world.corporate_finance)
    url = reverse("credit:lists_export", args=[world.branch1.pk])
    busy_branch(world, 0)
    one = queries(client, url)
    ListState.objects.all().delete()
    busy_branch(world, 19)

    assert queries(client, url) == one


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("branch_head", "credit:home"),
        ("corporate_finance", "credit:home"),
        ("corporate_finance", "credit:queue"),
        ("corp_a1", "credit:home"),
        ("deputy_head", "credit:review_due"),
    ],
)
def test_the_lists_pages_cost_the_same_queries_for_one_customer_or_twenty(world, role, url):
    client = login(getattr(world, role))
    busy_branch(world, 0)  # company_1 alone
    one = queries(client, reverse(url))
    assert one <= 10  # the home page's count of today's large movement notice: 2 of them
    ListState.objects.all().delete()
    busy_branch(world, 19)

    assert queries(client, reverse(url)) == one


def test_a_run_costs_the_same_queries_for_one_customer_or_twenty(world):
    def run():
        now = timezone.now()
        with CaptureQueriesContext(connection) as captured:
            lists.run_lists(branch=world.branch1, user=world.branch_head, today=now.date(), now=now)
        return len(captured)

    one = run()
    for i in range(19):
        customer = make_corporate(world.branch1, name=f"企业{i:02d}")
        figures(customer, exposure=(i + 1) * 100 * WAN)
    lists.designate_strategic(
        customer=customer, reason="总行认定", user=world.corporate_finance, now=timezone.now()
    )

    assert run() == one
    assert ListProposal.objects.filter(run__branch=world.branch1).count() == 1 + 20


# --- the export -----------------------------------------------------------------------


def test_the_export_has_the_page_s_rows_on_each_list_s_sheet(world):
    built = four_customers(world)
    now = timezone.now()
    lists.run_lists(branch=world.branch1, user=world.branch_head, today=now.date(), now=now)
    for name in ("basic", "potential"):
        lists.declare(customer=built[name], list=name, reason="", user=world.branch_head, now=now)
    lists.designate_strategic(
        customer=built["strategic"], reason="省属", user=world.credit_management, now=now
    )
    client = login(world.corporate_finance)
    page = rows_of(client.get(reverse("credit:home")).content.decode())

    response = client.get(reverse("credit:lists_export", args=[world.branch1.pk]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == list(exports.SHEETS.values())
    for value, title in exports.SHEETS.items():
        rows = list(book[title].iter_rows(values_only=True))
        assert rows[0] == exports.HEADERS
        on_page = [name for name, in_force in page if in_force == value]
        assert [r[0].removeprefix("'") for r in rows[1:]] == on_page, title
    strategic = list(book["战略客户"].iter_rows(values_only=True))[1]
    assert strategic[1] == built["strategic"].credit_code
    assert strategic[4] == Decimal("2.1") * YI
    assert strategic[6].startswith("上年度日均授信敞口 2.10 亿元 ≥ 2 亿元")
    assert strategic[7] == datetime.datetime.combine(timezone.localdate(now), datetime.time())
    potential = list(book["潜力客户"].iter_rows(values_only=True))[1]
    assert potential[0] == "'=HYPERLINK(1)科技"  # text, never a formula
    assert book["潜力客户"]["A2"].data_type == "s"
    unlisted = list(book["未入名单"].iter_rows(values_only=True))
    assert {r[8] for r in unlisted[1:]} == {exports.NEVER_CONFIRMED}


# --- two people at once ---------------------------------------------------------------


def at_once(posts):
    """Run each (user, url, data) in its own thread and connection, released together."""
    start = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def send(i, user, url, data):
        try:
            client = Client(raise_request_exception=False)
            client.login(request=login_request(), username=user.username, password=PASSWORD)
            stamp_login(client)
            start.wait()
            responses[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)
def test_confirmations_and_refusals_sent_at_once_apply_once_and_never_500(world):
    lists.declare(
        customer=world.company_1,
        list="strategic",
        reason="龙头",
        user=world.branch_head,
        now=timezone.now(),
    )
    confirm = reverse("credit:confirm", args=[world.company_1.pk])
    refuse = reverse("credit:refuse", args=[world.company_1.pk])
    posts = [
        (world.corporate_finance, confirm, {}),
        (world.corporate_finance, confirm, {}),
        (world.corporate_finance, refuse, {"reason": "退回"}),
        (world.credit_management, confirm, {}),
    ]

    responses = at_once(posts)

    assert [r.status_code for r in responses] == [302] * 4
    finance_steps = ListChange.objects.filter(
        customer=world.company_1,
        step__in=["finance_confirmed", "refused"],
        by=world.corporate_finance,
    )
    assert finance_steps.count() == 1


@pytest.mark.parametrize(
    ("role", "village_menu"),
    [
        ("corporate_finance", False),
        ("credit_management", False),
        ("deputy_head", False),
        ("branch_head", True),
        ("corp_a1", True),
        ("manager_a", True),
    ],
)
def test_the_menu_shows_village_work_only_to_those_who_do_it(world, role, village_menu):
    text = login(getattr(world, role)).get(reverse("assessment:my_statements")).text
    menu = text.split('class="mainnav"')[1].split("</nav>")[0]
    assert ('href="/assessment/field-days/"' in menu) is village_menu
    assert ('href="/credit/"' in menu) is (role != "manager_a")
