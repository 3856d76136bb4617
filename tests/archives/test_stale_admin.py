"""Two head-office staff change one village in the admin: the stale save is refused."""

import pytest
from django.urls import reverse

from archives.models import Role, Village
from tests.builders import make_user
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

STALE = "此记录已被他人修改"


def open_change_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    inlines = [inline.formset for inline in response.context["inline_admin_formsets"]]
    return posted(response.context["adminform"].form, *inlines)


def test_a_stale_village_change_is_refused_and_the_first_stays(world):
    village = world.village_a
    url = reverse("admin:archives_village_change", args=[village.pk])
    first = login(world.head_office)
    second = login(make_user(Role.HEAD_OFFICE, username="head_office_2"))
    data_first, data_second = open_change_form(first, url), open_change_form(second, url)
    assert data_second["version"]

    data_first["owners"] = [str(world.manager_b.pk)]  # scope changes hands
    assert first.post(url, data_first).status_code == 302
    data_second["informant_name"] = "周信息"
    response = second.post(url, data_second)

    assert response.status_code == 200
    assert STALE in response.text
    assert str(Village._meta.get_field("owners").verbose_name) in response.text
    assert "manager_b" in response.text  # the owner stored now
    assert "周信息" in response.text  # the input is kept
    village.refresh_from_db()
    assert list(village.owners.all()) == [world.manager_b]
    assert village.informant_name != "周信息"

    again = open_change_form(second, url) | {"informant_name": "周信息"}
    assert second.post(url, again).status_code == 302
    village.refresh_from_db()
    assert (village.informant_name, list(village.owners.all())) == ("周信息", [world.manager_b])


def test_a_village_change_on_a_current_form_is_saved(world):
    village = world.village_a
    url = reverse("admin:archives_village_change", args=[village.pk])
    client = login(world.head_office)
    data = open_change_form(client, url) | {"has_board": "on"}
    assert client.post(url, data).status_code == 302
    assert Village.objects.get(pk=village.pk).has_board
