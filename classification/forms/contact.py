"""Forms of the contact plan: the outbox filter and head office's news and planning forms."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Message, ProductNews


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker); cleans to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault(
            "error_messages", {"invalid": _("Enter a month as year-month, e.g. 2026-12.")}
        )
        super().__init__(**kwargs)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Message.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of message"), choices=[("", _("All")), *Message.Kind.choices], required=False
    )
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # shown inline, without <label>s
            field.widget.attrs["aria-label"] = field.label

    def filter(self, messages):
        """The messages that match the cleaned filter."""
        data = self.cleaned_data
        if data["status"]:
            messages = messages.filter(status=data["status"])
        if data["kind"]:
            messages = messages.filter(kind=data["kind"])
        if data["month"]:
            messages = messages.filter(plan_month=data["month"])
        return messages


class ProductNewsForm(forms.ModelForm):
    month = MonthField(label=_("Month"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "news_%s")  # shares the page with the filter's month
        super().__init__(*args, **kwargs)

    class Meta:
        model = ProductNews
        fields = ["month", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 300})}


class PlanForm(forms.Form):
    """The month to plan: this month, or next month ahead of time (a past month's
    greetings and reminders could only be skipped, a later one's key customers are not
    known yet)."""

    month = MonthField(label=_("Month"))

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.months = plannable_months(today)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month not in self.months:
            raise forms.ValidationError(
                _("Only this month (%(this)s) or next month (%(next)s) can be planned.")
                % {"this": f"{self.months[0]:%Y-%m}", "next": f"{self.months[1]:%Y-%m}"}
            )
        return month


def plannable_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first days of this month and of next month."""
    this = today.replace(day=1)
    return this, (this + datetime.timedelta(days=32)).replace(day=1)
