"""Forms of follow-up: a revisit logged from the customer's page."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.models import User

from ..models import Visit
from ..visits import check_visit_date, partners_for


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


class VisitForm(forms.ModelForm):
    """One revisit, logged from the customer's page."""

    partner = PartnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("partner"),
        help_text=gettext_lazy("The colleague of the branch who went with you, if any."),
    )

    class Meta:
        model = Visit
        fields = ["visited_on", "partner", "learnt", "needs", "next_step"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "learnt": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, customer, visitor, today: datetime.date, **kwargs):
        kwargs.setdefault("initial", {"visited_on": today})
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.today = today
        self.fields["partner"].queryset = partners_for(customer, visitor)
        self.fields["partner"].empty_label = _("Nobody")
        # A visit log without what was learnt tells the next visitor nothing.
        self.fields["learnt"].required = True
        self.fields["visited_on"].widget.attrs.update(
            {"max": today.isoformat(), "min": customer.archived_on.isoformat()}
        )

    def clean_visited_on(self):
        visited_on = self.cleaned_data["visited_on"]
        check_visit_date(visited_on, archived_on=self.customer.archived_on, today=self.today)
        return visited_on
