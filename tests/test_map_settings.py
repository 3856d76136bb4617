"""The maps' tile server: a setting, checked at start-up; its host is the one the CSP adds."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(django_settings.BASE_DIR) / "hongan_visits" / "settings.py"


def load(monkeypatch, **env):
    for name in ("MAP_TILE_URL", "MAP_TILE_ATTRIBUTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "false")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    ("url", "img_src"),
    [
        ("", ["'self'", "data:"]),
        ("/tiles/{z}/{x}/{y}.png", ["'self'", "data:"]),
        (
            "https://tiles.bank.example:8443/{z}/{x}/{y}.png",
            ["'self'", "data:", "https://tiles.bank.example:8443"],
        ),
        (
            "https://{s}.tiles.bank.example/{z}/{x}/{y}.png",
            ["'self'", "data:", "https://*.tiles.bank.example"],
        ),
    ],
    ids=["none (default)", "a path on this site", "another host", "subdomains"],
)
def test_the_tile_servers_host_is_the_only_one_images_may_come_from(monkeypatch, url, img_src):
    s = load(monkeypatch, MAP_TILE_URL=url, MAP_TILE_ATTRIBUTION="© 测绘")
    assert s["MAP_TILE_URL"] == url
    assert s["SECURE_CSP"]["img-src"] == img_src
    assert s["SECURE_CSP"]["default-src"] == ["'self'"]


@pytest.mark.parametrize(
    "url",
    [
        "https://tiles.bank.example/tiles.png",  # no {z}/{x}/{y}
        "https://tiles.bank.example/{z}/{x}.png",
        "ftp://tiles.bank.example/{z}/{x}/{y}.png",
        "https:///{z}/{x}/{y}.png",
    ],
)
def test_a_tile_url_that_cannot_serve_tiles_is_refused(monkeypatch, url):
    with pytest.raises(ImproperlyConfigured):
        load(monkeypatch, MAP_TILE_URL=url)
