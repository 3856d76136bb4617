"""Monthly minimums of going down (下乡): leaders' and section chiefs' trips and households,
branch heads' field days (DOMAIN.md §1 and §4), against what their confirmed days record.

Read in three queries whatever the number of people: the people in scope with their
branches, their confirmed days of the month grouped by person, and the month's rates.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from archives.models import Branch, Role, User

from . import pricing, quota_rules
from .models import FieldDay, Month, RateVersion

QUOTA_ROLES = tuple(role.value for role in quota_rules.QUOTA_ROLES)


@dataclass
class QuotaRow:
    person: User
    quota: quota_rules.Quota

    @property
    def role_label(self):
        return Role(self.person.role).label

    @property
    def branch_names(self):
        return "、".join(b.name for b in self.person.branches.all()) or "—"


def quota_people(user):
    """Whose quotas a user may read: all for head office; a branch head their branch's
    leaders, chiefs and heads; a leader or chief their own."""
    people = User.objects.filter(is_active=True, role__in=QUOTA_ROLES)
    if not (user.is_authenticated and user.is_active):
        return people.none()
    if user.is_head_office:
        return people
    if user.role == Role.BRANCH_HEAD:
        return people.filter(branches__in=user.branches.all()).distinct()
    if user.role in (Role.LEADER, Role.SECTION_CHIEF):
        return people.filter(pk=user.pk)
    return people.none()


def month_quotas(people, first: datetime.date) -> list[QuotaRow]:
    people = list(
        people.order_by("role", "username").prefetch_related(
            Prefetch("branches", queryset=Branch.objects.order_by("code"))
        )
    )
    totals = {
        row["person"]: row
        for row in FieldDay.objects.confirmed()
        .in_month(first)
        .filter(person__in=people)
        .totals_by_person()
    }
    census = Month.objects.filter(month=first, census_phase=True).exists()
    rates = RateVersion.objects.in_force(first).table()
    rows = []
    for person in people:
        done = totals.get(person.pk, {})
        rows.append(
            QuotaRow(
                person,
                quota_rules.quota(
                    pricing.Role(person.role),
                    trips=done.get("days", 0),
                    households=done.get("households") or 0,
                    census_phase=census,
                    rates=rates,
                ),
            )
        )
    return rows


def quota_of(person, first: datetime.date) -> quota_rules.Quota | None:
    if person.role not in QUOTA_ROLES:
        return None
    rows = month_quotas(User.objects.filter(Q(pk=person.pk)), first)
    return rows[0].quota if rows else None
