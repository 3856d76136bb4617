"""Classification's places in each role's menus (archives/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from archives.models import Role
from archives.navigation import HEAD_OFFICE, VILLAGE_ROLES, Place, register

MANAGER, HEAD = Role.ACCOUNT_MANAGER.value, Role.BRANCH_HEAD.value
CHIEF, LEADER = Role.SECTION_CHIEF.value, Role.LEADER.value

register(
    Place(
        "my_customers",
        _("My customers to maintain"),
        "classification:my_customers",
        "revisit",
        "follow_up",
        10,
        roles=VILLAGE_ROLES,
        tabs={MANAGER: 3, CHIEF: 3, LEADER: 3},
        short_label=_("Revisits"),
    )
)
register(
    Place(
        "weeks",
        _("Weekly classification"),
        "classification:weeks",
        "weeks",
        "follow_up",
        20,
        roles=VILLAGE_ROLES,
        tabs={HEAD: 1},
        short_label=_("Weekly"),
    )
)
register(
    Place(
        "contact",
        _("Contact plan"),
        "classification:outbox",
        "contact",
        "follow_up",
        30,
        roles=VILLAGE_ROLES,
    )
)
register(
    Place(
        "dashboard",
        _("Dashboard"),
        "classification:dashboard",
        "dashboard",
        "follow_up",
        40,
        roles=frozenset({HEAD, CHIEF, LEADER, HEAD_OFFICE}),
        tabs={HEAD: 2, CHIEF: 1, LEADER: 1, HEAD_OFFICE: 3},
    )
)
register(
    Place(
        "revisit_rate",
        _("Revisit rate"),
        "classification:revisit_rate",
        "revisit",
        "follow_up",
        50,
        roles=frozenset({HEAD, HEAD_OFFICE}),
    )
)
register(
    Place(
        "charts",
        _("Trends"),
        "classification:charts",
        "dashboard",
        "follow_up",
        45,
        roles=frozenset({HEAD, CHIEF, LEADER, HEAD_OFFICE}),
    )
)
