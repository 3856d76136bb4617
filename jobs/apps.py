"""The jobs app: the one mechanism every long task of the other apps runs through."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        # Every app registers its job kinds in its own tasks module; importing them
        # here fills the registry before a worker or a job page asks for a kind.
        autodiscover_modules("tasks")
