"""The maps in Chromium: a village's customers and visit photos drawn on a plain background,
a branch's villages, and a position recorded from the survey form with the phone's location."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from archives.models import Customer, CustomerType
from tests.assessment.fieldwork_builders import at, make_field_day, photo_bytes, upload
from tests.browser.test_filing_in_browser import log_in
from tests.builders import credit_code, make_customer

pytestmark = pytest.mark.browser

DAY = datetime.date(2026, 11, 5)
# Around the test village's centre (31.28, 114.62): a few hundred metres apart.
CUSTOMERS = [
    ("王大林", CustomerType.HOUSEHOLD, "31.2812", "114.6185"),
    ("李春华", CustomerType.HOUSEHOLD, "31.2790", "114.6221"),
    ("陈建国", CustomerType.LARGE_GROWER, "31.2831", "114.6240"),
    ("张小兵", CustomerType.INDIVIDUAL_BUSINESS, "31.2776", "114.6172"),
    ("刘德明", CustomerType.FAMILY_FARM, "31.2845", "114.6203"),
    ("红安茶叶专业合作社", CustomerType.COOPERATIVE, "31.2768", "114.6250"),
]
PHOTOS = [("31.2805", "114.6198"), ("31.2822", "114.6231")]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mapped(people, media):
    for name, kind, lat, lon in CUSTOMERS:
        extra = {"credit_code": credit_code()} if kind == CustomerType.COOPERATIVE else {}
        make_customer(
            people.village_a,
            name=name,
            customer_type=kind,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            position_accuracy=10,
            **extra,
        )
    photos = [
        upload(photo_bytes(n, taken=at(DAY), gps=(Decimal(lat), Decimal(lon))), f"IMG_{n}.jpg")
        for n, (lat, lon) in enumerate(PHOTOS, start=1)
    ]
    make_field_day(people.manager_a, [people.village_a], DAY, photos)
    return people


def outside_requests(browser, live_server):
    """Requests to any host but the live server's (there must be none without a tile server)."""
    asked = []
    browser.page.on("request", lambda request: asked.append(request.url))
    return lambda: [url for url in asked if not url.startswith(live_server.url)]


def test_a_village_map_draws_its_customers_and_visit_photos(browser, mapped, live_server):
    page = browser.page
    outside = outside_requests(browser, live_server)
    log_in(browser, mapped.manager_a)
    page.goto(f"/villages/{mapped.village_a.pk}/")
    page.click(f"main a[href='/villages/{mapped.village_a.pk}/map/']")
    expect(page).to_have_url(re.compile(r"/map/$"))
    expect(page.locator("#map")).to_have_attribute("data-points", "8")
    # Six customers as coloured circles, two photos as diamonds; no tile image at all.
    expect(page.locator("#map path.map-point-customer")).to_have_count(6)
    expect(page.locator("#map .leaflet-marker-icon.map-marker-photo")).to_have_count(2)
    expect(page.locator("#map img.leaflet-tile")).to_have_count(0)
    expect(page.locator("#map .leaflet-control-scale")).to_be_visible()
    expect(page.locator(".map-legend")).to_contain_text("入户照片")
    expect(page.locator(".map-legend")).to_contain_text("农民专业合作社")
    # Every point is inside the map's box: the view was fitted to them.
    box = page.locator("#map").bounding_box()
    for marker in page.locator("#map .map-point").all():
        point = marker.bounding_box()
        assert box["x"] <= point["x"] <= box["x"] + box["width"] - point["width"]
        assert box["y"] <= point["y"] <= box["y"] + box["height"] - point["height"]
    browser.shot("map-village")

    # A tap on a customer opens its popup: a short name and a link to the survey.
    page.locator("#map path.map-point-customer").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("王**")
    expect(popup.locator("a")).to_have_attribute(
        "href", Customer.objects.get(name="王大林").get_absolute_url()
    )
    # Shown once it has faded in and the map has panned to fit it.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    page.wait_for_timeout(400)
    browser.shot("map-village-popup")
    page.locator("#map .leaflet-marker-icon.map-marker-photo").first.click()
    photo_popup = page.locator(".leaflet-popup-content", has_text="2026-11-05")
    expect(photo_popup.locator("a")).to_have_text("打开下乡日志")
    assert outside() == []
    assert browser.problems == []


def test_a_branch_map_draws_its_villages_with_their_coverage(browser, mapped, live_server):
    page = browser.page
    outside = outside_requests(browser, live_server)
    village_b = mapped.village_b
    village_b.latitude, village_b.longitude = Decimal("31.3050"), Decimal("114.6480")
    village_b.save()
    log_in(browser, mapped.branch_head)
    page.goto("/villages/")  # the village list (今日 is home) leads to the branch's map
    page.click(f"main a[href='/branches/{mapped.branch1.pk}/map/']")
    expect(page.locator("#map")).to_have_attribute("data-points", "2")
    expect(page.locator("#map .leaflet-marker-icon.map-marker-village")).to_have_count(2)
    expect(page.locator("#map .map-label")).to_have_count(2)
    expect(page.locator("#map")).to_contain_text("A村 6%")
    browser.shot("map-branch")
    assert outside() == []
    assert browser.problems == []


@pytest.mark.parametrize("browser", ["phone"], indirect=True)
def test_the_survey_form_records_the_phones_position(browser, people):
    page = browser.page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.2834567, "longitude": 114.6212348, "accuracy": 14})
    log_in(browser, people.manager_a)
    page.goto(f"/customers/{people.customer_a.pk}/edit/")
    expect(page.locator("#position")).to_contain_text("尚未记录位置")
    page.click("#record-position")
    expect(page.locator("#position .position-status")).to_contain_text("31.283457, 114.621235")
    expect(page.locator("#position .position-status")).to_contain_text("±14 米")
    browser.shot("survey-position")
    page.click(".form-actions button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/customers/{people.customer_a.pk}/$"))
    customer = Customer.objects.get(pk=people.customer_a.pk)
    assert (customer.latitude, customer.longitude) == (Decimal("31.283457"), Decimal("114.621235"))
    assert customer.position_accuracy == 14
    assert customer.located_at is not None
    assert browser.problems == []
