"""Amounts and counts a person enters start empty: unknown is stored as NULL, shown as 未填,
exported blank, kept by an import's empty cell; an organisation is asked no home address."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from archives.models import Customer, CustomerType
from archives.survey import fields_for
from tests.archives.test_export import export, read
from tests.archives.test_import import row, run, xlsx
from tests.archives.test_survey_form import household_post
from tests.builders import credit_code, make_customer
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

ENTERED = (
    "household_income",
    "household_expenses",
    "operating_income",
    "total_investment",
    "registered_capital",
    "member_count",
    "area_mu",
    "credit_need",
    "appointed_deposit",
    "appointed_loan",
    "total_assets",
    "total_liabilities",
)


@pytest.mark.parametrize("customer_type", CustomerType.values)
def test_every_entered_number_of_a_new_form_starts_empty(world, customer_type):
    page = login(world.manager_a).get(
        reverse("archives:customer_create", args=[world.village_a.pk]) + f"?type={customer_type}"
    )
    form = page.context["form"]
    shown = [name for name in ENTERED if name in form.fields]
    assert shown  # every type asks some
    for name in shown:
        assert form[name].value() is None, name
        assert f'name="{name}" value=' not in page.text, name
    assert form["deposit_balance"].value() == 0  # a balance: the import's, read only


def test_a_form_posted_back_unchanged_keeps_unknown_unknown_and_zero_zero(world):
    customer = make_customer(world.village_a, name="赵零", credit_need=Decimal("0"))
    client = login(world.manager_a)
    url = reverse("archives:customer_edit", args=[customer.pk])
    page = client.get(url)
    data = posted(page.context["form"], page.context["members"])
    assert data["credit_need"] == "0.00"
    assert data["household_income"] == ""
    assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert customer.credit_need == 0  # an existing zero stays a zero
    assert customer.household_income is None


def test_the_customer_page_shows_unknown_as_not_filled_and_zero_as_zero(world):
    customer = make_customer(
        world.village_a,
        customer_type=CustomerType.LARGE_GROWER,
        name="赵大户",
        operating_income=Decimal("0"),
        credit_need=Decimal("12000"),
    )
    text = login(world.manager_a).get(customer.get_absolute_url()).text
    survey = text.split("<h2>调查重点</h2>")[1].split("</section>")[0]
    assert "未填" in survey  # area, income, expenses not entered
    assert "0.00" in survey  # the operating income entered as 0
    assert "12,000.00" in text
    assert "存款 未填 · 贷款 未填" in text


def test_an_export_leaves_unknown_blank_and_writes_zero(world):
    make_customer(world.village_a, name="赵未知", household_expenses=Decimal("0"))
    response = export(
        login(world.manager_a), reverse("archives:village_export", args=[world.village_a.pk])
    )
    ws = read(response)["一般农户（含外出务工人员）"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("姓名/名称")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    exported = rows["赵未知"]
    assert exported[header.index("家庭年收入（元）")] is None
    assert exported[header.index("家庭年支出（元）")] == 0


@pytest.mark.parametrize(
    ("cell", "stored", "expected"),
    [
        ("", Decimal("80000"), Decimal("80000")),  # an empty cell keeps the value on file
        ("", None, None),  # ... and an unknown stays unknown, not 0
        ("清空", Decimal("80000"), None),  # 清空 clears it to unknown
        ("0", None, Decimal("0")),  # a 0 typed is a 0
        ("65000", None, Decimal("65000")),
    ],
)
def test_an_import_cell_keeps_clears_or_sets_an_amount(world, cell, stored, expected):
    customer = make_customer(world.village_a, name="赵大海", household_income=stored)
    data = xlsx([row(world.village_a, id_number=customer.id_number, household_income=cell)])
    result = run(data, user=world.head_office)
    assert result.ok, result.problems
    customer.refresh_from_db()
    assert customer.household_income == expected


def test_a_new_customer_imported_with_blank_amounts_has_them_unknown(world):
    run(xlsx([row(world.village_a, household_income="")]), user=world.head_office)
    customer = Customer.objects.get(name="赵大海")
    assert customer.household_income is None
    assert customer.credit_need is None


def test_the_database_allows_unknown_amounts_but_refuses_negative_ones(world):
    customer = make_customer(world.village_a, household_income=None, area_mu=None)
    assert Customer.objects.filter(pk=customer.pk, household_income__isnull=True).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(household_income=Decimal("-1"))


@pytest.mark.parametrize("customer_type", CustomerType.values)
def test_only_people_are_asked_a_home_address(world, customer_type):
    organisation = customer_type in (CustomerType.COOPERATIVE, CustomerType.LEADING_ENTERPRISE)
    assert ("address" in fields_for(customer_type)) is not organisation
    assert "business_address" in fields_for(customer_type)
    page = login(world.manager_a).get(
        reverse("archives:customer_create", args=[world.village_a.pk]) + f"?type={customer_type}"
    )
    assert ('name="address"' in page.text) is not organisation
    assert 'name="business_address"' in page.text


def test_a_cooperative_is_filed_without_a_home_address_and_its_page_shows_none(world):
    client = login(world.manager_a)
    data = {
        "type": "cooperative",
        "name": "红安县茶叶专业合作社",
        "credit_code": credit_code(),
        "credit_record": "none",
        "address": "不该保存的住址",
        "business_address": "城关镇茶园路1号",
    }
    response = client.post(reverse("archives:customer_create", args=[world.village_a.pk]), data)
    assert response.status_code == 302
    coop = Customer.objects.get(name="红安县茶叶专业合作社")
    assert coop.address == ""
    assert coop.member_count is None
    text = client.get(coop.get_absolute_url()).text
    assert "城关镇茶园路1号" in text
    assert "<dt>住址</dt>" not in text
    assert "<dt>地址</dt>" not in text


def test_an_import_row_of_a_cooperative_with_a_home_address_is_refused(world):
    coop = {
        "customer_type": "农民专业合作社",
        "village": world.village_a.code,
        "name": "红安县茶叶专业合作社",
        "credit_code": credit_code(),
        "address": "某村一组",
    }
    result = run(xlsx([coop]), user=world.head_office)
    assert not result.written
    assert [p.column for p in result.problems] == ["家庭住址"]


def test_the_household_form_still_asks_the_home_address(world):
    response = login(world.manager_a).post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(address="王家湾12号"),
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="赵大海").address == "王家湾12号"
