"""The follow-up of a large cross-bank outflow (稳存跟踪, DOMAIN.md §5.5)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import FundsBack, MovementFollowUp


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = MovementFollowUp
        fields = ["learnt", "action", "funds_back"]
        widgets = {
            "learnt": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 3}),
            "funds_back": forms.RadioSelect,
        }
        help_texts = {
            "learnt": _("Why the funds left and where they went, as the customer says."),
            "action": _("What you did or will do to keep or win the funds back."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funds_back"].choices = FundsBack.choices  # no blank radio
