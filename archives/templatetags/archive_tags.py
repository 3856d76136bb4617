"""Template filters for showing archive fields as people read them."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def field_value(instance, field):
    """A model field's value as shown on the page: choice labels, yuan with separators."""
    value = getattr(instance, field.name)
    if field.choices:
        return getattr(instance, f"get_{field.name}_display")() or "—"
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    if value in (None, ""):
        return "—"
    return value
