"""The village page, the lists and the customer page: what they show and what they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import CustomerType
from tests.builders import make_customer, make_member
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_village_page_shows_coverage_owners_informant_and_seven_ones(world):
    village = world.village_a  # 100 registered households, one customer from the world
    make_customer(village, name="甲", letter_delivered=True, gift_delivered=True)
    make_customer(
        village, name="乙", letter_delivered=True, customer_type=CustomerType.LARGE_GROWER
    )
    make_customer(
        village, name="丙合作社", customer_type=CustomerType.COOPERATIVE
    )  # not a household
    village.has_board = True
    village.save()
    response = login(world.manager_a).get(reverse("archives:village", args=[village.pk]))
    assert response.status_code == 200
    assert response.context["village"].filed_households == 3
    assert response.context["village"].coverage_percent == 3.0
    assert response.context["seven_ones"] == {"letter": 2, "card": 0, "form": 3, "gift": 1}
    by_type = {value: n for value, _label, n in response.context["by_type"]}
    assert by_type == {
        "household": 2,
        "large_grower": 1,
        "individual_business": 0,
        "family_farm": 0,
        "cooperative": 1,
        "leading_enterprise": 0,
    }
    text = response.text
    assert "manager_a" in text
    assert "manager_a2" in text
    assert "信息员甲" in text
    assert "3 / 100" in text


@pytest.mark.parametrize(
    ("registered", "filed", "percent"),
    [(100, 0, 0.0), (100, 100, 100.0), (3, 1, 33.3), (0, 2, None), (100, 120, 120.0)],
)
def test_coverage_is_filed_households_over_registered(world, registered, filed, percent):
    from archives.models import Village

    village = world.village_b
    village.registered_households = registered
    village.save()
    village.customers.all().delete()
    for i in range(filed):
        make_customer(village, name=f"户{i}")
    assert Village.objects.with_coverage().get(pk=village.pk).coverage_percent == percent


def test_lists_mask_id_numbers_and_phones(world):
    text = login(world.manager_a).get(reverse("archives:customers")).text
    number = world.customer_a.id_number
    assert number not in text
    assert number[:6] + "********" + number[-4:] in text
    assert "13812345678" not in text
    assert "138****5678" in text


def test_the_customer_page_shows_the_full_id_and_age_from_the_id(world):
    text = login(world.manager_a).get(world.customer_a.get_absolute_url()).text
    assert world.customer_a.id_number in text
    assert "1988-01-01" in text


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: reverse("archives:customers"),
        lambda w: reverse("archives:customers") + "?q=户",
        lambda w: reverse("archives:village", args=[w.village_a.pk]),
        lambda w: reverse("home"),
        lambda w: w.customer_a.get_absolute_url(),
    ],
    ids=["customer list", "search", "village page", "home", "customer page"],
)
def test_query_count_does_not_grow_with_rows(world, url_of):
    client = login(world.head_office)
    url = url_of(world)
    for i in range(3):
        make_member(world.customer_a, name=f"成员{i}")
        make_customer(world.village_a, name=f"户{i}")
    few = _queries(client, url)
    for i in range(3, 40):
        make_member(world.customer_a, name=f"成员{i}")
        make_customer(world.village_a, name=f"户{i}")
    assert _queries(client, url) == few


def test_blank_amounts_on_the_form_are_saved_as_unknown_not_zero(world):
    from tests.archives.test_survey_form import household_post

    data = household_post()
    for name in ("household_income", "deposit_balance", "loan_balance", "credit_need"):
        data[name] = ""
    client = login(world.manager_a)
    response = client.post(reverse("archives:customer_create", args=[world.village_a.pk]), data)
    assert response.status_code == 302
    customer = world.village_a.customers.get(name="赵大海")
    assert customer.household_income is None
    assert customer.credit_need is None
    assert customer.deposit_balance == 0  # a balance is the core-banking import's, never unknown
