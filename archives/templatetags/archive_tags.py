"""Template filters for showing archive fields as people read them."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import models
from django.utils.translation import gettext as _

register = template.Library()

NUMBER_FIELDS = (models.DecimalField, models.IntegerField)


@register.filter
def amount(value):
    """A yuan amount with separators; an amount nobody entered is 未填, not 0."""
    if value is None or value == "":
        return _("Not filled")
    return intcomma(f"{Decimal(value):.2f}")


@register.filter
def field_value(instance, field):
    """A model field's value as shown on the page: choice labels, yuan with separators."""
    value = getattr(instance, field.name)
    if field.choices:
        return getattr(instance, f"get_{field.name}_display")() or "—"
    if value is None and isinstance(field, NUMBER_FIELDS):
        return _("Not filled")  # unknown, which is not zero
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    if value in (None, ""):
        return "—"
    return value
