"""The marketing ledger's rules: months, closed months, the line form shared by page and import, writes.

A line of the monthly extract (assessment/imports.py) and a line head office
enters by hand are checked by the same LedgerLineForm, so both follow one set of
rules about which columns each kind of item takes.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, UniqueConstraint
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives import unique, versions
from archives.imports import files
from archives.models import Branch, User

from .models.ledger import MONEY_KINDS, NEEDS_AVG_AMOUNT, PER_ITEM_KINDS, LedgerEntry, LedgerKind
from .months import lock_open_month
from .months import month_is_closed as month_is_closed  # the early check of forms and import

QUANTITY_FIELDS = ("amount", "count", "avg_tx_count", "avg_tx_amount")
_MONTH = re.compile(
    r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})|(\d{2}))\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?$"
)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def read_month(value) -> datetime.date:
    """A month cell: 2026-11, 2026/11, 2026年11月, 202611, or any date of the month."""
    if isinstance(value, datetime.date):  # a datetime too: Excel turns 2026-11 into 2026-11-01
        return first_of_month(value if not isinstance(value, datetime.datetime) else value.date())
    match = _MONTH.match(files.text(value))
    if match:
        year, month = int(match[1]), int(match[2] or match[3])
        if 1 <= month <= 12:
            return datetime.date(year, month, 1)
    raise ValueError(_("Write the month as 2026-11."))


def closed_month_message(month: datetime.date) -> str:
    return _(
        "%(month)s is closed: its ledger can no longer change. Enter a correction in an open month."
    ) % {"month": month.strftime("%Y-%m")}


class LedgerLineForm(forms.ModelForm):
    """The quantities of one line, checked against the columns its kind takes.

    Money items take an amount; cards, personal e-banking and POS a count; the items
    paid on their own activity (corporate e-banking, SMS/third-party payment, 卡乐付,
    special merchants) are one line per household or terminal with its number or
    name and its monthly average transactions (and amount for 卡乐付 and special
    merchants). A blank or 0 in a column the kind does not take is accepted.
    """

    class Meta:
        model = LedgerEntry
        fields = ("kind", "item_ref", *QUANTITY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in QUANTITY_FIELDS:
            if name in self.fields:
                self.fields[name].required = False
                if self.instance.pk is None:  # blank, not 0: which ones to fill depends on the item
                    self.initial.setdefault(name, None)
                self.fields[name].widget.attrs.update({"inputmode": "decimal", "min": "0"})

    def validate_constraints(self):
        """Only the one-line-per-item constraint, which ManualLineForm reports on the page.

        The check constraints repeat the fields' validators and the rules below, and
        Django evaluates each with a query: three queries for every row of an import.
        The database still enforces them on save.
        """
        exclude = self._get_validation_exclusions()
        for constraint in LedgerEntry._meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                try:
                    constraint.validate(LedgerEntry, self.instance, exclude=exclude)
                except ValidationError as error:
                    self._update_errors(error)

    def line_kind(self):
        return self.cleaned_data.get("kind") or self.instance.kind

    def clean(self):
        data = super().clean()
        kind = self.line_kind()
        if kind:
            self.check_columns(kind, data)
        return data

    def check_columns(self, kind, data):
        takes, required = columns_of(kind), required_columns_of(kind)
        unused = tuple(name for name in QUANTITY_FIELDS if name not in takes)
        if kind in PER_ITEM_KINDS:
            if not data.get("item_ref", self.instance.item_ref) and "item_ref" not in self.errors:
                self.add_error(
                    "item_ref" if "item_ref" in self.fields else None,
                    _("One line per household or terminal: write its number or name."),
                )
            if data.get("count") not in (None, 0, 1) and "count" not in self.errors:
                self.add_error(
                    "count", _("Each household or terminal is one line: the quantity is 1.")
                )
        for name in required:
            if name in self.fields and data.get(name) is None and name not in self.errors:
                self.add_error(name, _("This field is required."))
        label = LedgerKind(kind).label
        for name in unused:
            if data.get(name) and name not in self.errors:
                self.add_error(
                    name, _("This does not apply to %(kind)s; leave it blank.") % {"kind": label}
                )
        # What is stored for the columns a kind does not take (a correction shows only the others).
        stored = {name: None if name.startswith("avg_") else 0 for name in unused}
        if kind in PER_ITEM_KINDS:
            stored["count"] = 1
        for name in ("amount", "count"):
            if data.get(name) is None and name not in self.errors:
                stored.setdefault(name, 0)
        data.update((name, value) for name, value in stored.items() if name in self.fields)


def columns_of(kind) -> tuple[str, ...]:
    """The quantity columns a kind of item takes: money items an amount, others a count.

    Items paid on their own activity are one household or terminal a line (count 1)
    with its monthly average transactions and amount.
    """
    if kind in MONEY_KINDS:
        return ("amount",)
    if kind in PER_ITEM_KINDS:
        return ("count", "avg_tx_count", "avg_tx_amount")
    return ("count",)


def required_columns_of(kind) -> tuple[str, ...]:
    """Of those, the ones a line must fill (the average amount only where it qualifies the item)."""
    if kind in PER_ITEM_KINDS:
        return ("avg_tx_count", "avg_tx_amount") if kind in NEEDS_AVG_AMOUNT else ("avg_tx_count",)
    return columns_of(kind)


class MonthField(forms.DateField):
    """A month typed as 2026-11 (the browser's month picker), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ("%Y-%m", "%Y-%m-%d")
    default_error_messages = {"invalid": gettext_lazy("Write the month as 2026-11.")}

    def to_python(self, value):
        day = super().to_python(value)
        return first_of_month(day) if day else day


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.staff_no} {obj}" if obj.staff_no else str(obj)


class ManualLineForm(LedgerLineForm):
    """A line head office adds by hand: whose, which month, what, and why."""

    person = StaffChoiceField(
        label=gettext_lazy("Staff member"),
        queryset=User.objects.filter(is_active=True).order_by("staff_no", "username"),
    )
    month = MonthField(label=gettext_lazy("Month"))

    class Meta(LedgerLineForm.Meta):
        fields = ("person", "month", "kind", "item_ref", *QUANTITY_FIELDS, "reason")

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _(
            "Give the reason for entering this line by hand."
        )

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > first_of_month(self.today):
            raise forms.ValidationError(_("The month cannot be in the future."))
        if month_is_closed(month):
            raise forms.ValidationError(closed_month_message(month))
        return month


class CorrectionForm(LedgerLineForm):
    """Head office corrects the quantities of a line, imported or not, with a reason.

    It carries the line's version (archives.versions): save_by_hand refuses it when the
    line changed since the form was shown (another correction, a re-import).
    """

    version = versions.VersionField()

    class Meta(LedgerLineForm.Meta):
        fields = (*QUANTITY_FIELDS, "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].error_messages["required"] = _(
            "Give the reason for correcting this line."
        )
        self.initial["reason"] = ""  # a correction gives its own reason
        kind = self.instance.kind
        for name in QUANTITY_FIELDS:  # only what the line's kind takes (count stays 1 per item)
            if name not in columns_of(kind) or (name == "count" and kind in PER_ITEM_KINDS):
                del self.fields[name]
        self.initial["version"] = versions.version_of(self.stored_values(self.instance))

    def line_fields(self):
        return [name for name in self.fields if name != "version"]

    def stored_values(self, entry) -> versions.Values:
        return versions.model_values(entry, self.line_fields())

    def submitted_values(self) -> versions.Values:
        return versions.form_values(self, self.line_fields())

    def clean(self):
        if month_is_closed(self.instance.month):
            raise forms.ValidationError(closed_month_message(self.instance.month))
        return super().clean()


class LineExists(Exception):
    """The line was added by another request at the same moment; nothing was written."""

    def __init__(self):
        constraint = next(c for c in LedgerEntry._meta.constraints if c.name == ONE_LINE_PER_ITEM)
        super().__init__(constraint.violation_error_message)


ONE_LINE_PER_ITEM = "ledger_one_line_per_item"


@transaction.atomic
def save_by_hand(*, form: LedgerLineForm, user, now: datetime.datetime) -> LedgerEntry:
    """Save a valid ManualLineForm or CorrectionForm as head office's line.

    The change history keeps what the line said before, who changed it and why. The
    form's check of a closed month was early; the month's row lock here is the guard.
    A correction locks the line and raises versions.StaleEdit when it changed since the
    form was shown; the same line added twice at once raises LineExists.
    """
    if form.instance.pk is not None:
        stored = LedgerEntry.objects.select_for_update().get(pk=form.instance.pk)
        versions.check(
            form.cleaned_data.get("version"),
            stored=form.stored_values(stored),
            yours=form.submitted_values(),
        )
    entry = form.save(commit=False)
    lock_open_month(entry.month)
    entry.source = LedgerEntry.Source.MANUAL
    entry.created_by = user
    entry.created_at = now
    entry._history_user = user
    entry._change_reason = entry.reason
    try:
        with unique.violations(LedgerEntry):
            entry.save()
    except unique.Violation as violation:
        if violation.constraint != ONE_LINE_PER_ITEM:
            raise
        raise LineExists from None
    return entry


# ---- Reading the ledger -----------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    """The filters of a month's ledger page; every one optional."""

    month = MonthField(label=gettext_lazy("Month"), required=False)
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("All branches"),
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Branch")}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Item"),
        choices=[("", gettext_lazy("All items")), *LedgerKind.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Item")}),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=[("", gettext_lazy("All")), *LedgerEntry.Source.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Source")}),
    )
    q = forms.CharField(label=gettext_lazy("Staff number or name"), required=False, max_length=30)


def lines_of(entries, *, branch=None, kind="", source="", q=""):
    """A month's lines narrowed by the filters, ready for a page: person first, then item."""
    if branch is not None:  # a subquery: a person of two branches stays one person
        entries = entries.filter(person__in=User.objects.filter(branches=branch))
    if kind:
        entries = entries.filter(kind=kind)
    if source:
        entries = entries.filter(source=source)
    q = q.strip()
    if q:
        entries = entries.filter(
            Q(person__staff_no__iexact=q)
            | Q(person__display_name__contains=q)
            | Q(person__username__iexact=q)
        )
    return (
        entries.select_related("person", "created_by")
        .prefetch_related("person__branches")
        .in_kind_order("person__staff_no", "person__pk")
    )
