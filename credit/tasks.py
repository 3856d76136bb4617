"""The corporate credit app's background work as job kinds: the core-banking figures import."""

from django.utils.translation import gettext_lazy as _

from archives.models import Role
from archives.tasks import register_import

from .imports import SHEET as FIGURES_SHEET
from .imports import import_figures

FIGURES_IMPORT = "credit_figures_import"
# Head office and its two departments that confirm the lists (DOMAIN.md §5.2) read the
# figures the lists are proposed from, so they import them.
FIGURES_ROLES = (Role.HEAD_OFFICE, Role.CORPORATE_FINANCE, Role.CREDIT_MANAGEMENT)


def may_import_figures(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in FIGURES_ROLES)
    )


register_import(
    key=FIGURES_IMPORT,
    label=_("Core-banking figures"),
    importer=import_figures,
    upload_url_name="credit:figures_import",
    main_sheet=FIGURES_SHEET,
    can_view=may_import_figures,
)
