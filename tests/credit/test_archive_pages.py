"""The customer page (record, team, figures, criteria met, history) and the list in scope."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credit.models import Figures, ListState
from tests.builders import make_corporate
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
A_YEAR_AGO = THIS_MONTH.replace(year=THIS_MONTH.year - 1)


def figures(customer, period, **values):
    return Figures.objects.create(
        customer=customer, period=period, imported_at=timezone.now(), **values
    )


def page(client, customer):
    response = client.get(reverse("credit:customer", args=[customer.pk]))
    assert response.status_code == 200
    return response


def section(text, anchor):
    return text.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_the_page_shows_the_criteria_met_now_with_their_figures(world):
    customer = world.company_1
    customer.relationship_since = TODAY.replace(year=TODAY.year - 3)
    customer.save()
    figures(customer, A_YEAR_AGO, exposure=Decimal(90_000_000))
    figures(
        customer,
        THIS_MONTH,
        exposure=Decimal(210_000_000),
        deposits=Decimal(25_000_000),
        products=["结算", "代发"],
    )
    criteria = section(page(login(world.corp_b1), customer).text, "criteria")

    assert "战略授信客户" in criteria  # the proposed list
    assert "上年度日均授信敞口 2.10 亿元 ≥ 2 亿元" in criteria  # from the latest period
    assert "9000.00 万元" not in criteria
    assert "基础授信客户" in criteria  # another list's criterion met, shown too
    assert "使用我行产品 2 个 ≥ 2 个" in criteria
    assert "日均存款 2500.00 万元 ≥ 2000 万元" in criteria  # quality (3)
    assert "合作 3 年" in page(login(world.corp_b1), customer).text


def test_figures_of_a_period_after_today_do_not_count_yet(world):
    customer = world.company_1
    next_month = (THIS_MONTH + datetime.timedelta(days=32)).replace(day=1)
    figures(customer, next_month, exposure=Decimal(210_000_000))
    criteria = section(page(login(world.branch_head), customer).text, "criteria")
    assert "2.10 亿元" not in criteria


def test_a_customer_without_credit_meeting_nothing_says_so(world):
    criteria = section(page(login(world.branch_head), world.company_1).text, "criteria")
    assert "<strong>未入名单</strong>" in criteria
    assert "上年度日均授信敞口未知且无授信额度，由支行确定" in criteria


def test_the_figures_are_listed_newest_first(world):
    customer = world.company_1
    figures(customer, A_YEAR_AGO, exposure=Decimal(1_000_000), credit_cards=3)
    figures(customer, THIS_MONTH, exposure=Decimal(2_000_000), credit_cards=12, products=["a"])
    table = section(page(login(world.corp_a1), customer).text, "figures")
    newest, oldest = (
        table.index(THIS_MONTH.strftime("%Y-%m")),
        table.index(A_YEAR_AGO.strftime("%Y-%m")),
    )
    assert newest < oldest
    assert "2,000,000.00" in table
    assert "1,000,000.00" in table


def test_the_finance_phone_is_masked_everywhere_on_the_page(world):
    customer = world.company_1
    client = login(world.branch_head)
    url = reverse("credit:customer_edit", args=[customer.pk])
    form = posted(client.get(url).context["form"])
    form["finance_phone"] = "13812345678"
    client.post(url, form)
    form = posted(client.get(url).context["form"])
    form["finance_phone"] = "13987654321"
    client.post(url, form)

    text = page(client, customer).text
    assert "138****5678" in text  # the history's old value
    assert "139****4321" in text
    assert "13812345678" not in text
    assert "13987654321" not in text


def test_the_history_shows_who_changed_which_field_old_and_new_and_the_team(world):
    customer = world.company_1
    client = login(world.deputy_head)
    url = reverse("credit:customer_edit", args=[customer.pk])
    form = posted(client.get(url).context["form"])
    form.update({"size": "small", "policy_kinds": ["tech_sme"], "tax_grade": "B"})
    client.post(url, form)
    team_url = reverse("credit:team_edit", args=[customer.pk])
    team = posted(client.get(team_url).context["form"])
    team["B1"] = ""
    client.post(team_url, team)

    history = section(page(client, customer).text, "history")
    assert "deputy_1" in history
    assert "企业规模" in history
    assert "<ins>小型</ins>" in history
    assert "<ins>优质科技型中小企业</ins>" in history
    assert "纳税信用等级" in history
    assert "团队角色：B1角" in history
    assert "<del>corp_b1</del>" in history


def test_the_list_state_place_shows_the_customer_list(world):
    ListState.objects.create(
        customer=world.company_1,
        list="quality",
        status="confirmed",
        confirmed_on=datetime.date(2026, 3, 2),
        updated_at=timezone.now(),
    )
    state = section(page(login(world.corp_a1), world.company_1).text, "list-state")
    assert "优质授信客户" in state
    assert "2026-03-02" in state


def test_a_head_office_designation_is_a_strategic_criterion(world):
    ListState.objects.create(
        customer=world.company_1,
        list="",
        status="confirmed",
        designation="省重点项目业主",
        updated_at=timezone.now(),
    )
    criteria = section(page(login(world.corporate_finance), world.company_1).text, "criteria")
    assert "省重点项目业主" in criteria


@pytest.mark.parametrize(
    ("role", "edit", "team"),
    [
        ("corp_a1", True, False),
        ("corp_b1", False, False),
        ("branch_head", True, True),
        ("deputy_head", True, True),
        ("credit_management", False, False),
    ],
)
def test_the_page_offers_edits_only_to_who_may_make_them(world, role, edit, team):
    text = page(login(getattr(world, role)), world.company_1).text
    assert (reverse("credit:customer_edit", args=[world.company_1.pk]) in text) is edit
    assert (reverse("credit:team_edit", args=[world.company_1.pk]) in text) is team


# ---- the list ------------------------------------------------------------------------------

LIST = reverse("credit:customers")


def rows(response):
    return [c.name for c in response.context["page"].object_list]


def test_the_list_shows_the_a_manager_and_latest_exposure_of_customers_in_scope(world):
    figures(world.company_1, A_YEAR_AGO, exposure=Decimal(1_000_000))
    figures(world.company_1, THIS_MONTH, exposure=Decimal(3_500_000))
    response = login(world.corp_b1).get(LIST)
    assert rows(response) == ["红安城关建材有限公司"]
    (row,) = response.context["page"].object_list
    assert (row.a_manager, row.latest_exposure) == ("corp_a1", Decimal("3500000.00"))
    assert "3,500,000.00" in response.text


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("corp_a1", ["红安城关建材有限公司"]),
        ("corp_c", ["七里坪茶业有限公司"]),
        ("branch_head_2", ["七里坪茶业有限公司"]),
        ("credit_management", ["红安城关建材有限公司", "七里坪茶业有限公司"]),
    ],
)
def test_the_list_holds_the_scope_only(world, role, names):
    assert rows(login(getattr(world, role)).get(LIST)) == names


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("城关", ["红安城关建材有限公司"]),
        ("茶业", ["七里坪茶业有限公司"]),
        ("", ["红安城关建材有限公司", "七里坪茶业有限公司"]),
    ],
)
def test_the_list_searches_names(world, q, names):
    assert rows(login(world.corporate_finance).get(LIST, {"q": q})) == names


def test_the_list_searches_a_credit_code_by_its_start_in_any_case(world):
    client = login(world.corporate_finance)
    code = world.company_2.credit_code
    assert rows(client.get(LIST, {"q": code[:17].lower()})) == ["七里坪茶业有限公司"]
    assert rows(client.get(LIST, {"q": code[2:14]})) == []  # the start, not the middle


def list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
        assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["page"].object_list)


def test_the_list_costs_the_same_queries_for_one_customer_or_thirty(world):
    client = login(world.branch_head)
    one, shown = list_queries(client)
    assert shown == 1
    for n in range(29):
        customer = make_corporate(world.branch1, team=[(world.corp_a1, "A")])
        figures(customer, THIS_MONTH, exposure=Decimal(n))
    thirty, shown = list_queries(client)
    assert shown == 30
    assert thirty == one
