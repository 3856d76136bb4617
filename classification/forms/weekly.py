"""Forms of the weekly review: a tier decided with a written reason."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import TIER_CHOICES
from ..rules import Tier

DECIDED_TIERS = [(v, label) for v, label in TIER_CHOICES if v != Tier.UNDECIDED]


class TierDecisionForm(forms.Form):
    """A branch head's override or an account manager's proposal: a tier and why."""

    tier = forms.ChoiceField(label=gettext_lazy("tier"), choices=DECIDED_TIERS)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300, required=False)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                _("Write the reason for this tier."), code="reason_required"
            )
        return reason
