"""Stale edits refused: a form carries the version of the record it showed, a save checks it.

The version is a digest of the values the form edits, taken when the form is shown
and put in a hidden field. The service that saves locks the row (select_for_update)
and, inside that same transaction, takes the digest again: if it differs, someone
saved the record meanwhile, and the save is refused with every value where the
stored record and the user's input differ, unless there is none (then nothing would
be lost). The page keeps the user's input and carries the new version, so a second,
deliberate save goes through.

A digest rather than a counter column: every writer (survey form, imports, review,
admin) changes the version without having to remember to bump it, and no table
changes. Two saves that leave the same values (A→B→A) look unchanged, which is right:
the form still shows what is stored.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Value:
    """One thing a form edits: its label, a canonical text (for the digest) and how it reads."""

    label: str
    canonical: str
    shown: str


Values = dict[str, Value]  # by a key stable across requests (a field name, "members-12")


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: str  # what is stored now
    yours: str  # what the form would write


class StaleEdit(Exception):
    """The record changed since the form was shown; nothing was written."""

    def __init__(self, differences: list[Difference], version: str):
        self.differences = differences
        self.version = version  # the stored one: a second save from the same page goes through
        super().__init__(message())


def message() -> str:
    return _(
        "This record has been changed by someone else since you opened it, and nothing was "
        "saved. Below: what is stored now and what you entered. Check them, change what you "
        "need and save again."
    )


class VersionField(forms.CharField):
    """The hidden version of the record a form shows; empty on a form that creates one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("record version"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


def version_of(values: Values) -> str:
    pairs = sorted((key, value.canonical) for key, value in values.items())
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()


def check(submitted: str | None, *, stored: Values, yours: Values) -> None:
    """Raise StaleEdit when `submitted` is not the stored version and the save would change it.

    Call it inside the writing transaction, with `stored` read from the locked row. A
    save without a version (a script, a bulk action: not a page, which always sends
    one) is not checked.
    """
    current = version_of(stored)
    if not submitted or submitted == current:
        return
    differences = [
        Difference(
            label=(stored.get(key) or yours[key]).label,
            theirs=stored[key].shown if key in stored else "—",
            yours=yours[key].shown if key in yours else "—",
        )
        for key in dict.fromkeys([*stored, *yours])
        if (stored[key].canonical if key in stored else None)
        != (yours[key].canonical if key in yours else None)
    ]
    if differences:
        raise StaleEdit(differences, current)


def keep_input(form, stale: StaleEdit, *, field: str = "version") -> None:
    """Show the refused form again with the user's input and the stored version."""
    data = form.data.copy()
    data[form.add_prefix(field)] = stale.version
    form.data = data


# ---- Values of a model's fields -----------------------------------------------------------


def value(label, raw, *, field: models.Field | None = None, choices=None) -> Value:
    """A Value from a Python value as a model or a form holds it."""
    return Value(str(label), _canonical(raw, field), _shown(raw, field, choices))


def model_values(obj, names, *, form=None) -> Values:
    """The stored values of `obj`'s fields `names` (a ManyToMany field reads its rows)."""
    out = {}
    for name in names:
        field = obj._meta.get_field(name)
        raw = field.value_from_object(obj) if obj.pk is not None or not field.many_to_many else []
        if field.is_relation and not field.many_to_many and raw is not None:
            raw = getattr(obj, name)
        out[name] = value(field.verbose_name, raw, field=field, choices=_choices(form, name))
    return out


def form_values(form, names) -> Values:
    """What a valid ModelForm would write for the fields `names`, read as model_values reads."""
    model = form._meta.model
    out = {}
    for name in names:
        field = model._meta.get_field(name)
        raw = form.cleaned_data.get(name)
        out[name] = value(field.verbose_name, raw, field=field, choices=_choices(form, name))
    return out


def _choices(form, name):
    field = form.fields.get(name) if form is not None else None
    return (
        getattr(field, "choices", None) if not isinstance(field, forms.ModelChoiceField) else None
    )


def _canonical(raw, field) -> str:
    if raw is None or raw == "":
        return ""
    if isinstance(raw, models.Model):
        return str(raw.pk)
    if isinstance(raw, models.QuerySet | list | tuple | set):
        items = [str(item.pk) if isinstance(item, models.Model) else str(item) for item in raw]
        return json.dumps(sorted(items))
    if isinstance(raw, dict):
        return json.dumps({str(k): str(v) for k, v in raw.items()}, sort_keys=True)
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        places = getattr(field, "decimal_places", None)
        number = Decimal(str(raw))
        return str(number.quantize(Decimal(1).scaleb(-places)) if places is not None else number)
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def _shown(raw, field, choices) -> str:
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    labels = {str(k): str(v) for k, v in (choices or getattr(field, "flatchoices", None) or [])}
    if isinstance(raw, models.QuerySet | list | tuple | set):
        return "、".join(sorted(labels.get(str(item), str(item)) for item in raw)) or "—"
    if isinstance(raw, dict):
        return "; ".join(f"{k}: {v}" for k, v in sorted(raw.items())) or "—"
    if str(raw) in labels:
        return labels[str(raw)]
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        return _canonical(raw, field)
    return str(raw)


# ---- The admin's change forms ------------------------------------------------------------


class VersionedModelForm(forms.ModelForm):
    """A ModelForm (the admin's) that refuses a stale save.

    The admin validates and saves a change inside one transaction; clean() locks the
    row there (select_for_update) and compares versions, so the check holds until the
    save commits. A refusal is a form error listing each difference; the form keeps
    the input and the stored version.
    """

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = version_of(self.stored_values(self.instance))

    def versioned_fields(self):
        names = {f.name for f in self._meta.model._meta.get_fields()}
        return [name for name in self.fields if name != "version" and name in names]

    def stored_values(self, obj) -> Values:
        return model_values(obj, self.versioned_fields(), form=self)

    def submitted_values(self) -> Values:
        return form_values(self, self.versioned_fields())

    def clean(self):
        data = super().clean()
        if self.instance.pk is None or self.errors:
            return data
        stored = self._meta.model._default_manager.select_for_update().get(pk=self.instance.pk)
        try:
            check(
                data.get("version"),
                stored=self.stored_values(stored),
                yours=self.submitted_values(),
            )
        except StaleEdit as stale:
            keep_input(self, stale)
            raise forms.ValidationError(
                [str(stale)]
                + [
                    _("%(field)s: stored now %(theirs)s, you entered %(yours)s")
                    % {"field": d.label, "theirs": d.theirs, "yours": d.yours}
                    for d in stale.differences
                ]
            ) from None
        return data


def changes(before, after, names) -> list[Difference]:
    """Each of `names` whose value differs between two records of one model (a version and
    the one before it): what head office sees beside a rulebook or a threshold."""
    old, new = model_values(before, names), model_values(after, names)
    return [
        Difference(label=new[name].label, theirs=old[name].shown, yours=new[name].shown)
        for name in names
        if old[name].canonical != new[name].canonical
    ]


def changes_text(differences) -> str:
    return "；".join(f"{d.label} {d.theirs} → {d.yours}" for d in differences) or _("no change")
