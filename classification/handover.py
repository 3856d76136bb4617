"""Staff changes (人员变动): move a leaving manager's villages and maintained customers.

One transaction: the villages the leaver is in charge of in the branch pass to the
successor (the village's owner history records it, simple_history's m2m history), so
do the customers the leaver maintains there as dedicated or area manager (their duty
keeps its start date, so a revisit already overdue stays overdue), and the dedicated
manager choices. A Handover row keeps what moved, by whom and when.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from archives.models import Role, User, Village

from .models import DedicatedManager, Handover, Maintainer

MANAGER_DUTIES = (Maintainer.Duty.DEDICATED, Maintainer.Duty.AREA)


class HandoverError(Exception):
    pass


@dataclass
class Plan:
    villages: list
    maintained: int
    dedicated: int

    @property
    def empty(self):
        return not (self.villages or self.maintained or self.dedicated)


def managers_of(branch):
    return User.objects.filter(branches=branch, role=Role.ACCOUNT_MANAGER).order_by("username")


def plan(*, branch, leaving) -> Plan:
    """What a handover would move: three queries."""
    in_branch = {"customer__village__township__branch": branch}
    return Plan(
        villages=list(
            Village.objects.filter(township__branch=branch, owners=leaving).order_by("code")
        ),
        maintained=Maintainer.objects.filter(user=leaving, duty__in=MANAGER_DUTIES, **in_branch)
        .values("customer")
        .distinct()
        .count(),
        dedicated=DedicatedManager.objects.filter(user=leaving, **in_branch).count(),
    )


def hand_over(*, branch, leaving, successor, note, user, now) -> Handover:
    if leaving == successor:
        raise HandoverError(_("The successor must be someone else."))
    managers = managers_of(branch)
    if not managers.filter(pk=leaving.pk).exists():
        raise HandoverError(_("The person leaving is not an account manager of this branch."))
    if not managers.filter(pk=successor.pk, is_active=True).exists():
        raise HandoverError(_("The successor must be an active account manager of this branch."))
    in_branch = {"customer__village__township__branch": branch}
    with transaction.atomic():
        # Lock the leaver's row: two handovers of one person run one after the other.
        User.objects.select_for_update().get(pk=leaving.pk)
        villages = list(
            Village.objects.select_for_update()
            .filter(township__branch=branch, owners=leaving)
            .order_by("code")
        )
        maintained = list(
            Maintainer.objects.select_for_update().filter(
                user=leaving, duty__in=MANAGER_DUTIES, **in_branch
            )
        )
        dedicated = DedicatedManager.objects.filter(user=leaving, **in_branch)
        if not villages and not maintained and not dedicated.exists():
            raise HandoverError(
                _("%(name)s has nothing left to hand over in this branch.") % {"name": leaving}
            )
        for village in villages:
            village.owners.remove(leaving)
            village.owners.add(successor)
        held = set(
            Maintainer.objects.filter(
                user=successor, customer__in=[m.customer_id for m in maintained]
            ).values_list("customer_id", "duty")
        )
        moved_customers = set()
        for row in maintained:
            moved_customers.add(row.customer_id)
            if (row.customer_id, row.duty) in held:
                row.delete()  # the successor already holds this duty for the customer
            else:
                row.user = successor
                row.save(update_fields=["user"])
        moved_customers |= set(dedicated.values_list("customer_id", flat=True))
        dedicated.update(user=successor)
        return Handover.objects.create(
            branch=branch,
            leaving=leaving,
            successor=successor,
            villages=[[v.pk, v.name] for v in villages],
            customers=len(moved_customers),
            note=note,
            done_by=user,
            done_at=now,
        )
