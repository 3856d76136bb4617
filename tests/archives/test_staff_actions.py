"""From the staff list head office lifts a login lockout and resets a lost authenticator:
the libraries' own English-only pages for them are not shown."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:archives_user_changelist")


def test_a_lockout_is_lifted_from_the_staff_list(world):
    AccessAttempt.objects.create(
        username=world.manager_a.username,
        ip_address="10.0.0.1",
        user_agent="phone",
        failures_since_start=9,
        attempt_time=timezone.now(),
    )
    response = login(world.head_office).post(
        CHANGELIST, {"action": "unlock", "_selected_action": [world.manager_a.pk]}, follow=True
    )
    assert "已清除 1 条登录失败记录" in response.text
    assert not AccessAttempt.objects.filter(username=world.manager_a.username).exists()


def test_a_lost_authenticator_is_reset_and_set_up_again_at_the_next_login(world):
    other = TOTPDevice.objects.create(user=world.branch_head, name="x", confirmed=True)
    lost = TOTPDevice.objects.create(user=world.manager_b, name="lost", confirmed=True)
    response = login(world.head_office).post(
        CHANGELIST,
        {"action": "reset_second_factor", "_selected_action": [world.manager_b.pk]},
        follow=True,
    )
    assert "已删除 1 个动态口令设备" in response.text
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:axes_accessattempt_changelist",
        "admin:otp_totp_totpdevice_changelist",
        "admin:auth_group_changelist",
    ],
)
def test_the_libraries_english_pages_are_gone(world, url_name):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse(url_name)
