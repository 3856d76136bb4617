from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassificationConfig(AppConfig):
    name = "classification"
    verbose_name = _("Classification and follow-up")

    def ready(self):
        # The receivers that note what changes a branch's kept figures.
        from . import figures  # noqa: F401
