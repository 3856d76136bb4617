"""The corporate dashboard (DOMAIN.md §5): per branch, each section against its target.

A section is one function `(branches, today) -> rows` (one row per branch, in the order
of `branches`) plus one template include (templates/credit/includes/dashboard_<key>.html);
SECTIONS lists them. Each reads a fixed number of queries over all the branches at once,
so the page costs the same whatever the number of branches.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models import Customer, User

from . import allocation, cadences, credit_starts, movements, projects, rules
from . import project_rules as pr
from .models import CorporateCustomer, ListChange, ListState, TeamMember

WAITING = (ListState.Status.DECLARED, ListState.Status.FINANCE_CONFIRMED)


def _managers(branches) -> dict[int, list[User]]:
    """Branch id -> its active corporate managers (one query)."""
    per_branch: dict[int, list[User]] = defaultdict(list)
    memberships = (
        User.branches.through.objects.filter(
            branch__in=branches, user__corporate_manager=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__staff_no", "user__username")
    )
    for membership in memberships:
        per_branch[membership.branch_id].append(membership.user)
    return per_branch


# --- the four lists ------------------------------------------------------------------


@dataclass
class ListsRow:
    branch: object
    confirmed: dict = field(default_factory=dict)  # list -> count confirmed in force
    never_confirmed: int = 0
    awaiting: int = 0
    oldest_days: int | None = None  # the oldest declaration waiting for head office

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.confirmed.get(k.value, 0)) for k, label in rules.LIST_LABELS.items()
        ]


def lists_section(branches, today: datetime.date) -> list[ListsRow]:
    rows = {b.pk: ListsRow(branch=b) for b in branches}
    counts = (
        CorporateCustomer.objects.filter(branch__in=branches)
        .values_list("branch", "list_state__list", "list_state__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for branch_id, in_force, status, n in counts:
        row = rows[branch_id]
        if in_force:
            row.confirmed[in_force] = row.confirmed.get(in_force, 0) + n
        else:
            row.never_confirmed += n
        if status in WAITING:
            row.awaiting += n
    declared = ListChange.objects.filter(
        customer=OuterRef("customer"), step=ListChange.Step.DECLARED
    ).order_by("-at", "-pk")
    waiting = (
        ListState.objects.filter(customer__branch__in=branches, status__in=WAITING)
        .annotate(declared_at=Subquery(declared.values("at")[:1]))
        .values_list("customer__branch", "declared_at", "updated_at")
    )
    for branch_id, declared_at, updated_at in waiting:
        since = timezone.localdate(declared_at or updated_at)
        days = (today - since).days
        row = rows[branch_id]
        row.oldest_days = days if row.oldest_days is None else max(row.oldest_days, days)
    return list(rows.values())


# --- the project library and new SME credit customers --------------------------------


@dataclass
class ManagerTargets:
    manager: User
    named: int
    credit_starts: int

    @property
    def month_flagged(self) -> bool:
        return pr.month_flagged(self.named)

    @property
    def quarter_flagged(self) -> bool:
        return pr.quarter_flagged(self.credit_starts)


@dataclass
class TargetsRow:
    branch: object
    managers: list[ManagerTargets]

    @property
    def complete(self) -> int:
        return sum(not m.month_flagged for m in self.managers)

    @property
    def won_credit(self) -> int:
        return sum(not m.quarter_flagged for m in self.managers)


def targets_section(branches, today: datetime.date) -> list[TargetsRow]:
    """Managers naming ≥ 4 targets this month; new SME credit customers this quarter (≥ 1)."""
    managers = _managers(branches)
    named = projects.named_per_manager(branches, today)
    starts = credit_starts.starts_per_manager(branches, today)
    return [
        TargetsRow(
            branch=b,
            managers=[
                ManagerTargets(m, named.get(m.pk, 0), starts.get(m.pk, 0))
                for m in managers.get(b.pk, [])
            ],
        )
        for b in branches
    ]


# --- loads ---------------------------------------------------------------------------


@dataclass
class LoadsRow:
    branch: object
    managers: int
    over: list[tuple[User, object]]  # (manager, load) above 1


def loads_section(branches, today: datetime.date) -> list[LoadsRow]:
    """Managers over a load of 1, as credit.teams.branch_loads counts it, over all branches
    in three queries."""
    thresholds = rules.thresholds_on(today)
    managers = _managers(branches)
    ids = [m.pk for ms in managers.values() for m in ms]
    a_roles = Counter(
        dict(
            TeamMember.objects.filter(user__in=ids, role=rules.Role.A.value)
            .values_list("user")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    retail = dict(
        Customer.objects.filter(village__owners__in=ids)
        .values_list("village__owners")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    rows = []
    for b in branches:
        over = []
        for m in managers.get(b.pk, []):
            value = allocation.load(a_roles.get(m.pk, 0), retail.get(m.pk, 0), thresholds)
            if allocation.over_limit(value):
                over.append((m, value))
        rows.append(LoadsRow(branch=b, managers=len(managers.get(b.pk, [])), over=over))
    return rows


# --- cadences ------------------------------------------------------------------------


@dataclass
class CadencesRow:
    branch: object
    compliance: object  # cadence_rules.Compliance of the branch's people

    @property
    def met(self) -> bool | None:
        """The target: every obligation of the last complete period met."""
        c = self.compliance
        return None if not c.obligations else c.last_met == c.obligations


def cadences_section(branches, today: datetime.date) -> list[CadencesRow]:
    """§5.4's cadences: the share of (customer, cadence) obligations met per branch."""
    by_branch = cadences.cadence_compliance(branches, today)
    return [CadencesRow(b, by_branch[b.pk].total) for b in branches]


# --- large movements followed up ------------------------------------------------------


@dataclass
class MovementsRow:
    branch: object
    needed: int  # cross-bank outflows this month that need a follow-up (DOMAIN.md §5.5)
    recorded: int
    overdue: int

    @property
    def met(self) -> bool:
        """The target: every follow-up recorded (none needed counts as met)."""
        return self.recorded == self.needed


def movements_section(branches, today: datetime.date) -> list[MovementsRow]:
    """This month's large cross-bank outflows followed up, against every one of them."""
    counts = movements.movement_followups(branches, today.replace(day=1), today, today)
    return [MovementsRow(b, *counts.get(b.pk, (0, 0, 0))) for b in branches]


@dataclass(frozen=True)
class Section:
    key: str  # the include is templates/credit/includes/dashboard_<key>.html
    title: object
    rows: object  # (branches, today) -> list of rows, one per branch


SECTIONS = (
    Section("lists", _("The four lists and head office's queue"), lists_section),
    Section("targets", _("Project library and new SME credit customers"), targets_section),
    Section("loads", _("Managers' loads"), loads_section),
    Section("cadences", _("Service cadences met"), cadences_section),
    Section("movements", _("Large outflows followed up this month"), movements_section),
)


def dashboard(branches, today: datetime.date) -> list[tuple[Section, list]]:
    branches = list(branches)
    return [(section, section.rows(branches, today)) for section in SECTIONS]
