"""今日 (Today): each role's home is a column of sections, what to do now, from every app.

A registry like jobs' registry of kinds: every app registers its sections from its own
`today` module (archives' AppConfig autodiscovers them), so the ground floor never names
classification or assessment. A section gives its key, its place in the column
(`order`), the roles it is for, its template and `context(user, today)`: a dict for the
template, or None when it has nothing to say. Each context runs a fixed number of
queries, whatever the number of rows (tests/archives/test_today.py pins the page's).

The places in the column, by order: 10 the work queue (revisits due, the weekly queue),
20 field days, 30 items returned to their author, 40 drafts and outbox, 50 villages;
head office: 10 field days to review, 20 months to close, 30 imports.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from jobs.models import Job

from .models import Village
from .navigation import CORPORATE_ONLY, HEAD_OFFICE, VILLAGE_ROLES, role_of

FIELD_ROLES = VILLAGE_ROLES - {HEAD_OFFICE}  # those who file in the villages themselves


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    roles: frozenset
    template: str
    context: Callable[[Any, datetime.date], dict | None]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    _SECTIONS[section.key] = section
    return section


@dataclass
class Shown:
    section: Section
    context: dict


def sections_for(user, today: datetime.date) -> list[Shown]:
    role = role_of(user)
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if role in section.roles and (context := section.context(user, today)) is not None:
            shown.append(Shown(section, context))
    return shown


def has_today(user) -> bool:
    """Corporate-only roles have no village work: their home is the corporate lists."""
    return role_of(user) not in CORPORATE_ONLY


# Items sent back to their author (退回补充, DOMAIN.md §7) ------------------------------------
# The hook for "send back": the app that returns surveys or field days registers a source
# here; the 今日 page lists what every source returns, in one section.


@dataclass(frozen=True)
class ReturnedItem:
    title: str
    url: str
    comment: str
    returned_at: datetime.datetime | None = None
    kind: Any = ""  # what it is: 调查表, 下乡日志


@dataclass(frozen=True)
class Returned:
    key: str
    items: Callable[[Any, datetime.date], list[ReturnedItem]]  # a fixed number of queries


_RETURNED: dict[str, Returned] = {}


def register_returned(source: Returned) -> Returned:
    _RETURNED[source.key] = source
    return source


def _returned(user, today):
    if not _RETURNED:  # nothing can be sent back yet: no empty section
        return None
    items = [item for source in _RETURNED.values() for item in source.items(user, today)]
    return {"items": items} if items else None  # nothing sent back: no empty section


register(
    Section(
        "returned",
        30,
        VILLAGE_ROLES,
        "archives/today/returned.html",
        _returned,
    )
)

# Drafts and the outbox: kept on the phone; the offline script fills the container.
register(Section("outbox", 40, FIELD_ROLES, "archives/today/outbox.html", lambda user, today: {}))


# The manager's villages, compact, with their coverage ----------------------------------------
VILLAGES_SHOWN = 8


def _villages(user, today):
    villages = list(
        Village.objects.visible_to(user)
        .with_coverage()
        .select_related("township")
        .order_by("township__name", "code")[: VILLAGES_SHOWN + 1]
    )
    return {
        "villages": villages[:VILLAGES_SHOWN],
        "more_villages": len(villages) > VILLAGES_SHOWN,
        "title": _("My villages"),
    }


register(
    Section(
        "villages",
        50,
        frozenset({"account_manager"}),
        "archives/today/villages.html",
        _villages,
    )
)


# Head office: the latest imports ---------------------------------------------------------------
IMPORTS_SHOWN = 5


def _imports(user, today):
    from .tasks import IMPORT_KINDS  # filled as the apps' tasks modules register imports

    jobs = list(
        Job.objects.filter(kind__in=IMPORT_KINDS)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:IMPORTS_SHOWN]
    )
    return {"jobs": jobs}


register(Section("imports", 30, frozenset({HEAD_OFFICE}), "archives/today/imports.html", _imports))


# Surveys sent back to their author for more (archives/survey_review.py).
def _returned_surveys(user, today):
    from django.urls import reverse
    from django.utils.translation import gettext

    from .survey_review import returned_to

    return [
        ReturnedItem(
            title=f"{customer.name} · {customer.village.name}",
            url=reverse("archives:customer", args=[customer.pk]),
            comment=customer.review.note,
            returned_at=customer.review.reviewed_at,
            kind=gettext("Survey"),
        )
        for customer in returned_to(user)[:10]
    ]


register_returned(Returned("surveys", _returned_surveys))
