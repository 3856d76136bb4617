"""The forms of signing in: a new password, a TOTP code."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class NewPasswordForm(PasswordChangeForm):
    """Django's change form (old password, the validators); a changed password is one's own."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and "new_password2" not in self.errors and self.user.check_password(new):
            self.add_error(
                "new_password2",
                forms.ValidationError(
                    _("The new password must differ from the current one."), code="same_password"
                ),
            )
        return cleaned

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit=commit)


class TokenForm(forms.Form):
    """Six digits from the authenticator app; checked against the user's device."""

    token = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, devices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        self.device = None

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        for device in self.devices:
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                raise forms.ValidationError(
                    _("Too many wrong codes: wait a minute, then try again."), code="throttled"
                )
            if device.verify_token(token):
                self.device = device
                return token
        raise forms.ValidationError(
            _("This code is wrong or has expired: enter the code shown now."), code="wrong"
        )
