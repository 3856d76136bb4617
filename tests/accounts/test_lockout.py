"""Guessing passwords: 5 failures lock a username, or an address, out for 30 minutes (django-axes)."""

from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessFailureLog
from django.urls import reverse

from archives.models import Role
from tests.accounts.clock import moving_clock
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def attempt(client, username, password, address="10.0.0.7", forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


@pytest.fixture
def manager(db):
    return make_user(Role.ACCOUNT_MANAGER, username="zhang_san")


@pytest.mark.parametrize(("failures", "can_log_in"), [(4, True), (5, False), (30, False)])
def test_the_fifth_wrong_password_locks_the_user_out(client, manager, failures, can_log_in):
    for _ in range(failures):
        response = attempt(client, manager.username, "wrong-password")
        assert response.status_code in (200, 429)
    assert logged_in(attempt(client, manager.username, PASSWORD)) is can_log_in


def test_the_lockout_page_says_in_chinese_when_to_try_again(client, manager, settings):
    with moving_clock() as clock:
        for _ in range(5):
            attempt(client, manager.username, "wrong-password")
        response = attempt(client, manager.username, PASSWORD)
        until = (clock.now + settings.AXES_COOLOFF_TIME).astimezone(SHANGHAI)
    assert response.status_code == 429
    text = response.text
    assert "登录已锁定" in text
    assert "30 分钟" in text
    assert f"{until:%H:%M}" in text
    assert response.wsgi_request.user.is_anonymous


@pytest.mark.parametrize(("minutes_later", "can_log_in"), [(29, False), (30, False), (31, True)])
def test_the_lock_lifts_thirty_minutes_after_the_last_failure(
    client, manager, minutes_later, can_log_in
):
    with moving_clock() as clock:
        for _ in range(5):
            attempt(client, manager.username, "wrong-password")
        clock.advance(minutes=minutes_later)
        assert logged_in(attempt(client, manager.username, PASSWORD)) is can_log_in


def test_one_address_guessing_many_usernames_is_locked_out_for_every_user(client, manager):
    for n in range(5):
        attempt(client, f"guess_{n}", "wrong-password", address="10.9.9.9")
    assert not logged_in(attempt(client, manager.username, PASSWORD, address="10.9.9.9"))
    assert logged_in(attempt(client, manager.username, PASSWORD, address="10.0.0.8"))


def test_a_username_guessed_from_many_addresses_is_locked_out_from_any(client, manager):
    for n in range(5):
        attempt(client, manager.username, "wrong-password", address=f"10.1.1.{n}")
    assert not logged_in(attempt(client, manager.username, PASSWORD, address="10.2.2.2"))


def test_behind_the_proxy_the_client_address_counts_and_forged_hops_do_not(client, manager):
    """One proxy (docs/deployment.md): the address it appended is the client's."""
    for n in range(5):
        forged = f"192.0.2.{n}, 203.0.113.5"  # the client wrote the first hop itself
        attempt(client, f"guess_{n}", "wrong-password", address="127.0.0.1", forwarded=forged)
    blocked = attempt(
        client, manager.username, PASSWORD, address="127.0.0.1", forwarded="203.0.113.5"
    )
    assert not logged_in(blocked)
    other = attempt(
        client, manager.username, PASSWORD, address="127.0.0.1", forwarded="203.0.113.6"
    )
    assert logged_in(other)


def test_every_failed_login_is_recorded_with_its_username_and_address(client, manager):
    for _ in range(3):
        attempt(client, manager.username, "wrong-password", address="10.3.3.3")
    attempt(client, "nobody", "wrong-password", address="10.4.4.4")
    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address) for f in failures] == [
        ("zhang_san", "10.3.3.3"),
        ("zhang_san", "10.3.3.3"),
        ("zhang_san", "10.3.3.3"),
        ("nobody", "10.4.4.4"),
    ]
    assert not any(f.locked_out for f in failures)


def test_the_admin_login_is_locked_out_too(client):
    head = make_user(Role.HEAD_OFFICE, username="hq_admin")
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": head.username, "password": "wrong-password"},
            REMOTE_ADDR="10.5.5.5",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": head.username, "password": PASSWORD},
        REMOTE_ADDR="10.6.6.6",
    )
    assert response.status_code == 429
