"""The survey forms for the rows of an import file: their checks compiled once, run per row.

A ModelForm's full_clean is generic: per row it builds bound fields, asks every
model field whether it is on the form, excluded, editable, an AutoField or has a
default, and the answers never change from one row to the next. At a county's
170,000 rows that bookkeeping cost as much as reading the file. `Compiled` asks those
questions once, when the form of a customer type is made, and keeps the answers as
plain lists; each row then runs exactly the calls Django's full_clean would make on
it, in the same order: each form field's clean() and the form's clean_<name>(), the
form's clean(), the form's own _post_clean (CustomerForm's sets the village and type
before and the birth date after), construct_instance's assignments and the model
fields' clean() and the model's clean(). The checks and their messages are therefore
the forms' own (tests/archives/test_import*.py hold the import to them).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.forms.utils import ErrorDict

from .choices import id_rivals
from .forms import CustomerForm, FamilyMemberForm

_FILLED = object()  # a value no form field counts as empty


class Compiled(forms.BaseModelForm):
    """full_clean and the ModelForm's _post_clean, with what does not depend on the row
    worked out once (`compile`). Placed after the concrete form in the bases, so that the
    form's own _post_clean calls this one as its super()."""

    def compile(self):
        model = type(self.instance)
        if (
            self.files
            or self.prefix
            or any(f.disabled for f in self.fields.values())
            or model.full_clean is not models.Model.full_clean
            or model.clean_fields is not models.Model.clean_fields
        ):
            raise ValueError("compiled: plain data, no disabled field, the model's own full_clean")
        self._plan = [
            (name, field, field.widget, getattr(self, f"clean_{name}", None))
            for name, field in self.fields.items()
        ]
        # _get_validation_exclusions with every field filled and none in error: the part
        # that is the same for every row (fields not on the form, the form's own additions).
        self._errors, self.cleaned_data = ErrorDict(), dict.fromkeys(self.fields, _FILLED)
        self._static = static = frozenset(self._get_validation_exclusions())
        self._candidates = [
            (f.name, not f.blank and not self.fields[f.name].required, self.fields[f.name], f)
            for f in self.instance._meta.fields
            if f.name not in static and not f.generated
        ]
        # A constraint naming a field that is never on the form is skipped by Django on every
        # row (UniqueConstraint.validate returns at an excluded field): the family member's
        # (household, ID number), whose household the import checks itself. Not asked at all.
        self._constraints = [
            c
            for c in self.instance._meta.constraints
            if not (getattr(c, "fields", None) and static.intersection(c.fields))
        ]
        opts = self._meta
        self._construct = [
            (f, f.has_default(), self.fields[f.name])
            for f in self.instance._meta.fields
            if f.editable
            and not isinstance(f, models.AutoField | models.FileField)
            and f.name in self.fields
            and (opts.fields is None or f.name in opts.fields)
            and not (opts.exclude and f.name in opts.exclude)
        ]

    def full_clean(self):
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = cleaned = {}
        data, files = self.data, self.files
        for name, field, widget, hook in self._plan:
            try:
                cleaned[name] = field.clean(widget.value_from_datadict(data, files, name))
                if hook is not None:
                    cleaned[name] = hook()
            except ValidationError as error:
                self.add_error(name, error)
        self._clean_form()
        self._post_clean()

    def _get_validation_exclusions(self):
        if not hasattr(self, "_candidates"):  # compiling: Django's, and the form's additions
            return super()._get_validation_exclusions()
        errors, cleaned = self._errors, self.cleaned_data
        return self._static.union(
            name
            for name, maybe, field, _f in self._candidates
            if name in errors or (maybe and cleaned.get(name) in field.empty_values)
        )

    def _post_clean(self):
        """BaseModelForm._post_clean: construct_instance, then the instance's full_clean
        without unique and constraint checks (the row forms answer those from the chunk)."""
        excluded = self._get_validation_exclusions()
        instance, cleaned, data = self.instance, self.cleaned_data, self.data
        for f, has_default, field in self._construct:
            if f.name not in cleaned:
                continue
            if (
                has_default
                and field.widget.value_omitted_from_data(data, self.files, f.name)
                and cleaned.get(f.name) in field.empty_values
            ):
                continue
            f.save_form_data(instance, cleaned[f.name])
        errors = {}
        for name, _maybe, _field, f in self._candidates:
            if name in excluded:
                continue
            raw = getattr(instance, f.attname)
            if (f.blank and raw in f.empty_values) or isinstance(raw, DatabaseDefault):
                continue
            try:
                setattr(instance, f.attname, f.clean(raw, instance))
            except ValidationError as error:
                errors[f.name] = error.error_list
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            self._update_errors(ValidationError(errors))
        if self._validate_unique:
            self.validate_unique()
        if self._validate_constraints:
            self.validate_constraints()

    def validate_constraints(self):
        if self._constraints:
            super().validate_constraints()


class RowByRow:
    """One bound form that checks many rows of a file in turn, compiled once.

    Making a form deep-copies its fields (45 of them for a customer): at a county's
    170,000 rows that costs more than reading the file. `check` binds the next row's
    data and instance and runs the compiled full_clean, so every rule is the form's.
    """

    def check(self, data, *, instance):
        self.data, self.instance = data, instance
        self.full_clean()
        return self._errors


class CustomerRowForm(RowByRow, CustomerForm, Compiled):
    """CustomerForm for the rows of an archive file: built once per customer type.

    It asks the database nothing per row. The caller fetches, for a whole chunk of rows
    at once, the customers holding the chunk's ID numbers and credit codes and puts them
    in `holders` ({("id_number", number): [customers], ("credit_code", code): customer});
    the duplicate checks read it (an ID number held by a rival type), so
    the model's unique-constraint checks (the same question again) are skipped. The
    group is not a field here: the import finds it by name among the village's groups.
    """

    # An archive file still carries balances (its own columns); see archives/imports/.
    read_only_fields = ()

    def __init__(self, *, customer_type, today):
        super().__init__({}, village=None, customer_type=customer_type, today=today)
        del self.fields["group"]
        del self.fields["version"]  # an import row is checked against the file, not a page
        self.holders = {}
        self.compile()

    def check(self, data, *, instance, village):
        self.village = village
        return super().check(data, instance=instance)

    def holder(self, name, value):
        found = self.holders.get((name, value))
        if name == "id_number":
            rivals = id_rivals(self.customer_type)
            others = [c for c in found or () if c.customer_type in rivals]
            found = next((c for c in others if c.pk != self.instance.pk), None)
        return found if found is not None and found.pk != self.instance.pk else None

    def validate_unique(self):
        pass  # holder() answered it from the chunk's customers

    def validate_constraints(self):
        pass  # uniqueness as above; the checks (amounts, an identifier) are the fields' rules


class FamilyMemberRowForm(RowByRow, FamilyMemberForm, Compiled):
    """FamilyMemberForm for the rows of a family sheet: built once, checks each row in turn."""

    def __init__(self, *, today):
        super().__init__({}, today=today)
        self.compile()
