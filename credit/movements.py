"""Large fund movements of corporate customers (DOMAIN.md §5.5): the morning notice
(每日通报), the follow-ups of large cross-bank outflows (稳存跟踪) and their figures.

The movements are archives.Movement, matched to corporate customers by credit code; the
thresholds are head office's archives.MovementRules in force on each movement's date,
applied by the pure rules of archives/movement_rules.py.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from archives import movement_rules
from archives.models import Movement, MovementRules
from archives.movement_models import Schedule

from .models import CorporateCustomer, MovementFollowUp, TeamMember, TeamRole
from .models.archive import BRANCH_ROLES, HEAD_OFFICE_ROLES

FOLLOW_UP_DAYS = 92  # how far back the follow-up list looks for open and recorded ones


class Refused(Exception):
    """A follow-up that cannot be recorded; the message says why, in Chinese."""


def notice_customers(user):
    """The corporate customers whose movements the user is told of: every one for head
    office's two departments, the branch's for its head and deputy, and a manager's own
    as A role (not B1/B2)."""
    customers = CorporateCustomer.objects.visible_to(user)
    if user.role in HEAD_OFFICE_ROLES or user.role in BRANCH_ROLES:
        return customers
    return customers.filter(team__user=user, team__role=TeamRole.A)


@dataclass
class Item:
    movement: Movement
    customer: CorporateCustomer
    a_manager: object  # the A role's user, or None
    needs_follow_up: bool
    due: datetime.date | None
    state: str  # recorded / open / overdue / "" (none needed)
    follow_up: MovementFollowUp | None


def _items(movements, customers, *, schedule, today, keep) -> list[Item]:
    movements = list(movements)
    if not movements:
        return []
    codes = {m.identifier for m in movements}
    by_code = {
        c.credit_code: c for c in customers.filter(credit_code__in=codes).select_related("branch")
    }
    managers = {
        t.customer_id: t.user
        for t in TeamMember.objects.filter(
            customer__in=[c.pk for c in by_code.values()], role=TeamRole.A
        ).select_related("user")
    }
    items = []
    for m in movements:
        customer = by_code.get(m.identifier)
        if customer is None:
            continue
        t = schedule.on(m.date)
        needs = movement_rules.needs_follow_up(
            direction=m.direction, cross_bank=m.cross_bank, amount=m.amount, t=t
        )
        follow_up = getattr(m, "credit_follow_up", None) if needs else None
        item = Item(
            movement=m,
            customer=customer,
            a_manager=managers.get(customer.pk),
            needs_follow_up=needs,
            due=movement_rules.follow_up_due(m.date) if needs else None,
            state=movement_rules.follow_up_state(
                m.date, recorded=follow_up is not None, today=today
            )
            if needs
            else "",
            follow_up=follow_up,
        )
        if keep(item, t):
            items.append(item)
    return items


def _movements(customers):
    return (
        Movement.objects.filter(identifier__in=customers.values("credit_code"))
        .select_related("credit_follow_up__recorded_by")
        .order_by("date", "-amount", "pk")
    )


def notice(user, *, start: datetime.date, end: datetime.date, today: datetime.date) -> list[Item]:
    """The morning notice: the user's customers' movements from start to end (inclusive)
    strictly above the notice threshold. Four queries, whatever the number of rows."""
    schedule = Schedule()
    customers = notice_customers(user)
    movements = _movements(customers).filter(
        date__range=(start, end), amount__gt=schedule.lowest("notice_above")
    )
    return _items(
        movements,
        customers,
        schedule=schedule,
        today=today,
        keep=lambda item, t: movement_rules.on_notice(item.movement.amount, t),
    )


def notice_count(user, *, today: datetime.date) -> int:
    """How many items today's notice has (for the credit home page): two queries."""
    schedule = Schedule()
    start, end = movement_rules.notice_window(today)
    amounts = Movement.objects.filter(
        identifier__in=notice_customers(user).values("credit_code"),
        date__range=(start, end),
        amount__gt=schedule.lowest("notice_above"),
    ).values_list("date", "amount")
    return sum(1 for day, amount in amounts if movement_rules.on_notice(amount, schedule.on(day)))


def follow_ups(user, *, today: datetime.date) -> list[Item]:
    """The user's customers' cross-bank outflows needing a follow-up, of the last
    FOLLOW_UP_DAYS days: overdue first, then open, then recorded."""
    schedule = Schedule()
    customers = notice_customers(user)
    movements = _movements(customers).filter(
        date__gte=today - datetime.timedelta(days=FOLLOW_UP_DAYS),
        direction=movement_rules.OUT,
        cross_bank=True,
        amount__gte=schedule.lowest("follow_up_from"),
    )
    items = _items(
        movements, customers, schedule=schedule, today=today, keep=lambda i, t: i.needs_follow_up
    )
    order = {"overdue": 0, "open": 1, "recorded": 2}
    return sorted(items, key=lambda i: (order[i.state], i.movement.date))


def may_record(user, movement) -> CorporateCustomer | None:
    """The corporate customer whose follow-up of this movement the user records (its A
    manager), when the movement needs one; else None."""
    customer = (
        CorporateCustomer.objects.filter(
            credit_code=movement.identifier, team__user=user, team__role=TeamRole.A
        )
        .select_related("branch")
        .first()
    )
    if customer is None:
        return None
    t = MovementRules.objects.in_force(movement.date).thresholds
    if not movement_rules.needs_follow_up(
        direction=movement.direction, cross_bank=movement.cross_bank, amount=movement.amount, t=t
    ):
        return None
    return customer


def record_follow_up(*, movement_pk, user, learnt, action, funds_back, now):
    """Record the A manager's follow-up once; a second submit keeps the first (returns
    (follow-up, False)). Locks the movement so two submits cannot both write."""
    with transaction.atomic():
        movement = Movement.objects.select_for_update().get(pk=movement_pk)
        customer = may_record(user, movement)
        if customer is None:
            raise Refused(_("Only the customer's A manager records this follow-up."))
        existing = MovementFollowUp.objects.filter(movement=movement).first()
        if existing is not None:
            return existing, False
        follow_up = MovementFollowUp.objects.create(
            movement=movement,
            customer=customer,
            learnt=learnt,
            action=action,
            funds_back=funds_back,
            recorded_by=user,
            recorded_at=now,
        )
        return follow_up, True


def movement_followups(branches, start: datetime.date, end: datetime.date, today: datetime.date):
    """For the corporate dashboard: per branch id, (needed, recorded, overdue) follow-ups of
    the movements dated start to end (inclusive) of the branches' corporate customers."""
    schedule = Schedule()
    customers = CorporateCustomer.objects.filter(branch__in=branches)
    movements = _movements(customers).filter(
        date__range=(start, end),
        direction=movement_rules.OUT,
        cross_bank=True,
        amount__gte=schedule.lowest("follow_up_from"),
    )
    items = _items(
        movements, customers, schedule=schedule, today=today, keep=lambda i, t: i.needs_follow_up
    )
    result = {}
    for item in items:
        needed, recorded, overdue = result.get(item.customer.branch_id, (0, 0, 0))
        result[item.customer.branch_id] = (
            needed + 1,
            recorded + (item.state == "recorded"),
            overdue + (item.state == "overdue"),
        )
    return result
