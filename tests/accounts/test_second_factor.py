"""Head office and the admin need a TOTP code after the password (django-otp)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from archives.models import Role
from tests.builders import PASSWORD, login_request, make_user, totp_code, totp_device

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")
REVIEW = reverse("assessment:review")


def wrong_code() -> str:
    """A code the authenticator shows at no time near now."""
    return f"{(int(totp_code()) + 500_000) % 1_000_000:06d}"


def password_only(user) -> Client:
    """Signed in through the login page with the password alone."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def head_office(db):
    return make_user(Role.HEAD_OFFICE, username="hq")


@pytest.fixture
def superuser(db):
    user = make_user(Role.BRANCH_HEAD, username="root")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.mark.parametrize("url", [REVIEW, reverse("home"), "/admin/", "/admin/archives/village/"])
def test_a_password_alone_opens_no_page_for_head_office(head_office, url):
    totp_device(head_office)
    response = password_only(head_office).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_the_superuser_needs_the_code_too(superuser):
    totp_device(superuser)
    response = password_only(superuser).get("/admin/")
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_the_right_code_opens_the_pages_and_a_wrong_one_does_not(head_office):
    device = totp_device(head_office)
    client = password_only(head_office)
    wrong = client.post(VERIFY, {"token": wrong_code()})
    assert wrong.status_code == 200
    assert "验证码错误或已过期" in wrong.text
    assert client.get(REVIEW).status_code == 302
    device.throttle_reset()  # a wrong code makes the next try wait a second
    right = client.post(VERIFY, {"token": totp_code(), "next": REVIEW})
    assert right.status_code == 302
    assert right["Location"] == REVIEW
    assert client.get(REVIEW).status_code == 200
    assert client.get("/admin/archives/village/").status_code == 200


def test_a_code_cannot_be_used_twice(head_office):
    totp_device(head_office)
    code = totp_code()
    first, second = password_only(head_office), password_only(head_office)
    assert first.post(VERIFY, {"token": code}).status_code == 302
    replay = second.post(VERIFY, {"token": code})
    assert replay.status_code == 200
    assert second.get(REVIEW).status_code == 302


def test_wrong_codes_in_a_row_are_throttled(head_office):
    totp_device(head_office)
    client = password_only(head_office)
    for _ in range(3):
        client.post(VERIFY, {"token": wrong_code()})
    response = client.post(VERIFY, {"token": totp_code()})
    assert response.status_code == 200
    assert "验证码错误次数过多" in response.text


def test_a_first_login_sets_up_the_authenticator_with_a_qr_code(head_office):
    client = password_only(head_office)
    response = client.get(REVIEW)
    assert response["Location"] == f"{SETUP}?next=%2Fassessment%2Freview%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.text
    assert 'class="mainnav"' not in page.text
    device = TOTPDevice.objects.get(user=head_office, confirmed=False)
    assert page.context["secret"] in page.text
    assert client.get(REVIEW).status_code == 302  # an unconfirmed device verifies nothing
    done = client.post(SETUP, {"token": totp_code(device.key), "next": REVIEW})
    assert done.status_code == 302
    assert done["Location"] == REVIEW
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(REVIEW).status_code == 200


def test_a_password_alone_cannot_replace_a_confirmed_authenticator(head_office):
    totp_device(head_office)
    client = password_only(head_office)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=head_office).count() == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.HEAD_OFFICE])
def test_other_roles_sign_in_with_the_password_alone(world, role):
    user = next(u for u in vars(world).values() if getattr(u, "role", None) == role)
    client = password_only(user)
    assert client.get(reverse("home"), follow=True).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_the_requirement_can_be_switched_off_for_the_development_demo(head_office, settings):
    settings.OTP_REQUIRED_FOR_HEAD_OFFICE = False
    assert password_only(head_office).get(REVIEW).status_code == 200


def test_the_test_login_helper_passes_axes(head_office):
    """Client.login must hand django-axes a request (tests/conftest.py's login does)."""
    client = Client()
    assert client.login(request=login_request(), username="hq", password=PASSWORD)
    assert not client.login(request=login_request(), username="hq", password="wrong")


@pytest.mark.django_db(transaction=True)
def test_the_code_page_works_outside_a_test_transaction():
    """As under a real server: no surrounding transaction, so django-otp's row lock
    on the device (select_for_update) must bring its own. On PostgreSQL this page
    once answered 500 to every head-office login."""
    user = make_user(Role.HEAD_OFFICE, username="hq-live")
    totp_device(user)
    client = password_only(user)
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "动态验证码" in page.text
    done = client.post(VERIFY, {"token": totp_code(), "next": REVIEW})
    assert done.status_code == 302
    assert done["Location"] == REVIEW
    assert client.get(REVIEW).status_code == 200
