"""Login rules applied to every page: session lifetime, the second factor, a forced password change."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device

LOGIN_AT = "login_at"  # session key: when the session's user logged in (POSIX seconds)
SEEN_AT = "seen_at"  # session key: the last request that renewed the session's expiry
# The idle limit is renewed at most this often: a session is written once a minute at
# most, not on every page (it then ends up to a minute early, never late).
TOUCH_SECONDS = 60

# Pages a half-signed-in user may still reach: logging in and out, the steps below.
AUTH_FLOW = {"login", "logout", "accounts:otp_setup", "accounts:otp_verify"}


def needs_second_factor(user) -> bool:
    """Head office and superusers sign in with a TOTP code after the password."""
    return settings.OTP_REQUIRED_FOR_HEAD_OFFICE and user.is_head_office


def _url_name(request) -> str | None:
    match = request.resolver_match
    return match.view_name if match else None


def redirect_with_next(url_name, next_url):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_IDLE_MINUTES idle and SESSION_MAX_HOURS after its login.

    The idle limit is the session's expiry (SESSION_COOKIE_AGE), pushed back by the
    requests that come; the other is counted from the time stamped into the session at
    its first signed-in request, however active the session has been.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = timezone.now().timestamp()
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is not None and now - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(
                    request,
                    _("You were signed in for %(hours)s hours: please log in again.")
                    % {"hours": settings.SESSION_MAX_HOURS},
                )
        response = self.get_response(request)
        if request.user.is_authenticated:
            session = request.session
            if LOGIN_AT not in session:
                session[LOGIN_AT] = now
            if now - session.get(SEEN_AT, 0) >= TOUCH_SECONDS:
                session[SEEN_AT] = now  # saved with a new expiry by SessionMiddleware
        return response


class SecondFactorMiddleware:
    """Sends head office to the TOTP step until the session is verified (django-otp)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or _url_name(request) in AUTH_FLOW:
            return None
        if not needs_second_factor(user) or user.is_verified():
            return None
        step = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
        return redirect_with_next(step, request.get_full_path())


class PasswordChangeMiddleware:
    """Sends a user whose password was set by someone else to the change page until changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.must_change_password:
            return None
        if _url_name(request) in AUTH_FLOW | {"accounts:password_change"}:
            return None
        return redirect_with_next("accounts:password_change", request.get_full_path())
