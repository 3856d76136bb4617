"""Error pages answer in Chinese with their status, as the production settings serve them."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import get_resolver

from archives import views as archive_views
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_tests_run_with_debug_off():
    assert settings.DEBUG is False  # otherwise Django shows its technical pages instead


def test_a_page_that_does_not_exist_is_a_chinese_404(world):
    response = login(world.manager_a).get("/customers/999999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Not Found" not in response.text
    assert "返回首页" in response.text


def test_an_out_of_scope_record_gets_the_same_chinese_404(world):
    response = login(world.manager_a).get(world.customer_c.get_absolute_url())
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_an_unknown_address_answers_a_chinese_404_before_login():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_a_bad_request_is_a_chinese_400():
    response = Client().get("/login/", HTTP_HOST="attacker.example")  # not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert "请求有误" in response.text
    assert "Bad Request" not in response.text


def test_permission_denied_is_a_chinese_403(world):
    request = RequestFactory().get("/")
    request.user = world.manager_a
    response = get_resolver().resolve_error_handler(403)(request, exception=None)
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()


def test_a_form_without_its_csrf_token_is_refused_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "manager_a", "password": "x"})
    assert response.status_code == 403
    assert "表单已失效" in response.text
    assert "CSRF verification failed" not in response.text


def test_a_crash_in_a_view_is_a_chinese_500(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(archive_views.archive.CappedPaginator, "get_page", broken)
    client = login(world.manager_a)
    client.raise_request_exception = False
    response = client.get("/customers/")
    assert response.status_code == 500
    assert "服务器错误" in response.text
    assert "Server Error" not in response.text


def test_the_500_page_needs_neither_the_database_nor_the_request(django_db_blocker):
    handler = get_resolver().resolve_error_handler(500)
    with django_db_blocker.block():  # any database access would raise here
        response = handler(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in body
    assert "<script" not in body
    assert "style=" not in body
