"""The form renderer: Django's Jinja2 widget templates, Django templates for the rest."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    """Renders widgets with Django's own Jinja2 templates (same markup, about twice as fast).

    The survey form has about sixty widgets and hundreds of radio and checkbox options;
    in Django's template engine they took a third of the edit page. Templates that
    exist only for Django's engine, such as the admin's widgets, still render there.
    """

    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
