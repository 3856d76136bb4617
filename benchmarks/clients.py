"""A test client signed in as a user, past everything the login page does (the session's
login stamps, and the TOTP step for head office), so a benchmark times pages, not redirects."""

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import LOGIN_AT, SEEN_AT


def signed_in(user) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[LOGIN_AT] = session[SEEN_AT] = timezone.now().timestamp()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:  # the throwaway bench database: a device of its own for the session
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def head_office():
    """The demo's head-office user, also made the admin's superuser.

    seed_demo with DEBUG off (as the bench runs) makes no superuser; the admin's
    changelist is the floor of the list benchmarks, so on this throwaway database the
    head-office user may open it.
    """
    from archives.models import Role, User

    user = User.objects.filter(role=Role.HEAD_OFFICE, is_active=True).order_by("pk").first()
    if not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
