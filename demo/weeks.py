"""The demo's weekly history: confirmed weeks with the revisits made in each, this week proposed.

`seed_demo --weeks N` confirms the N weeks before the reference date, branch by branch,
through the same services a branch head uses (run, confirm, maintainers reassigned), and
after each confirmation writes the week's revisits: most ranked customers are visited by
one of their maintainers, and a few of the rest by their village's account manager. The
visits are written in bulk, so each week's last visits are set on the follow-up rows
the same way (a visit recorded through the page does this one by one).
"""

import datetime
import random
from collections import defaultdict

from archives.models import Branch, Customer, Role, User, Village
from classification import services
from classification.models import FollowUp, Maintainer, Visit

RANKED_VISITED = 0.6  # share of ranked customers visited by a maintainer in a week
AREA_VISITED = 0.015  # share of the other customers visited by their area manager
LEARNT = ("了解生产经营情况", "回访存款到期安排", "介绍福e贷", "核实家庭成员变化", "收集贷款需求")


def seed(*, rng: random.Random, weeks: int, reference: datetime.date, at) -> dict:
    """Confirm `weeks` weeks up to the one before `reference`, then propose this week."""
    last_monday = services.week_start_of(reference)
    this_monday = last_monday + datetime.timedelta(days=7)
    mondays = [last_monday - datetime.timedelta(days=7 * k) for k in reversed(range(weeks))]
    branches = list(Branch.objects.order_by("code"))
    heads = {}
    for head in (
        User.objects.filter(role=Role.BRANCH_HEAD).order_by("pk").prefetch_related("branches")
    ):
        for branch in head.branches.all():
            heads.setdefault(branch.pk, head)
    area = _area_managers()
    customers = _customers_by_branch()
    counts = {"weeks": 0, "visits": 0}
    for monday in mondays:
        for branch in branches:
            week = services.run_week(branch=branch, today=monday, now=at(monday, 9))
            counts["weeks"] += 1
            head = heads.get(branch.pk)
            if head is None:
                continue
            tuesday = monday + datetime.timedelta(days=1)
            services.confirm_week(week=week, user=head, today=monday, now=at(tuesday, 10))
            counts["visits"] += _visit(
                rng, monday, reference, customers.get(branch.pk, ()), area, branch
            )
    for branch in branches:
        services.run_week(branch=branch, today=this_monday, now=at(this_monday, 9))
        counts["weeks"] += 1
    return counts


def _area_managers() -> dict[int, list[int]]:
    owners = defaultdict(list)
    for village_id, user_id in Village.owners.through.objects.order_by("user_id").values_list(
        "village_id", "user_id"
    ):
        owners[village_id].append(user_id)
    return owners


def _customers_by_branch() -> dict[int, list[tuple[int, int, datetime.date]]]:
    out = defaultdict(list)
    rows = Customer.objects.order_by("pk").values_list(
        "village__township__branch_id", "pk", "village_id", "archived_on"
    )
    for branch_id, pk, village_id, archived_on in rows.iterator(chunk_size=5000):
        out[branch_id].append((pk, village_id, archived_on))
    return out


def _visit(rng, monday, reference, customers, area, branch) -> int:
    """The week's revisits after its confirmation (Tuesday to Saturday, never after the
    reference date nor before the customer was filed); returns how many."""
    first = monday + datetime.timedelta(days=1)
    last = min(monday + datetime.timedelta(days=5), reference)
    if last < first:
        return 0
    span = (last - first).days + 1
    maintainers = defaultdict(list)
    for customer_id, user_id in Maintainer.objects.filter(
        customer__village__township__branch=branch
    ).values_list("customer_id", "user_id"):
        maintainers[customer_id].append(user_id)
    visits = []
    for pk, village_id, archived_on in customers:
        if pk in maintainers:
            if rng.random() >= RANKED_VISITED:
                continue
            visitor = rng.choice(maintainers[pk])
        elif rng.random() < AREA_VISITED and area.get(village_id):
            visitor = rng.choice(area[village_id])
        else:
            continue
        day = first + datetime.timedelta(days=rng.randrange(span))
        if day < archived_on:
            continue
        visits.append(
            Visit(customer_id=pk, visited_on=day, visitor_id=visitor, learnt=rng.choice(LEARNT))
        )
    Visit.objects.bulk_create(visits, batch_size=2000)
    latest = {}
    for visit in visits:  # one week, after every earlier one: these are the last visits
        latest[visit.customer_id] = max(visit.visited_on, latest.get(visit.customer_id, first))
    FollowUp.objects.bulk_create(
        [FollowUp(customer_id=pk, last_visit=day) for pk, day in latest.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=["last_visit"],
    )
    return len(visits)
