"""A branch's service teams and its managers' loads (DOMAIN.md §5.3), read set-based.

`branch_teams` sizes each customer's team by its single (group) exposure and shows what
the team lacks; `branch_loads` counts what each corporate manager of the branch carries
(人户合一) and how far apart they are (合理分户). Each reads a fixed number of queries
whatever the number of customers and managers; the rules are credit.rules'.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from archives.models import Branch, Customer, User

from . import allocation, rules
from .facts import latest_figures
from .models import CorporateCustomer, TeamMember
from .models.archive import BRANCH_ROLES, HEAD_OFFICE_ROLES


def branches_overseen(user):
    """The branches whose teams and loads the user may see: none is a 404 by construction."""
    if not (user.is_authenticated and user.is_active):
        return Branch.objects.none()
    if user.role in HEAD_OFFICE_ROLES:
        return Branch.objects.all()
    if user.role in BRANCH_ROLES:
        return user.branches.all()
    return Branch.objects.none()


def _exposure(figures) -> Decimal | None:
    return None if figures is None else figures.exposure


# --- teams -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    """One customer: the exposure its team is sized by, the team it needs and has."""

    customer: CorporateCustomer
    own_exposure: Decimal | None  # None: no figures on record
    exposure: Decimal  # own, or the group's sum
    group_members: int  # 0: not in a group
    team: allocation.Team
    filled: tuple[tuple[str, User], ...]  # (role, manager) in role order
    gaps: tuple[rules.Role, ...]

    @property
    def incomplete(self) -> bool:
        return bool(self.gaps)

    @property
    def exposure_text(self) -> str:
        return rules.money(self.exposure)

    @property
    def plans(self) -> list[str]:
        return [str(rules.PLAN_LABELS[p]) for p in self.team.plans]


def branch_teams(branch: Branch, on: datetime.date) -> list[TeamRow]:
    """Every customer of the branch with its team: incomplete teams first, then by exposure.

    Four queries: the customers, their team members, the members of their groups (who may
    belong to other branches) and the latest figures of all of them up to `on`.
    """
    thresholds = rules.thresholds_on(on)
    kind = rules.BranchKind(branch.kind)
    of_branch = CorporateCustomer.objects.filter(branch=branch)
    customers = list(of_branch.select_related("group").order_by("pk"))
    members = TeamMember.objects.filter(customer__branch=branch).select_related("user")
    teams: dict[int, dict[str, User]] = {}
    for member in members:
        teams.setdefault(member.customer_id, {})[member.role] = member.user
    # Subqueries, not lists of ids: an empty list would skip its query and make the cost
    # of the page depend on the data.
    groups = of_branch.filter(group__isnull=False).values("group")
    in_group: dict[int, list[int]] = {}
    for pk, group_id in CorporateCustomer.objects.filter(group__in=groups).values_list(
        "pk", "group_id"
    ):
        in_group.setdefault(group_id, []).append(pk)
    figures = latest_figures(
        CorporateCustomer.objects.filter(Q(branch=branch) | Q(group__in=groups)).values("pk"), on
    )

    rows = []
    for customer in customers:
        own = _exposure(figures.get(customer.pk))
        others = None
        if customer.group_id:
            others = [
                _exposure(figures.get(pk))
                for pk in in_group[customer.group_id]
                if pk != customer.pk
            ]
        exposure = allocation.team_exposure(own, others)
        team = allocation.team_for(exposure, kind, thresholds)
        have = teams.get(customer.pk, {})
        rows.append(
            TeamRow(
                customer=customer,
                own_exposure=own,
                exposure=exposure,
                group_members=len(in_group[customer.group_id]) if customer.group_id else 0,
                team=team,
                filled=tuple((r, have[r]) for r in rules.Role if r in have),
                gaps=allocation.team_gaps(team.roles, have),
            )
        )
    rows.sort(key=lambda r: (not r.incomplete, -r.exposure, r.customer.name))
    return rows


# --- loads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRow:
    manager: User
    a_roles: int
    b_roles: int
    retail: int
    credit_total: Decimal  # the latest exposure of their A customers, summed
    load: Decimal
    over: bool

    @property
    def credit_text(self) -> str:
        return rules.money(self.credit_total)


@dataclass(frozen=True)
class Loads:
    rows: list[LoadRow]
    spread: allocation.BranchLoads

    @property
    def over(self) -> list[LoadRow]:
        return [row for row in self.rows if row.over]


def branch_loads(branch: Branch, on: datetime.date) -> Loads:
    """Each active corporate manager of the branch: A and B roles, retail customers
    maintained, load and credit total; with the spread of them across the branch.

    Four queries: the managers, their team roles, the village customers they maintain
    (those of the villages they own) and the latest figures of their A customers.
    """
    thresholds = rules.thresholds_on(on)
    corporate = User.objects.filter(branches=branch, corporate_manager=True, is_active=True)
    managers = list(corporate.order_by("staff_no", "username"))
    roles = TeamMember.objects.filter(user__in=corporate).values_list(
        "user_id", "customer_id", "role"
    )
    a_customers: dict[int, list[int]] = {m.pk: [] for m in managers}
    b_roles = dict.fromkeys(a_customers, 0)
    for user_id, customer_id, role in roles:
        if role == rules.Role.A:
            a_customers[user_id].append(customer_id)
        else:
            b_roles[user_id] += 1
    retail = dict(
        Customer.objects.filter(village__owners__in=corporate)
        .values_list("village__owners")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    a_roles = TeamMember.objects.filter(user__in=corporate, role=rules.Role.A)
    figures = latest_figures(a_roles.values("customer"), on)
    books = {
        m.pk: allocation.ManagerBook(
            corporate_a_roles=len(a_customers[m.pk]),
            retail_maintained=retail.get(m.pk, 0),
            credit_total=sum(
                (_exposure(figures.get(pk)) or rules.ZERO for pk in a_customers[m.pk]), rules.ZERO
            ),
        )
        for m in managers
    }
    spread = allocation.branch_loads(books, thresholds)
    over = set(spread.over)
    rows = [
        LoadRow(
            manager=m,
            a_roles=books[m.pk].corporate_a_roles,
            b_roles=b_roles[m.pk],
            retail=books[m.pk].retail_maintained,
            credit_total=books[m.pk].credit_total,
            load=spread.loads[m.pk],
            over=m.pk in over,
        )
        for m in managers
    ]
    return Loads(rows=rows, spread=spread)
