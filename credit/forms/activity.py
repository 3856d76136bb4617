"""The forms of contacts and visits and of the work diary (DOMAIN.md §5.4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from archives import versions

from .. import cadence_rules as cr
from ..cadences import loggable_customers, participant_choices
from ..models import Activity


class ActivityForm(forms.ModelForm):
    """An activity as logged from the phone; the customers and people are the user's scope."""

    class Meta:
        model = Activity
        fields = ("kind", "day", "customers", "participants", "plan", "notes", "next_step")
        widgets = {
            "day": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "customers": forms.CheckboxSelectMultiple,
            "participants": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "participants": _("You are counted as taking part."),
            "plan": _("Required for a matchmaking event or a customer salon."),
        }

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["customers"].queryset = loggable_customers(user).order_by("name")
        self.fields["participants"].queryset = participant_choices(user).exclude(pk=user.pk)
        self.fields["participants"].required = False
        self.fields["day"].initial = today

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > self.today:
            raise forms.ValidationError(_("An activity is logged once it took place."))
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and cr.Kind(kind) not in cr.KINDS_WITHOUT_CUSTOMERS and not data.get("customers"):
            self.add_error("customers", _("Choose the customers concerned."))
        if kind == cr.Kind.SALON and not (data.get("plan") or "").strip():
            self.add_error("plan", _("A matchmaking event or a salon records its plan."))
        return data


class DiaryForm(forms.Form):
    summary = forms.CharField(
        label=_("today's summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    plan = forms.CharField(
        label=_("tomorrow's plan"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = versions.VersionField()
