"""Sessions end after 30 minutes idle and 10 hours after the login, whatever the activity."""

import pytest
from django.test import Client
from django.urls import reverse

from archives.models import Role
from tests.accounts.clock import moving_clock
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LOGIN = reverse("login")


@pytest.fixture
def manager(db):
    return make_user(Role.ACCOUNT_MANAGER, username="li_si")


def sign_in(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    response = client.get(HOME)
    assert response.status_code in (200, 302)
    return response.status_code == 200


@pytest.mark.parametrize(("idle_minutes", "still_in"), [(29, True), (30, False), (31, False)])
def test_thirty_minutes_without_a_request_end_the_session(manager, idle_minutes, still_in):
    with moving_clock() as clock:
        client = sign_in(manager)
        clock.advance(minutes=idle_minutes)
        assert signed_in(client) is still_in


def test_requests_keep_the_session_alive_past_thirty_minutes(manager):
    with moving_clock() as clock:
        client = sign_in(manager)
        for _ in range(6):  # two hours, a page every twenty minutes
            clock.advance(minutes=20)
            assert signed_in(client)


@pytest.mark.parametrize(("minutes", "still_in"), [(599, True), (600, True), (601, False)])
def test_ten_hours_after_the_login_the_session_ends_however_active(manager, minutes, still_in):
    with moving_clock() as clock:
        client = sign_in(manager)
        elapsed = 0
        while elapsed + 20 < minutes:
            clock.advance(minutes=20)
            elapsed += 20
            assert signed_in(client)
        clock.advance(minutes=minutes - elapsed)
        assert signed_in(client) is still_in


def test_the_login_page_says_why_after_ten_hours(manager):
    with moving_clock() as clock:
        client = sign_in(manager)
        for _ in range(31):
            clock.advance(minutes=20)
            response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "您已连续登录 10 小时，请重新登录。" in response.text
    assert response.wsgi_request.user.is_anonymous


def test_both_limits_come_from_the_settings(manager, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    settings.SESSION_MAX_HOURS = 1
    with moving_clock() as clock:
        client = sign_in(manager)
        clock.advance(minutes=6)
        assert not signed_in(client)
        client = sign_in(manager)
        minutes = 0
        while signed_in(client) and minutes < 120:  # a page every four minutes
            clock.advance(minutes=4)
            minutes += 4
    assert minutes == 64  # the first page after the hour
