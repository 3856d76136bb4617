from django.apps import AppConfig


class ClassificationConfig(AppConfig):
    name = "classification"

    def ready(self):
        # The receivers that note what changes a branch's kept figures.
        from . import figures  # noqa: F401
