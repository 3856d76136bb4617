from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = _("Village archives")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed
        from django.utils.module_loading import autodiscover_modules

        from .audit import record_failed_login

        # Audit, not domain logic: whichever view refused a login, the access log keeps it.
        user_login_failed.connect(record_failed_login, dispatch_uid="archives_failed_login")

        # Each app's places in the menus and sections of 今日 (archives/navigation.py,
        # archives/today.py): registered from the apps' own modules, as jobs' kinds are.
        autodiscover_modules("navigation", "today")
