"""Contacts, visits and their cadences (DOMAIN.md §5.4), read and written set-based.

Who may log: a customer's team, and the head and deputy head of its branch; head office
reads. `obligations_for` gives each person's (customer, cadence) obligations on a day,
from the cadence book in force; `cadence_compliance(branches, today)` is what the
corporate dashboard calls. The project library's targets (visited ≥ 2 a month) are its
open entries with an existing customer (credit.projects.visit_targets).
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from archives.models import Branch, Role, User

from . import cadence_rules as cr
from . import projects, rules
from .models import Activity, CadenceBook, CorporateCustomer, ListState, TeamMember
from .models.archive import BRANCH_ROLES, HEAD_OFFICE_ROLES

RECENT = 50
WHO_OF_ROLE = {Role.BRANCH_HEAD: cr.Who.BRANCH_HEAD, Role.DEPUTY_HEAD: cr.Who.DEPUTY_HEAD}


def may_log(user) -> bool:
    """Whether the user logs contacts, visits and a work diary (not head office)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.corporate_manager or user.role in BRANCH_ROLES)
    )


def who_of(user) -> cr.Who | None:
    if user.role in WHO_OF_ROLE:
        return WHO_OF_ROLE[user.role]
    return cr.Who.MANAGER if user.corporate_manager else None


def loggable_customers(user):
    """The customers the user may log an activity for: their scope, not head office's."""
    if not may_log(user):
        return CorporateCustomer.objects.none()
    return CorporateCustomer.objects.visible_to(user)


def participant_choices(user):
    """Who may be named as taking part: the corporate people of the user's branches and
    head office's corporate departments (a joint visit)."""
    corporate = Q(corporate_manager=True) | Q(role__in=BRANCH_ROLES)
    return (
        User.objects.filter(is_active=True)
        .filter((corporate & Q(branches__in=user.branches.all())) | Q(role__in=HEAD_OFFICE_ROLES))
        .distinct()
        .order_by("role", "staff_no", "username")
    )


def log_activity(user, *, kind, day, participants, customers, notes, plan, next_step) -> Activity:
    """One activity with its participants (the user always among them) and customers."""
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind, day=day, notes=notes, plan=plan, next_step=next_step, logged_by=user
        )
        activity.participants.set({user.pk, *(p.pk for p in participants)})
        activity.customers.set(customers)
    return activity


def recent_of(user):
    """The user's own recent activities, newest first."""
    return (
        Activity.objects.filter(participants=user)
        .prefetch_related("customers", "participants")
        .order_by("-day", "-pk")[:RECENT]
    )


def of_customer(customer):
    return (
        Activity.objects.filter(customers=customer)
        .prefetch_related("participants")
        .order_by("-day", "-pk")[:RECENT]
    )


# --- obligations -------------------------------------------------------------------------


def cadences_on(today: datetime.date) -> list[cr.Cadence]:
    """The cadences of the book in force; §5.4's own table before any book (as a Rulebook
    falls back to its defaults)."""
    book = CadenceBook.objects.in_force(today)
    if book is not None:
        return book.rules()
    return [
        cr.Cadence(key=f"default-{n}", who=w, kind=k, targets=t, count=c, period=p)
        for n, (w, k, t, c, p) in enumerate(cr.TABLE)
    ]


def _customer_sets(branch_ids: set[int]):
    """Per branch, the customers in each target set (leaders'), and each manager's A customers."""
    lists = dict(
        ListState.objects.filter(customer__branch__in=branch_ids).values_list("customer", "list")
    )
    by_branch: dict[int, dict[cr.Targets, set[int]]] = {
        b: {t: set() for t in cr.Targets} for b in branch_ids
    }
    rows = CorporateCustomer.objects.filter(branch__in=branch_ids).values_list(
        "pk", "branch", "bank_shareholder", "government_related_group", "head_to_head_agreement"
    )
    for pk, branch_id, shareholder, government, head_to_head in rows:
        sets = by_branch[branch_id]
        sets[cr.Targets.MANAGED].add(pk)
        kind = lists.get(pk)
        if kind in (rules.CreditList.STRATEGIC, rules.CreditList.QUALITY):
            sets[cr.Targets.IMPORTANT].add(pk)
        if kind == rules.CreditList.STRATEGIC:
            special = shareholder or government or head_to_head
            sets[cr.Targets.STRATEGIC_SPECIAL if special else cr.Targets.STRATEGIC].add(pk)
    return by_branch


def people_of(
    users: Iterable[User],
    project_targets: Mapping[int, Iterable[int]] | None = None,
    today: datetime.date | None = None,
):
    """The rules' Person of each user bound by cadences (users with `branch_ids` set).

    `project_targets` (user id -> customer ids) defaults to the project library's open
    targets of those users (credit.projects.visit_targets).
    """
    users = [u for u in users if who_of(u) is not None]
    if project_targets is None:
        project_targets = projects.visit_targets((u.pk for u in users), today) if today else {}
    branch_ids = {b for u in users for b in u.branch_ids}
    sets = _customer_sets(branch_ids)
    managed = {}
    for user_id, customer_id in TeamMember.objects.filter(
        user__in=[u.pk for u in users], role=rules.Role.A
    ).values_list("user", "customer"):
        managed.setdefault(user_id, set()).add(customer_id)
    people = []
    for user in users:
        who = who_of(user)
        customers: dict[cr.Targets, frozenset[int]] = {}
        if who == cr.Who.MANAGER:
            customers[cr.Targets.MANAGED] = frozenset(managed.get(user.pk, ()))
        else:
            for target in cr.Targets:
                customers[target] = frozenset(pk for b in user.branch_ids for pk in sets[b][target])
        customers[cr.Targets.PROJECT_TARGETS] = frozenset(project_targets.get(user.pk, ()))
        people.append(cr.Person(user_id=user.pk, who=who, customers=customers))
    return people


def _acts(user_ids, start: datetime.date, end: datetime.date) -> list[cr.Act]:
    """The activities of the users in [start, end]: three queries whatever their number."""
    activities = Activity.objects.filter(participants__in=user_ids, day__range=(start, end))
    heads = {pk: (day, kind) for pk, day, kind in activities.values_list("pk", "day", "kind")}
    ids = set(heads)
    who: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, user_id in Activity.participants.through.objects.filter(activity__in=ids).values_list(
        "activity", "user"
    ):
        who[pk].add(user_id)
    concerned: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, customer_id in Activity.customers.through.objects.filter(activity__in=ids).values_list(
        "activity", "corporatecustomer"
    ):
        concerned[pk].add(customer_id)
    return [
        cr.Act(
            day=heads[pk][0],
            kind=cr.Kind(heads[pk][1]),
            participants=frozenset(who[pk]),
            customers=frozenset(concerned[pk]),
        )
        for pk in ids
    ]


def _with_branches(users):
    users = list(users.prefetch_related("branches"))
    for user in users:
        user.branch_ids = [b.pk for b in user.branches.all()]
    return users


def obligations_for(users, today: datetime.date, project_targets=None) -> list[cr.Obligation]:
    """Each (customer, cadence) obligation of the users (a queryset) on `today`."""
    cadences = cadences_on(today)
    people = people_of(_with_branches(users), project_targets, today)
    acts = _acts([p.user_id for p in people], cr.earliest_start(cadences, today), today)
    return cr.obligations(cadences, people, acts, today)


def bound_users(branches):
    """The active people of the branches whom cadences bind (leaders, corporate managers)."""
    return (
        User.objects.filter(is_active=True, branches__in=branches)
        .filter(Q(corporate_manager=True) | Q(role__in=BRANCH_ROLES))
        .distinct()
        .order_by("staff_no", "username")
    )


@dataclass(frozen=True)
class PersonCompliance:
    user: User
    compliance: cr.Compliance


@dataclass(frozen=True)
class BranchCompliance:
    branch: Branch
    total: cr.Compliance
    people: list[PersonCompliance]


def cadence_compliance(branches, today: datetime.date, project_targets=None):
    """dict[branch_id, BranchCompliance]: the share of (customer, cadence) obligations met in
    the last complete period and the current one, per person and for the branch."""
    branches = list(branches)
    users = _with_branches(bound_users(branches))
    by_user: dict[int, list[cr.Obligation]] = {}
    cadences = cadences_on(today)
    people = people_of(users, project_targets, today)
    acts = _acts([p.user_id for p in people], cr.earliest_start(cadences, today), today)
    for o in cr.obligations(cadences, people, acts, today):
        by_user.setdefault(o.user_id, []).append(o)
    out = {}
    for branch in branches:
        members = [u for u in users if branch.pk in u.branch_ids and who_of(u) is not None]
        rows = [PersonCompliance(u, cr.compliance(by_user.get(u.pk, ()))) for u in members]
        total = cr.compliance(o for u in members for o in by_user.get(u.pk, ()))
        out[branch.pk] = BranchCompliance(branch=branch, total=total, people=rows)
    return out
