"""Head office's page of the personal data access log: search by person, customer, action, dates."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from ..audit import AccessAction, PersonalDataAccess
from ..forms import label_blank_choices
from ..models import Customer, User
from .archive import require_head_office

PAGE_SIZE = 50


class AccessLogFilter(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("staff member"),
        queryset=User.objects.order_by("username"),
        required=False,
    )
    customer = forms.IntegerField(
        label=gettext_lazy("customer number"), required=False, min_value=1
    )
    action = forms.ChoiceField(
        label=gettext_lazy("action"),
        choices=[("", ""), *AccessAction.choices],
        required=False,
    )
    since = forms.DateField(
        label=gettext_lazy("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choices(self)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label
        self.fields["customer"].widget.attrs["placeholder"] = self.fields["customer"].label

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end date is before the start date."))
        return data


def access_log(request):
    require_head_office(request.user)
    form = AccessLogFilter(request.GET or None)
    rows = PersonalDataAccess.objects.none()
    if not request.GET or form.is_valid():
        filters = form.cleaned_data if request.GET else {}
        customer_pk = filters.get("customer")
        rows = PersonalDataAccess.objects.filtered(
            user=filters.get("user"),
            customer=Customer(pk=customer_pk) if customer_pk else None,
            action=filters.get("action", ""),
            since=filters.get("since"),
            until=filters.get("until"),
        ).select_related("user", "customer")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archives/access_log.html", {"form": form, "page": page})
