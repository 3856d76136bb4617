"""Assessment's places in each role's menus (archives/navigation.py)."""

from django.utils.translation import gettext_lazy as _

from archives.models import Role
from archives.navigation import HEAD_OFFICE, VILLAGE_ROLES, Place, register

MANAGER, HEAD = Role.ACCOUNT_MANAGER.value, Role.BRANCH_HEAD.value
CHIEF, LEADER = Role.SECTION_CHIEF.value, Role.LEADER.value
HEAD_OFFICE_ONLY = frozenset({HEAD_OFFICE})

# 下乡日志, the daily task: a tab for everyone who goes to the villages.
register(
    Place(
        "field_days",
        _("Field days"),
        "assessment:field_days",
        "field_day",
        "field",
        5,
        roles=VILLAGE_ROLES,
        tabs={MANAGER: 1, HEAD: 3, CHIEF: 2, LEADER: 2, HEAD_OFFICE: 2},
    )
)
register(
    Place(
        "review",
        _("Field day review"),
        "assessment:review",
        "review",
        "assessment",
        10,
        roles=frozenset({HEAD_OFFICE, HEAD}),
        tabs={HEAD_OFFICE: 1},
    )
)
register(
    Place(
        "months",
        _("Assessment months"),
        "assessment:months",
        "months",
        "assessment",
        20,
        roles=HEAD_OFFICE_ONLY,
    )
)
register(
    Place(
        "ledger",
        _("Marketing ledger"),
        "assessment:ledger",
        "ledger",
        "assessment",
        30,
        roles=HEAD_OFFICE_ONLY,
    )
)
register(
    Place(
        "my_ledger",
        _("My marketing ledger"),
        "assessment:my_ledger",
        "ledger",
        "assessment",
        30,
        roles=VILLAGE_ROLES - HEAD_OFFICE_ONLY,
    )
)
register(
    Place(
        "my_statements",
        _("My statements"),
        "assessment:my_statements",
        "statement",
        "assessment",
        40,
        roles=VILLAGE_ROLES,
    )
)
register(
    Place(
        "quotas",
        _("Going down: monthly minimums"),
        "assessment:my_quotas",
        "months",
        "assessment",
        50,
        roles=frozenset(
            {Role.BRANCH_HEAD.value, Role.SECTION_CHIEF.value, Role.LEADER.value, HEAD_OFFICE}
        ),
    )
)
