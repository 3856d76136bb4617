"""Maps: a village's customers as points, a branch's villages, the position on the survey form,
and the tile server as a setting."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from archives.models import Customer, CustomerType
from tests.archives.test_survey_form import household_post
from tests.builders import credit_code, make_customer
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db


def placed(village, name, lat="31.281000", lon="114.621000", **fields):
    return make_customer(
        village,
        name=name,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        position_accuracy=12,
        located_at=datetime.datetime(2026, 11, 5, 2, 30, tzinfo=datetime.UTC),
        **fields,
    )


def customer_points(client, village):
    response = client.get(reverse("archives:village_map_customers", args=[village.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["points"]


def test_customers_json_has_placed_customers_with_short_names_types_and_links(world):
    household = placed(world.village_a, "王小明")
    coop = placed(
        world.village_a,
        "红安茶叶合作社",
        customer_type=CustomerType.COOPERATIVE,
        credit_code=credit_code(),
        lat="31.282500",
    )
    # world.customer_a has no position: not on the map.
    points = customer_points(login(world.manager_a), world.village_a)
    assert points == [
        {
            "lat": 31.281,
            "lon": 114.621,
            "label": "王**",
            "type": "household",
            "type_label": "一般农户（含外出务工人员）",
            "colour": "#0072B2",
            "accuracy": 12,
            "url": household.get_absolute_url(),
        },
        {
            "lat": 31.2825,
            "lon": 114.621,
            "label": "红安茶叶合作社",
            "type": "cooperative",
            "type_label": "农民专业合作社",
            "colour": "#CC79A7",
            "accuracy": 12,
            "url": coop.get_absolute_url(),
        },
    ]


def test_customers_json_never_carries_an_id_number_a_phone_or_a_full_name(world):
    customer = placed(world.village_a, "王小明")
    response = login(world.branch_head).get(
        reverse("archives:village_map_customers", args=[world.village_a.pk])
    )
    for secret in (customer.id_number, customer.phone, customer.phone[-4:], "王小明"):
        assert secret not in response.text


@pytest.mark.parametrize("customers", [1, 6])
def test_village_map_and_its_json_cost_the_same_queries_whatever_the_customers(
    world, customers, django_assert_num_queries
):
    for n in range(customers):
        placed(world.village_a, f"李{n}")
    client = login(world.manager_a)
    # session, user, village, its counts
    with django_assert_num_queries(4):
        page = client.get(reverse("archives:village_map", args=[world.village_a.pk]))
    assert page.status_code == 200
    # session, user, village, points
    with django_assert_num_queries(4):
        assert len(customer_points(client, world.village_a)) == customers


@pytest.mark.parametrize("villages", [1, 4])
def test_branch_map_costs_the_same_queries_whatever_the_villages(
    world, villages, django_assert_num_queries
):
    from tests.builders import make_village

    for _n in range(villages - 1):
        make_village(branch=world.branch1)
    client = login(world.branch_head)
    # session, user, branch, villages with coverage, their customers' means
    with django_assert_num_queries(5):
        page = client.get(reverse("archives:branch_map", args=[world.branch1.pk]))
    assert page.status_code == 200


def map_config(response) -> dict:
    text = response.text
    start = text.index('<script id="map-config" type="application/json">') + len(
        '<script id="map-config" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_branch_map_places_villages_at_their_centre_or_the_mean_of_their_customers(world):
    village_b = world.village_b
    village_b.latitude = village_b.longitude = None
    village_b.save()
    placed(village_b, "甲", lat="31.300000", lon="114.600000")
    placed(village_b, "乙", lat="31.310000", lon="114.610000")
    response = login(world.branch_head).get(reverse("archives:branch_map", args=[world.branch1.pk]))
    (layer,) = map_config(response)["layers"]
    by_name = {p["label"]: p for p in layer["points"]}
    assert set(by_name) == {"A村", "B村"}  # never branch 2's C村
    assert (by_name["A村"]["lat"], by_name["A村"]["source"]) == (31.28, "set")
    assert by_name["B村"]["lat"] == pytest.approx(31.305)
    assert by_name["B村"]["lon"] == pytest.approx(114.605)
    assert by_name["B村"]["source"] == "households"
    assert (by_name["B村"]["filed"], by_name["B村"]["registered"]) == (3, 100)
    assert by_name["B村"]["url"] == reverse("archives:village_map", args=[village_b.pk])


def test_branch_map_lists_a_village_with_no_place_under_the_map(world):
    world.village_b.latitude = world.village_b.longitude = None
    world.village_b.save()
    response = login(world.branch_head).get(reverse("archives:branch_map", args=[world.branch1.pk]))
    assert [p["label"] for p in map_config(response)["layers"][0]["points"]] == ["A村"]
    assert "没有位置的村" in response.text
    assert response.context["unplaced"] == [world.village_b]


def test_a_manager_sees_only_their_own_villages_on_the_branch_map(world):
    response = login(world.manager_b).get(reverse("archives:branch_map", args=[world.branch1.pk]))
    assert [p["label"] for p in map_config(response)["layers"][0]["points"]] == ["B村"]


@pytest.mark.parametrize(
    ("url", "tiles"),
    [
        ("", {}),
        (
            "https://tiles.bank.example/{z}/{x}/{y}.png",
            {"url": "https://tiles.bank.example/{z}/{x}/{y}.png", "attribution": "© 测绘"},
        ),
    ],
    ids=["no tile server", "a tile server"],
)
@pytest.mark.parametrize("page", ["village", "branch"])
def test_the_tile_server_is_a_setting_and_without_one_no_tile_url_is_in_the_page(
    world, settings, url, tiles, page
):
    settings.MAP_TILE_URL = url
    settings.MAP_TILE_ATTRIBUTION = "© 测绘" if url else ""
    address = (
        reverse("archives:village_map", args=[world.village_a.pk])
        if page == "village"
        else reverse("archives:branch_map", args=[world.branch1.pk])
    )
    response = login(world.manager_a).get(address)
    assert map_config(response)["tiles"] == tiles
    assert ("tiles.bank.example" in response.text) == bool(url)
    assert "openstreetmap" not in response.text.lower()


def test_the_village_map_lists_the_photo_layer_assessment_registered(world):
    response = login(world.manager_a).get(
        reverse("archives:village_map", args=[world.village_a.pk])
    )
    layers = map_config(response)["layers"]
    assert [(layer["key"], layer["url"]) for layer in layers] == [
        ("customers", reverse("archives:village_map_customers", args=[world.village_a.pk])),
        ("photos", reverse("assessment:village_photo_points", args=[world.village_a.pk])),
    ]
    assert "入户照片" in response.text  # in the legend


def test_village_page_and_home_link_to_the_maps(world):
    client = login(world.branch_head)
    village = client.get(reverse("archives:village", args=[world.village_a.pk]))
    assert reverse("archives:village_map", args=[world.village_a.pk]) in village.text
    villages = client.get(reverse("archives:villages"))  # the village list (今日 is home)
    assert reverse("archives:branch_map", args=[world.branch1.pk]) in villages.text


# ---- the position on the survey form ------------------------------------------------------


def edit(client, customer, **overrides):
    page = client.get(reverse("archives:customer_edit", args=[customer.pk]))
    data = {**posted(page.context["form"]), "type": customer.customer_type}
    data.update({k: v for k, v in household_post().items() if k.startswith("members-")})
    data.update(overrides)
    return client.post(reverse("archives:customer_edit", args=[customer.pk]), data)


def test_the_position_recorded_on_the_form_is_saved_with_its_accuracy_and_time(world):
    client = login(world.manager_a)
    response = edit(
        client,
        world.customer_a,
        latitude="31.283456",
        longitude="114.624567",
        position_accuracy="9",
        located_at="2026-11-05T02:30:15.123Z",
    )
    assert response.status_code == 302
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert (customer.latitude, customer.longitude) == (Decimal("31.283456"), Decimal("114.624567"))
    assert customer.position_accuracy == 9
    assert customer.located_at == datetime.datetime(2026, 11, 5, 2, 30, 15, tzinfo=datetime.UTC)
    page = client.get(customer.get_absolute_url())
    assert "31.283456, 114.624567" in page.text
    assert "±9 米" in page.text


def test_an_edit_that_records_nothing_keeps_the_position_on_file(world):
    customer = placed(world.village_a, "王小明")
    client = login(world.manager_a)
    assert edit(client, customer, phone="13900002222").status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "13900002222"
    assert (customer.latitude, customer.position_accuracy) == (Decimal("31.281000"), 12)
    # A post without the position's inputs at all (a script) keeps it too.
    data = household_post(name=customer.name, id_number=customer.id_number, phone="13900003333")
    client.post(reverse("archives:customer_edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert (customer.phone, customer.latitude) == ("13900003333", Decimal("31.281000"))


@pytest.mark.parametrize(
    "position",
    [
        {"latitude": "31.2", "longitude": ""},
        {"latitude": "", "longitude": "114.6"},
        {"latitude": "91", "longitude": "114.6"},
        {"latitude": "31.2", "longitude": "-181"},
        {"latitude": "31.2", "longitude": "114.6", "position_accuracy": "-3"},
        {"latitude": "31.2", "longitude": "114.6", "located_at": "yesterday"},
        {"latitude": "north", "longitude": "114.6"},
    ],
    ids=[
        "latitude only",
        "longitude only",
        "latitude > 90",
        "longitude < -180",
        "accuracy < 0",
        "no time",
        "not a number",
    ],
)
def test_a_position_that_cannot_be_read_is_refused_with_a_message_and_nothing_saved(
    world, position
):
    client = login(world.manager_a)
    response = edit(client, world.customer_a, phone="13900002222", **position)
    assert response.status_code == 200
    assert "记录的位置无法读取，请重新记录。" in response.text
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert (customer.phone, customer.latitude) == (world.customer_a.phone, None)


def test_the_survey_form_has_the_record_position_button(world):
    response = login(world.manager_a).get(
        reverse("archives:customer_create", args=[world.village_a.pk]) + "?type=household"
    )
    assert 'id="record-position"' in response.text
    assert "记录当前位置" in response.text
