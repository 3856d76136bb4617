"""Survey forms: one customer form shaped by its type, and the family-member rows."""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import household, versions
from .choices import id_rivals
from .identity import parse_resident_id, validate_credit_code, validate_mobile
from .models import Customer, CustomerType, EBankingProduct, FamilyMember, VillageGroup
from .positions import POSITION_FIELDS
from .survey import (
    ALL_TYPE_FIELDS,
    BALANCE_DATE_FIELDS,
    BALANCE_FIELDS,
    BANK_FIELDS,
    COMMON_FIELDS,
    HOUSEHOLD_FORM_FIELDS,
    IDENTITY_FIELDS,
    NEEDS_CREDIT_CODE,
    NEEDS_FIELDS,
    NEEDS_ID_NUMBER,
    SEVEN_ONES_FIELDS,
    fields_for,
)

SECTIONS = (
    (gettext_lazy("Who"), ("name", "id_number", "credit_code", "contact_person", "group")),
    (gettext_lazy("Contact"), ("phone", "contact_method", "address", "business_address")),
    (gettext_lazy("Income and credit"), ("main_income", "credit_record", *HOUSEHOLD_FORM_FIELDS)),
    (
        gettext_lazy("Survey focus of this type"),
        ("business_items", *(f for f in ALL_TYPE_FIELDS if f not in HOUSEHOLD_FORM_FIELDS)),
    ),
    (gettext_lazy("Business with the bank"), (*BANK_FIELDS, *BALANCE_DATE_FIELDS)),
    (gettext_lazy("Needs and appointments"), NEEDS_FIELDS),
    (gettext_lazy("The seven ones for this household"), SEVEN_ONES_FIELDS),
)


def label_blank_choices(form):
    """Give every select an empty choice in Chinese (Django 6.1's own is not translated yet)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("Choose…")
        elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices = list(field.choices)
            if choices and choices[0][0] == "":
                field.choices = [("", _("Choose…")), *choices[1:]]


class CustomerForm(forms.ModelForm):
    """The survey form of one customer; the type decides which fields it has.

    Used by the pages and by the archive import, so a row of a spreadsheet is
    checked by exactly the same rules as a form filed on a phone. On the page the
    balances, maturities and their data date are shown read only (disabled: whatever
    is posted for them is ignored); the core-banking import alone sets them.
    """

    read_only_fields = BALANCE_FIELDS

    phone = forms.CharField(label=gettext_lazy("mobile"), max_length=30, required=False)
    id_number = forms.CharField(
        label=gettext_lazy("resident ID number"), max_length=30, required=False
    )
    credit_code = forms.CharField(
        label=gettext_lazy("unified social credit code"), max_length=30, required=False
    )
    ebanking_products = forms.MultipleChoiceField(
        label=gettext_lazy("e-banking products used"),
        choices=EBankingProduct.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    appointed_products = forms.MultipleChoiceField(
        label=gettext_lazy("appointed e-banking products"),
        choices=EBankingProduct.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = versions.VersionField()

    class Meta:
        model = Customer
        fields = tuple(
            f
            for f in (
                *IDENTITY_FIELDS,
                *COMMON_FIELDS,
                *ALL_TYPE_FIELDS,
                *SEVEN_ONES_FIELDS,
                *BALANCE_DATE_FIELDS,
                *POSITION_FIELDS,
            )
            if f != "customer_type"
        )
        widgets = {
            # Filled by the "record the current position" button (static/js/position.js).
            **{name: forms.HiddenInput for name in POSITION_FIELDS},
            "scale": forms.TextInput(
                attrs={"placeholder": gettext_lazy("e.g. 300 pigs, 120 mu of tea")}
            ),
            **{
                name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for name in BALANCE_DATE_FIELDS
            },
        }

    def __init__(
        self, *args, village, customer_type, today=None, user=None, position=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.village = village
        self.customer_type = CustomerType(customer_type)
        self.today = today or timezone.localdate()
        self.user = user
        self.resident_id = None
        # The position is the page's alone (the phone records it): the import never
        # touches it, so a re-import keeps every position on file.
        wanted = {
            *fields_for(self.customer_type),
            *self.read_only_fields,
            "version",
            *(POSITION_FIELDS if position else ()),
        }
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.fields["group"].queryset = (
            village.groups.all() if village is not None else VillageGroup.objects.none()
        )
        self.fields["id_number"].required = self.customer_type in NEEDS_ID_NUMBER
        if "credit_code" in self.fields:
            self.fields["credit_code"].required = self.customer_type in NEEDS_CREDIT_CODE
        if self.customer_type in NEEDS_CREDIT_CODE:
            self.fields["name"].label = _("organisation name")
            self.fields["id_number"].label = _("legal representative's ID number")
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                # Amounts and counts left blank are not known: stored empty, never as 0.
                field.required = False
                field.widget.attrs.update(
                    {"inputmode": "decimal", "min": "0", "placeholder": _("Not filled")}
                )
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        for name in self.read_only_fields:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("From the core-banking import; read only.")
        label_blank_choices(self)
        if self.instance.pk is not None:
            self.initial["version"] = versions.version_of(self.stored_values(self.instance))

    def survey_fields(self):
        return [name for name in self.fields if name != "version"]

    def stored_values(self, customer) -> versions.Values:
        """The stored survey of `customer` and its family members, as this form shows them."""
        values = versions.model_values(customer, self.survey_fields(), form=self)
        for member in customer.members.all():
            values[f"members-{member.pk}"] = member_value(member)
        return values

    def submitted_values(self, members) -> versions.Values:
        """What this valid form and its valid family rows (or None) would store."""
        values = versions.form_values(self, self.survey_fields())
        for index, row in enumerate(members.forms if members is not None else ()):
            if members.can_delete and members._should_delete_form(row):
                continue
            if row.instance.pk is not None:
                values[f"members-{row.instance.pk}"] = member_value(row.instance)
            elif row.has_changed():
                values[f"members-new-{index}"] = member_value(row.instance)
        return values

    def sections(self):
        """The form's fields grouped as on the paper collection form."""
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in SECTIONS
            if any(name in self.fields for name in names)
        ]

    def clean_id_number(self):
        self.resident_id = None
        value = self.cleaned_data.get("id_number", "").strip()
        if not value:
            return ""
        self.resident_id = parse_resident_id(value, today=self.today)
        number = self.resident_id.number
        duplicate = self.holder("id_number", number)
        if duplicate:
            raise ValidationError(duplicate_message(duplicate, self.user), code="duplicate_id")
        return number

    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code", "").strip()
        if not value:
            return ""
        code = validate_credit_code(value)
        duplicate = self.holder("credit_code", code)
        if duplicate:
            raise ValidationError(
                duplicate_message(duplicate, self.user), code="duplicate_credit_code"
            )
        return code

    def holder(self, name, value):
        """Another customer holding this credit code, or this ID number in a rival type.

        An ID number is a key per type group (DOMAIN.md §7): a household may share it
        with the operator's businesses (archives.choices.id_rivals).
        """
        if name == "id_number":
            rivals = id_rivals(self.customer_type)
            found = Customer.objects.filter(id_number=value, customer_type__in=rivals)
        else:
            found = Customer.objects.filter(credit_code=value)
        return found.exclude(pk=self.instance.pk).first()

    def _get_validation_exclusions(self):
        # holder() answers uniqueness with the message of DOMAIN.md §7; asking the unique
        # constraints again would, in a race, show Django's bare "constraint is invalid".
        # A race past both is the service's (archives.services.AlreadyOnFile).
        return {*super()._get_validation_exclusions(), "id_number", "credit_code"}

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        return validate_mobile(value) if value else ""

    def clean_located_at(self):
        # Kept in UTC to the second, as the database gives it back: the version compares them.
        value = self.cleaned_data.get("located_at")
        return value.astimezone(datetime.UTC).replace(microsecond=0) if value else None

    def clean(self):
        data = super().clean()
        if "latitude" in self.fields:
            self._clean_position(data)
        return data

    def _clean_position(self, data):
        """Both coordinates or none; with none there is no accuracy and no time either."""
        latitude, longitude = data.get("latitude"), data.get("longitude")
        unreadable = (
            any(name in self.errors for name in POSITION_FIELDS)
            or (latitude is None) != (longitude is None)
            or (latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180))
        )
        if unreadable:
            self.add_error(None, _("The position recorded could not be read: record it again."))
        elif latitude is None:
            data["position_accuracy"] = None
            data["located_at"] = None

    def _post_clean(self):
        self.instance.village = self.village
        self.instance.customer_type = self.customer_type
        super()._post_clean()
        self.instance.birth_date = self.resident_id.birth_date if self.resident_id else None
        self.instance.set_last4()  # the archive import writes in bulk, past save()


def duplicate_message(existing, user):
    """Tell who already holds the identifier: a link when the user may see them (DOMAIN.md §7).

    Outside the user's scope the message says nothing of the record, not even that its
    holder is in another village or which: "已在其他网点建档，请联系总行". The archive
    import (no user: head office's job, who sees every record) names the village.
    """
    if user is None:
        return _("This number is already on file in %(village)s; ask its account managers.") % {
            "village": existing.village.name
        }
    if Customer.objects.visible_to(user).filter(pk=existing.pk).exists():
        return format_html(
            '{} <a href="{}">{}（{}）</a>',
            _("This number is already on file:"),
            reverse("archives:customer", args=[existing.pk]),
            existing.name,
            existing.village.name,
        )
    return _("Already on file at another branch; please contact head office.")


def member_value(member) -> versions.Value:
    """A family member as one line of the version: every field the survey edits."""
    parts = (
        member.name,
        member.get_relation_display(),
        member.id_number,
        member.phone,
        member.away_location if member.works_away else "",
    )
    shown = " ".join(part for part in parts if part)
    return versions.Value(str(FamilyMember._meta.verbose_name), json.dumps(parts), shown or "—")


class FamilyMemberForm(forms.ModelForm):
    id_number = forms.CharField(
        label=gettext_lazy("resident ID number"), max_length=30, required=False
    )
    phone = forms.CharField(label=gettext_lazy("mobile"), max_length=30, required=False)

    class Meta:
        model = FamilyMember
        fields = ("name", "relation", "id_number", "phone", "works_away", "away_location")

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.resident_id = None
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        label_blank_choices(self)

    def clean_id_number(self):
        self.resident_id = None
        value = self.cleaned_data.get("id_number", "").strip()
        if not value:
            return ""
        self.resident_id = parse_resident_id(value, today=self.today)
        return self.resident_id.number

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        return validate_mobile(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("works_away") and not data.get("away_location", "").strip():
            self.add_error("away_location", _("Say where this member works away."))
        return data

    def _post_clean(self):
        super()._post_clean()
        self.instance.birth_date = self.resident_id.birth_date if self.resident_id else None

    # {pk: ID number on file} of the household's members, set by its formset (which read them).
    stored_numbers = None

    def validate_constraints(self):
        """In a household's formset: an ID number another member of the household holds on
        file is refused, from the members the formset read (Django's check asks the database
        once a row, and names the constraint); elsewhere, Django's check."""
        if self.stored_numbers is None:
            return super().validate_constraints()
        number, pk = self.instance.id_number, self.instance.pk
        if number and any(k != pk and held == number for k, held in self.stored_numbers.items()):
            self.add_error("id_number", _("The same ID number is entered twice in this household."))
        return None


class MemberRowField(forms.ModelChoiceField):
    """A family row's hidden id, found among the members the formset has read once.

    Django's model formsets look each posted id up with a query of its own (a household
    of ten cost ten), and accept the id of any family member on file; this takes only the
    household's own, with the same message for any other."""

    def __init__(self, formset, **kwargs):
        self.formset = formset
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        member = self.formset.members_by_pk().get(str(value))
        if member is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return member


class BaseFamilyFormSet(forms.BaseInlineFormSet):
    """The family rows of a survey; `household` is the survey's CustomerForm, whose person
    is the head the rows' relations and ages are checked against (archives.household)."""

    def __init__(self, *args, today=None, household=None, **kwargs):
        self.today = today
        self.household = household
        self._members_by_pk = None
        super().__init__(*args, **kwargs)

    def members_by_pk(self):
        if self._members_by_pk is None:
            self._members_by_pk = {str(m.pk): m for m in self.get_queryset()}
            self._stored_numbers = {m.pk: m.id_number for m in self._members_by_pk.values()}
        return self._members_by_pk

    def add_fields(self, form, index):
        super().add_fields(form, index)
        self.members_by_pk()  # read before any row is checked: the numbers as they are on file
        form.stored_numbers = self._stored_numbers
        name, django_field = self._pk_field.name, form.fields[self._pk_field.name]
        form.fields[name] = MemberRowField(
            self,
            queryset=django_field.queryset,
            initial=django_field.initial,
            required=False,
            widget=django_field.widget,
        )

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "today": self.today}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            today=self.today,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            number = form.cleaned_data.get("id_number")
            if number and number in seen:
                form.add_error(
                    "id_number", _("The same ID number is entered twice in this household.")
                )
            elif number:
                seen[number] = form
        self.check_relations()

    def check_relations(self):
        """One message on each member row whose relation cannot be (archives.household)."""
        rows = {}
        for index, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("relation"):
                continue
            person = person_of(form.resident_id)
            rows[index] = (
                form,
                household.Member(index, data.get("name", ""), data["relation"], person),
            )
        found = household.problems(
            self.head(),
            [member for _form, member in rows.values()],
            today=self.today or timezone.localdate(),
        )
        for row, message in found.items():
            rows[row][0].add_error("relation", message)

    def head(self):
        """The survey's own person: the head of household, as far as its form tells."""
        form = self.household
        if form is None or not form.is_bound:
            return household.Person()
        form.errors  # noqa: B018  (runs the form's checks, which read the ID number)
        return person_of(form.resident_id)


def person_of(resident) -> household.Person:
    """What a checked ID number (or none) tells the household rules."""
    if resident is None:
        return household.Person()
    return household.Person(resident.birth_date, resident.is_male)


FamilyFormSet = forms.inlineformset_factory(
    Customer,
    FamilyMember,
    form=FamilyMemberForm,
    formset=BaseFamilyFormSet,
    extra=0,
    can_delete=True,
    max_num=30,
    validate_max=True,
)
