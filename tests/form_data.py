"""The data a browser would post back for a form as a page rendered it, unchanged."""

from django import forms


def posted(*forms_) -> dict:
    """Forms and formsets of a page's context as POST data (a formset with its management form)."""
    data = {}
    for form in forms_:
        if hasattr(form, "management_form"):
            data.update(posted(form.management_form, *form.forms))
            continue
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data
