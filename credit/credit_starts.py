"""New SME credit customers (DOMAIN.md §5.2, §5.4): recorded at the list run.

"A potential customer whose credit starts is re-evaluated at the next run and counts
as a new SME credit customer of its A manager that quarter." At a run, a customer that
now has credit (exposure above 0 or a credit line) and was potential (its list in force,
or the previous run's proposal) or had no credit (the previous run left it on no list
with figures showing an exposure of exactly 0) gets a CreditStart dated the run's day,
for its A manager then. **Decision**: once per customer (a unique constraint), so a second run, or
a customer that later loses and regains credit, counts nothing more.
"""

import datetime

from django.db.models import OuterRef, Subquery

from . import project_rules as pr
from . import rules
from .facts import latest_figures
from .models import (
    CorporateCustomer,
    CreditStart,
    ListProposal,
    ListRun,
    ListState,
    TeamMember,
)

POTENTIAL = rules.CreditList.POTENTIAL.value
UNLISTED = rules.CreditList.UNLISTED.value


def has_credit(facts: rules.CustomerFacts) -> bool:
    return (facts.exposure or rules.ZERO) > rules.ZERO or facts.has_credit_line


def record_credit_starts(
    *, branch, facts: dict[int, rules.CustomerFacts], today: datetime.date
) -> list[CreditStart]:
    """Record the branch's customers whose credit started since the previous run.

    Call before the run's own proposals are written: the previous run's are read.
    """
    # A fixed number of queries over the branch, whatever the number of customers.
    with_credit = {pk for pk, f in facts.items() if has_credit(f)}
    customers = CorporateCustomer.objects.filter(branch=branch)
    latest = ListProposal.objects.filter(customer=OuterRef("customer")).order_by(
        "-run__run_at", "-run_id"
    )
    previous = dict(
        ListProposal.objects.filter(
            customer__in=customers, pk=Subquery(latest.values("pk")[:1])
        ).values_list("customer_id", "list")
    )
    was_without = {pk for pk, value in previous.items() if value == POTENTIAL}
    was_without |= set(
        ListState.objects.filter(customer__in=customers, list=POTENTIAL).values_list(
            "customer_id", flat=True
        )
    )
    last_run = ListRun.objects.filter(branch=branch).order_by("-run_at", "-pk").first()
    before = latest_figures(customers, last_run.run_on if last_run else today)
    was_without |= {
        pk
        for pk, value in previous.items()
        if value == UNLISTED
        and pk in before
        and before[pk].exposure is not None
        and before[pk].exposure == rules.ZERO
    }
    counted = set(
        CreditStart.objects.filter(customer__in=customers).values_list("customer_id", flat=True)
    )
    a_managers = dict(
        TeamMember.objects.filter(customer__in=customers, role=rules.Role.A.value).values_list(
            "customer_id", "user_id"
        )
    )
    starting = (with_credit & was_without) - counted
    if not starting:
        return []
    starts = [
        CreditStart(customer_id=pk, manager_id=a_managers.get(pk), branch=branch, started_on=today)
        for pk in sorted(starting)
    ]
    # A run racing another meets the constraint and counts nothing twice.
    return CreditStart.objects.bulk_create(starts, ignore_conflicts=True)


def starts_per_manager(branches, on: datetime.date) -> dict[int | None, int]:
    """Manager id -> new SME credit customers in the quarter of `on` (one query)."""
    start = pr.quarter_of(on)
    days = CreditStart.objects.filter(
        branch__in=branches, started_on__range=(start, pr.quarter_end(on))
    ).values_list("manager_id", "started_on")
    return pr.credit_starts_per_quarter(days, start)
