"""The corporate credit pages' place in each role's menus (archives/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from archives.navigation import CORPORATE_ONLY, EVERY_ROLE, Place, register

register(
    Place(
        "credit",
        _("Credit customers"),
        "credit:home",
        "credit",
        "corporate",
        10,
        roles=EVERY_ROLE,
        tabs=dict.fromkeys(CORPORATE_ONLY, 1),
        when=lambda user: user.serves_corporate,
    )
)
