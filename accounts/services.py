"""Writes of signing in: the head office user's TOTP device."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"


def pending_totp_device(*, user) -> TOTPDevice:
    """The device being set up: a new secret until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_device(*, device: TOTPDevice) -> None:
    """The first right code confirms the device; other unconfirmed ones are dropped."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
