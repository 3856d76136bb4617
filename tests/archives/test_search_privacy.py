"""ID and phone searches keep the value out of addresses (and so out of access logs).

Before, the search box was a GET form: /customers/?q=<full ID number> stood in the
address bar, the browser history and the server's access log. The box now posts; the
results page's address carries an opaque key, and pages on with it.
"""

import pytest
from django.urls import reverse

from archives.audit import AccessAction, PersonalDataAccess
from tests.builders import make_customer, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    """60 customers in village A sharing a phone prefix (more than a page of 50)."""
    return [
        make_customer(world.village_a, name=f"同号{i:02d}", phone=f"1390000{i:04d}")
        for i in range(60)
    ]


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: reverse("archives:customers"),
        lambda w: reverse("archives:village", args=[w.village_a.pk]),
    ],
    ids=["customer list", "village page"],
)
def test_a_searched_id_number_never_appears_in_an_address(world, url_of):
    client = login(world.manager_a)
    number = world.customer_a.id_number
    response = client.post(url_of(world), {"q": number, "type": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert number not in location
    assert number[:6] not in location
    assert "s=" in location

    page = client.get(location)
    assert [c.name for c in page.context["page"].object_list] == [world.customer_a.name]
    assert f'value="{number}"' in page.text  # the box still shows what was searched


def test_the_results_page_on_with_the_key_and_the_type(world, many):
    client = login(world.manager_a)
    location = client.post(reverse("archives:customers"), {"q": "1390000", "type": "household"})[
        "Location"
    ]
    assert "1390000" not in location
    first = client.get(location)
    assert first.context["page"].paginator.count == 60
    next_link = first.context["page"].next_page_number()
    assert f"page={next_link}" in first.text
    second = client.get(location + "&page=2")
    assert len(second.context["page"].object_list) == 10
    assert "1390000" not in second.wsgi_request.get_full_path()


def test_a_number_in_the_address_is_not_searched(world):
    """Only the box searches numbers: a typed or bookmarked ?q=<ID> lists everything, says why."""
    client = login(world.manager_a)
    response = client.get(reverse("archives:customers"), {"q": world.customer_a.id_number})
    assert "身份证号和手机号只能通过搜索框查询" in response.text
    assert response.context["q"] == ""


def test_a_name_may_still_be_searched_by_address(world):
    client = login(world.manager_a)
    response = client.get(reverse("archives:customers"), {"q": "王大"})
    assert [c.name for c in response.context["page"].object_list] == ["王大山"]


def test_the_key_of_another_session_finds_nothing(world):
    location = login(world.manager_a).post(
        reverse("archives:customers"), {"q": world.customer_a.id_number}
    )["Location"]
    other = login(world.manager_a2).get(location)
    assert other.context["q"] == ""


def test_a_number_search_is_written_to_the_access_log_masked(world):
    number = resident_id("19700101")
    make_customer(world.village_a, name="赵六", id_number=number)
    login(world.manager_a).post(reverse("archives:customers"), {"q": number})
    row = PersonalDataAccess.objects.get(action=AccessAction.SEARCHED)
    assert row.user == world.manager_a
    assert number not in row.detail
    assert number[:6] in row.detail
    assert number[-4:] in row.detail
    assert row.detail.endswith("找到 1 户")  # how many it found


def test_a_name_search_is_not_an_access_to_log(world):
    login(world.manager_a).post(reverse("archives:customers"), {"q": "王大山"})
    assert not PersonalDataAccess.objects.exists()
