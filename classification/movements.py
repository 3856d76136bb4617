"""Large movements of key village customers (DOMAIN.md §5.5): a movement of at least head
office's threshold (500,000 yuan by default, archives.MovementRules) on a customer whose
current tier is key follow-up notifies its maintainers; the branch head sees the branch's.

The movements are archives.Movement, linked to the village customer by the import.
"""

import datetime

from django.db.models import Q

from archives import movement_rules
from archives.models import Customer, Movement
from archives.movement_models import Schedule

from .models import branches_reviewed_by
from .rules import Tier
from .services import customers_to_maintain


def key_customers_of(user):
    """The key customers whose movements the user is told of: those the user maintains,
    and, for a branch head (and head office), every key customer of their branches."""
    reviewed = branches_reviewed_by(user)
    mine = Customer.objects.filter(
        Q(pk__in=customers_to_maintain(user).values("pk"))
        | Q(village__township__branch__in=reviewed)
    )
    return Customer.objects.visible_to(user).filter(
        pk__in=mine.values("pk"), follow_up__tier=Tier.KEY_FOLLOW_UP
    )


def key_movements(user, *, start: datetime.date, end: datetime.date) -> list:
    """The key customers' movements dated start to end of at least the village threshold
    in force on their date; two queries whatever the number of rows."""
    schedule = Schedule()
    movements = (
        Movement.objects.filter(
            customer__in=key_customers_of(user).values("pk"),
            date__range=(start, end),
            amount__gte=schedule.lowest("village_from"),
        )
        .select_related("customer__village")
        .order_by("date", "-amount", "pk")
    )
    return [m for m in movements if movement_rules.village_notice(m.amount, schedule.on(m.date))]
