"""seed_demo with DEBUG off: refused unless asked, and then no superuser, no known password."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from archives.models import Branch, Customer, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings, tmp_path):
    settings.DEBUG = False  # as the test suite runs: the production settings
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args, **options) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def nothing_written():
    return not (User.objects.exists() or Branch.objects.exists() or Customer.objects.exists())


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        ([], {}, "DEBUG 未开启"),
        ([], {"password": "Tr41ning-copy-2026"}, "--allow-production"),
        (["--allow-production"], {}, "--password"),
        (["--allow-production"], {"password": "demo12345"}, "此密码太短"),
        (["--allow-production"], {"password": "password1234"}, "这个密码太常见了"),
    ],
)
def test_with_debug_off_seeding_is_refused_and_writes_nothing(args, options, message):
    with pytest.raises(CommandError, match=message):
        seed(*args, scale="30", **options)
    assert nothing_written()


def test_asked_explicitly_it_seeds_without_a_superuser_or_a_password_anyone_keeps():
    output = seed("--allow-production", scale="30", password="Tr41ning-copy-2026")
    assert Customer.objects.count() == 30
    assert not User.objects.filter(is_superuser=True).exists()
    head_office = User.objects.get(username="head_office")
    assert head_office.is_staff  # the admin through the head-office role, with its TOTP step
    assert not User.objects.filter(must_change_password=False).exists()
    assert not User.objects.filter(username="head_office").first().check_password("demo12345")
    assert not TOTPDevice.objects.exists()  # each person sets up their own authenticator
    assert "demo12345" not in output
    assert "首次登录须修改密码" in output
