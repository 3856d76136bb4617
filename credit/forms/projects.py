"""Forms of the project library: name a target, move its stage (both used on the phone)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import project_rules as pr
from ..models import CorporateCustomer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TargetForm(forms.Form):
    customer = forms.ModelChoiceField(
        CorporateCustomer.objects.none(),
        label=_("One of your customers"),
        required=False,
        empty_label=_("— a prospect, written below —"),
    )
    prospect_name = forms.CharField(label=_("Prospect's name"), max_length=100, required=False)
    prospect_credit_code = forms.CharField(
        label=_("Prospect's unified social credit code (optional)"),
        max_length=30,
        required=False,
    )
    products = forms.CharField(
        label=_("Products aimed at (one per line or separated by commas)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(label=_("Next step's deadline"), required=False, widget=DATE)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers

    def product_list(self) -> list[str]:
        text = self.cleaned_data["products"].replace("，", ",").replace("\n", ",")
        return [p.strip() for p in text.split(",") if p.strip()]


class MoveForm(forms.Form):
    shown_stage = forms.CharField(widget=forms.HiddenInput)
    to_stage = forms.ChoiceField(label=_("Move to"), choices=())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(label=_("Next step's deadline"), required=False, widget=DATE)

    def __init__(self, *args, entry, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "shown_stage": entry.stage,
                "next_step": entry.next_step,
                "next_step_due": entry.next_step_due,
            },
        )
        super().__init__(*args, **kwargs)
        # Any stage is accepted (the service refuses a wrong move in Chinese, saying
        # what changed); only the moves open from the stage shown are offered.
        self.fields["to_stage"].choices = [(s.value, label) for s, label in pr.STAGE_LABELS.items()]
        self.fields["to_stage"].widget.choices = [
            (s.value, pr.STAGE_LABELS[s]) for s in pr.next_stages(entry.stage)
        ]
