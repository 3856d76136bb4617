"""Two head-office staff change one rate table in the admin: the stale save is refused."""

import pytest
from django.urls import reverse

from archives.models import Role
from assessment.models import RateVersion
from tests.builders import make_user
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

STALE = "此记录已被他人修改"


def open_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return posted(response.context["adminform"].form)


def test_a_stale_rate_table_change_is_refused_and_the_first_stays(world):
    table = RateVersion.objects.create(
        effective_month="2099-01-01", rates={"fuka_each": "2", "vip_card_each": "20"}
    )
    url = reverse("admin:assessment_rateversion_change", args=[table.pk])
    first = login(world.head_office)
    second = login(make_user(Role.HEAD_OFFICE, username="head_office_2"))
    data_first, data_second = open_form(first, url), open_form(second, url)

    data_first["fuka_each"] = "3"
    assert first.post(url, data_first).status_code == 302
    data_second["note"] = "VIP卡调价"
    data_second["vip_card_each"] = "25"
    response = second.post(url, data_second)

    assert response.status_code == 200
    assert STALE in response.text
    assert "福卡（每张" in response.text  # one line per rate that differs, by its name
    assert "VIP卡调价" in response.text
    table.refresh_from_db()
    assert table.rates["fuka_each"] == "3"
    assert table.rates["vip_card_each"] == "20"
    assert table.note == ""
