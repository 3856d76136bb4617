"""The login settings: read from the environment, defaults of the issue, bad values refused."""

import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from accounts.client_ip import client_ip

SETTINGS = Path(django_settings.BASE_DIR) / "hongan_visits" / "settings.py"
VARIABLES = (
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "TRUSTED_PROXY_COUNT",
    "OTP_REQUIRED_FOR_HEAD_OFFICE",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
)


def load(monkeypatch, **env):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "false")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_defaults_are_the_banks_standard(monkeypatch):
    s = load(monkeypatch)
    assert s["AXES_FAILURE_LIMIT"] == 5
    assert s["AXES_COOLOFF_TIME"] == timedelta(minutes=30)
    assert s["AXES_LOCKOUT_PARAMETERS"] == ["username", "ip_address"]
    assert s["TRUSTED_PROXY_COUNT"] == 1
    assert s["OTP_REQUIRED_FOR_HEAD_OFFICE"] is True
    assert s["SESSION_COOKIE_AGE"] == 30 * 60
    assert s["SESSION_MAX_HOURS"] == 10


def test_each_limit_can_be_set(monkeypatch):
    s = load(
        monkeypatch,
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="60",
        TRUSTED_PROXY_COUNT="2",
        SESSION_IDLE_MINUTES="15",
        SESSION_MAX_HOURS="8",
    )
    assert s["AXES_FAILURE_LIMIT"] == 3
    assert s["AXES_COOLOFF_TIME"] == timedelta(hours=1)
    assert s["TRUSTED_PROXY_COUNT"] == 2
    assert s["SESSION_COOKIE_AGE"] == 15 * 60
    assert s["SESSION_MAX_HOURS"] == 8


@pytest.mark.parametrize(
    "env",
    [
        {"LOGIN_FAILURE_LIMIT": "0"},
        {"LOGIN_LOCKOUT_MINUTES": "0"},
        {"TRUSTED_PROXY_COUNT": "-1"},
        {"SESSION_IDLE_MINUTES": "0"},
        {"SESSION_MAX_HOURS": "0"},
        {"OTP_REQUIRED_FOR_HEAD_OFFICE": "false"},  # with DEBUG off
    ],
)
def test_a_bad_value_is_refused(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        load(monkeypatch, **env)


def test_the_second_factor_may_be_off_in_the_development_demo(monkeypatch):
    s = load(monkeypatch, OTP_REQUIRED_FOR_HEAD_OFFICE="false", DEBUG="true")
    assert s["OTP_REQUIRED_FOR_HEAD_OFFICE"] is False


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is ignored
        (1, "127.0.0.1", "", "127.0.0.1"),  # no header (runserver): the socket
        (1, "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (1, "127.0.0.1", "192.0.2.66, 203.0.113.5", "203.0.113.5"),  # a forged first hop
        (2, "127.0.0.1", "192.0.2.66, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "127.0.0.1", "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, remote, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **headers)) == client
