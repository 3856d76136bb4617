"""Signing in beyond the password: lockout page, password change, TOTP set-up and verification."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from . import services
from .forms import NewPasswordForm, TokenForm
from .middleware import needs_second_factor, redirect_with_next


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: when to try again, in Chinese."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME
    context = {"minutes": minutes, "until": until}
    return render(request, "registration/locked_out.html", context, status=429)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def password_change(request):
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # stay signed in with the new password
        messages.success(request, _("Your password has been changed."))
        return redirect(_next_url(request))
    forced = request.user.must_change_password
    context = {"form": form, "forced": forced, "next": _next_url(request)}
    return render(request, "accounts/password_change.html", context)


def _needs_the_step(request):
    """The TOTP pages are for signed-in head office only; others have nothing to do there."""
    user = request.user
    return needs_second_factor(user) and not user.is_verified()


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    if not _needs_the_step(request):
        return redirect(_next_url(request))
    if user_has_device(request.user):
        # A confirmed device is replaced only by head office in the admin, never from a
        # session that has only the password.
        return redirect_with_next("accounts:otp_verify", _next_url(request))
    device = services.pending_totp_device(user=request.user)
    form = TokenForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        services.confirm_totp_device(device=device)
        otp_login(request, device)
        messages.success(request, _("Your authenticator app is set up."))
        return redirect(_next_url(request))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff"),
        "secret": b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if not _needs_the_step(request):
        return redirect(_next_url(request))
    if request.method != "POST":
        if not user_has_device(request.user, confirmed=True):
            return redirect_with_next("accounts:otp_setup", _next_url(request))
        form = TokenForm(devices=[])
        return render(
            request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)}
        )
    # A code is checked against the device row locked for update (django-otp's
    # for_verify), so two sessions posting the same code cannot both pass. The lock
    # needs a transaction: requests are not atomic by default.
    with transaction.atomic():
        devices = list(devices_for_user(request.user, confirmed=True, for_verify=True))
        if not devices:
            return redirect_with_next("accounts:otp_setup", _next_url(request))
        form = TokenForm(request.POST, devices=devices)
        if form.is_valid():
            otp_login(request, form.device)
            return redirect(_next_url(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})
