"""Passwords: 10+ characters, unlike the person's details, changed by their owner (forced if set by head office)."""

import pytest
from django.urls import reverse

from archives.models import Role, User
from tests.builders import PASSWORD, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")


@pytest.fixture
def person(db):
    user = make_user(Role.ACCOUNT_MANAGER, username="wangdashan", name="王大山")
    user.staff_no = "HA20240315"
    user.phone = "13812345678"
    user.save()
    return user


def change(client, new, old=PASSWORD):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("demo12345", "此密码太短，至少要包含 10 个字符。"),  # the demo password
        ("kq7#Lm2vX", "此密码太短，至少要包含 10 个字符。"),  # 9: one short
        ("HA20240315x", "密码跟 工号 太相似了。"),
        ("13812345678a", "密码跟 手机号 太相似了。"),
        ("wangdashan1", "密码跟 用户名 太相似了。"),
        ("password123", "这个密码太常见了。"),
        ("9081726354", "密码只包含数字。"),
    ],
)
def test_a_weak_password_is_refused_in_chinese_and_nothing_changes(person, new_password, message):
    client = login(person)
    response = change(client, new_password)
    assert response.status_code == 200
    assert message in response.text
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


@pytest.mark.parametrize("new_password", ["kq7#Lm2vXz", "秋收冬藏红安农商银行"])  # 10: the minimum
def test_a_ten_character_password_unlike_the_person_is_accepted(person, new_password):
    client = login(person)
    response = change(client, new_password)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new_password)
    # Still signed in with the new password's session hash.
    assert client.get(reverse("home")).status_code == 200


def test_the_old_password_must_be_right(person):
    response = change(login(person), "kq7#Lm2vXz", old="not-my-password")
    assert response.status_code == 200
    assert "你的旧密码不正确" in response.text
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_new_password_must_differ_from_the_current_one(db):
    user = make_user(Role.ACCOUNT_MANAGER)
    user.set_password("kq7#Lm2vXz")
    user.save()
    client = login_with(user, "kq7#Lm2vXz")
    response = change(client, "kq7#Lm2vXz", old="kq7#Lm2vXz")
    assert "新密码不能与当前密码相同。" in response.text


def login_with(user, password):
    from django.test import Client

    from tests.builders import login_request

    client = Client()
    assert client.login(request=login_request(), username=user.username, password=password)
    return client


@pytest.mark.parametrize("role", list(Role))
def test_every_page_links_to_the_password_change_page(world, role):
    user = next(u for u in vars(world).values() if getattr(u, "role", None) == role)
    response = login(user).get(reverse("home"), follow=True)  # some roles land on /credit/
    assert f'href="{CHANGE}"' in response.text
    assert "修改密码" in response.text


# --- A password set by head office is changed at the first login -------------------------


@pytest.fixture
def given_password(person):
    person.must_change_password = True
    person.save()
    return person


@pytest.mark.parametrize(
    "url", [reverse("home"), reverse("archives:customers"), reverse("assessment:field_days")]
)
def test_every_page_sends_to_the_change_page_until_the_password_is_changed(given_password, url):
    client = login(given_password)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGE}?next={url.replace('/', '%2F')}"
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "您的密码由总行设置" in page.text
    assert 'class="mainnav"' not in page.text  # no menu of pages that would send back here


def test_after_the_change_the_pages_open_and_the_flag_is_cleared(given_password):
    client = login(given_password)
    response = client.post(
        f"{CHANGE}?next=/customers/",
        {
            "old_password": PASSWORD,
            "new_password1": "kq7#Lm2vXz",
            "new_password2": "kq7#Lm2vXz",
            "next": "/customers/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    given_password.refresh_from_db()
    assert not given_password.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_logging_out_is_allowed_before_the_change(given_password):
    client = login(given_password)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_head_office_creating_an_account_in_the_admin_sets_the_flag(world):
    client = login(world.head_office)
    response = client.post(
        reverse("admin:archives_user_add"),
        {
            "username": "new_manager",
            "usable_password": "true",
            "password1": "Hq-temp-2026!x",
            "password2": "Hq-temp-2026!x",
            "display_name": "新经理",
            "role": Role.ACCOUNT_MANAGER,
        },
    )
    assert response.status_code == 302, response.text
    assert User.objects.get(username="new_manager").must_change_password


def test_a_password_reset_in_the_admin_sets_the_flag(world):
    client = login(world.head_office)
    # Django names the admin's password page so whatever the user model.
    url = reverse("admin:auth_user_password_change", args=[world.manager_a.pk])
    response = client.post(
        url,
        {"password1": "Hq-reset-2026!x", "password2": "Hq-reset-2026!x"},
    )
    assert response.status_code == 302, response.text
    world.manager_a.refresh_from_db()
    assert world.manager_a.must_change_password
    assert world.manager_a.check_password("Hq-reset-2026!x")


def test_the_admin_refuses_a_weak_password_for_a_new_account(world):
    client = login(world.head_office)
    response = client.post(
        reverse("admin:archives_user_add"),
        {
            "username": "weak_one",
            "usable_password": "true",
            "password1": "demo12345",
            "password2": "demo12345",
            "role": Role.ACCOUNT_MANAGER,
        },
    )
    assert response.status_code == 200
    assert "此密码太短" in response.text
    assert not User.objects.filter(username="weak_one").exists()
