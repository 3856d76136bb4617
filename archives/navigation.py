"""Each role's places, defined once: the phone's tab bar, the 更多 page and the desktop menu.

A registry like jobs' registry of kinds: every app registers its places from its own
`navigation` module (archives' AppConfig autodiscovers them), so the ground floor never
names a page of a higher one. A place says who has it (`roles`, and `when` for a flag
such as the corporate account manager's), the group it sits in on the 更多 page and in
the desktop menu, and for which roles it is a main place (`tabs`: role -> position in
the tab bar). The menus read only the user's role and flags: no query.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# The role a user's menus are built for: a superuser is head office.
HEAD_OFFICE = Role.HEAD_OFFICE.value
VILLAGE_ROLES = frozenset(
    {
        Role.ACCOUNT_MANAGER.value,
        Role.BRANCH_HEAD.value,
        Role.SECTION_CHIEF.value,
        Role.LEADER.value,
        HEAD_OFFICE,
    }
)
CORPORATE_ONLY = frozenset(
    {Role.DEPUTY_HEAD.value, Role.CORPORATE_FINANCE.value, Role.CREDIT_MANAGEMENT.value}
)
EVERY_ROLE = VILLAGE_ROLES | CORPORATE_ONLY
MAX_TABS = 3  # between 今日 and 更多: five tabs fit a 390 px phone with room to tap


def role_of(user) -> str:
    return HEAD_OFFICE if user.is_superuser else user.role


# Icons: 24×24 outline paths drawn with currentColor (static/css/app.css sets the stroke),
# inline in the page, so no icon font or extra request.
ICONS = {
    "today": "M4 11l8-7 8 7v9H4zM10 20v-6h4v6",
    "field_day": "M5 4h14v16H5zM9 2v4M15 2v4M5 9h14M9 14l2 2 4-4",
    "customers": "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 12 0v1M16 3a4 4 0 0 1 0 8"
    "M22 21v-1a6 6 0 0 0-4-5.6",
    "revisit": "M4 12a8 8 0 0 1 14-5.3M20 4v5h-5M20 12a8 8 0 0 1-14 5.3M4 20v-5h5",
    "village": "M3 21h18M5 21V10l7-5 7 5v11M9 21v-6h6v6",
    "weeks": "M4 6h16M4 12h16M4 18h10",
    "dashboard": "M4 20V10M10 20V4M16 20v-7M22 20H2",
    "review": "M9 11l3 3 8-8M20 12v7a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h11",
    "months": "M4 5h16v15H4zM4 10h16M8 3v4M16 3v4M8 14h3v3H8z",
    "contact": "M4 5h16v11H8l-4 4zM8 9h8M8 12h5",
    "ledger": "M6 3h12v18H6zM9 7h6M9 11h6M9 15h4",
    "statement": "M12 2v20M17 6H9.5a3.5 3.5 0 0 0 0 7h5a3.5 3.5 0 0 1 0 7H6",
    "import": "M12 3v12M7 10l5 5 5-5M4 21h16",
    "lock": "M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4",
    "settings": "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M2 12h3M19 12h3"
    "M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1",
    "credit": "M3 21h18M4 10h16M12 3l8 5H4zM6 10v8M10 10v8M14 10v8M18 10v8",
    "more": "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z",
}


@dataclass(frozen=True)
class Group:
    key: str
    label: Any  # a lazy translation
    order: int


GROUPS = {
    g.key: g
    for g in (
        Group("field", _("Village work"), 10),
        Group("follow_up", _("Classification and follow-up"), 20),
        Group("assessment", _("Assessment"), 30),
        Group("corporate", _("Corporate credit"), 40),
        Group("data", _("Imports and records"), 50),
    )
}


@dataclass(frozen=True)
class Place:
    key: str
    label: Any  # a lazy translation: the 更多 page and the desktop menu
    url_name: str
    icon: str
    group: str
    order: int
    roles: frozenset = EVERY_ROLE
    tabs: dict = field(default_factory=dict)  # role -> position in the tab bar (1 first)
    short_label: Any = None  # the tab's label, where the full one is too long
    when: Callable[[Any], bool] | None = None  # a further condition on the user

    def shown_to(self, user) -> bool:
        return role_of(user) in self.roles and (self.when is None or self.when(user))

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def tab_label(self):
        return self.short_label or self.label

    @property
    def icon_path(self) -> str:
        return ICONS[self.icon]


_PLACES: dict[str, Place] = {}


def register(place: Place) -> Place:
    if place.icon not in ICONS or place.group not in GROUPS:
        raise ValueError(f"Place {place.key!r}: unknown icon or group.")
    _PLACES[place.key] = place
    return place


TODAY = Place(
    "today", _("Today"), "home", "today", "field", 0, roles=VILLAGE_ROLES, short_label=_("Today")
)
MORE = Place("more", _("More"), "archives:more", "more", "field", 999)


@dataclass
class Menu:
    """What one user's menus show: the tabs, the desktop's main links and the rest by group."""

    tabs: list[Place]  # the tab bar, 今日 first and 更多 last
    main: list[Place]  # the desktop menu's own links
    groups: list[tuple[Group, list[Place]]]  # the rest by group: 更多 and the desktop's dropdowns
    current: str  # the key of the place the page belongs to

    @property
    def current_tab(self) -> str:
        """The tab to highlight: the page's own, else 更多 for a place listed there."""
        if any(p.key == self.current for p in self.tabs):
            return self.current
        return MORE.key if self.current else ""

    @property
    def current_group(self) -> str:
        return next(
            (g.key for g, places in self.groups if any(p.key == self.current for p in places)), ""
        )


def menu_for(user, path: str = "") -> Menu:
    role = role_of(user)
    mine = sorted(
        (p for p in _PLACES.values() if p.shown_to(user)),
        key=lambda p: (GROUPS[p.group].order, p.order),
    )
    main = sorted((p for p in mine if role in p.tabs), key=lambda p: p.tabs[role])[:MAX_TABS]
    first = [TODAY] if TODAY.shown_to(user) else []
    rest = [p for p in mine if p not in main]
    return Menu(
        tabs=[*first, *main, MORE],
        main=[*first, *main],
        groups=_grouped(rest),
        current=_current([*first, *mine, MORE], path),
    )


def _grouped(places) -> list[tuple[Group, list[Place]]]:
    groups: dict[str, list[Place]] = {}
    for place in places:
        groups.setdefault(place.group, []).append(place)
    return [(GROUPS[key], items) for key, items in groups.items()]


def _current(places, path: str) -> str:
    """The place whose address is the longest start of the page's (今日 only for itself)."""
    best, length = "", 0
    for place in places:
        url = place.url
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > length:
            best, length = place.key, len(url)
    return best


# The archive's own places.
MANAGER, HEAD = Role.ACCOUNT_MANAGER.value, Role.BRANCH_HEAD.value
register(
    Place(
        "villages",
        _("Villages"),
        "archives:villages",
        "village",
        "field",
        10,
        roles=VILLAGE_ROLES,
    )
)
register(
    Place(
        "customers",
        _("Customers"),
        "archives:customers",
        "customers",
        "field",
        20,
        roles=VILLAGE_ROLES,
        tabs={MANAGER: 2},
    )
)
register(
    Place(
        "survey_reviews",
        _("Surveys to review"),
        "archives:survey_reviews",
        "review",
        "field",
        30,
        roles=frozenset({HEAD, HEAD_OFFICE}),
    )
)
register(
    Place(
        "returned_surveys",
        _("Surveys returned to me"),
        "archives:returned_surveys",
        "review",
        "field",
        40,
        roles=frozenset({MANAGER, HEAD}),
    )
)
for key, label, url_name, icon, order in (
    ("import_archives", _("Import archives"), "archives:import_upload", "import", 10),
    ("import_balances", _("Import balances"), "archives:balances_import", "import", 20),
    ("access_log", _("Personal data access log"), "archives:access_log", "lock", 80),
    ("schedule", _("Scheduled work"), "jobs:schedule", "months", 85),
    ("admin", _("Administration"), "admin:index", "settings", 90),
):
    register(Place(key, label, url_name, icon, "data", order, roles=frozenset({HEAD_OFFICE})))
