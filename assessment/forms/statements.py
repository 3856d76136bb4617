"""Head office's forms on a month: rewards, branch judgements and adjustments, each with its reason."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from archives.models import Branch, User

from ..models import Month
from ..statements import STATEMENT_ROLES

REASON_REQUIRED = {"required": _("Give the reason.")}


def staff_choices():
    return User.objects.filter(is_active=True, role__in=STATEMENT_ROLES).order_by(
        "staff_no", "username"
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.staff_no} {obj}" if obj.staff_no else str(obj)


class RewardForm(forms.Form):
    person = StaffChoiceField(
        label=_("Staff member"),
        queryset=staff_choices(),
        error_messages={"required": _("Choose the staff member.")},
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Give the amount."),
            "min_value": _("A reward is more than zero."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REASON_REQUIRED,
    )


class JudgementForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.order_by("code"),
        error_messages={"required": _("Choose the branch.")},
    )
    judged_slow = forms.BooleanField(
        label=_("Slow or poorly organised this month"),
        required=False,
        help_text=_(
            "The branch head loses the whole assessment fund, the section chief half of it."
        ),
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REASON_REQUIRED,
    )


class AdjustmentForm(forms.Form):
    person = StaffChoiceField(
        label=_("Staff member"),
        queryset=staff_choices(),
        error_messages={"required": _("Choose the staff member.")},
    )
    corrects_month = forms.TypedChoiceField(
        label=_("Corrects month"),
        coerce=datetime.date.fromisoformat,
        error_messages={
            "required": _("Choose the closed month this corrects."),
            "invalid_choice": _("Choose one of the closed months listed."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Positive to pay more, negative to take back."),
        error_messages={"required": _("Give the amount.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REASON_REQUIRED,
    )

    def __init__(self, *args, month: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        closed = Month.objects.closed().filter(month__lt=month).order_by("-month")
        self.fields["corrects_month"].choices = [
            (m.month.isoformat(), f"{m.month:%Y-%m}") for m in closed
        ]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise forms.ValidationError(_("An adjustment is not zero."))
        return amount
