"""Writes and reads of the project library (项目库, DOMAIN.md §5.4).

Each write is one function in one transaction, locking the entry it changes. A move
carries the stage the page showed: if someone moved the entry meanwhile (or the same
form is sent twice) the move is refused in Chinese, saying what the stage is now, and
nothing is written.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from archives import unique
from archives.identity import validate_credit_code
from archives.models import User

from . import project_rules as pr
from .models import Activity, CorporateCustomer, ProjectEntry, StageChange

MAX_PRODUCTS = 10


class ProjectRefused(Exception):
    """The entry or the move cannot be saved as sent; nothing was written."""


def _already_named() -> str:
    return _("You have already named this target this month.")


def stage_label(value: str) -> str:
    return str(pr.STAGE_LABELS[pr.Stage(value)])


def managers_of(branch):
    return User.objects.filter(branches=branch, corporate_manager=True, is_active=True)


def _clean_products(products) -> list[str]:
    cleaned = []
    for product in products:
        product = (product or "").strip()
        if product and product not in cleaned:
            cleaned.append(product[:40])
    if not cleaned:
        raise ProjectRefused(_("Name at least one product aimed at."))
    if len(cleaned) > MAX_PRODUCTS:
        raise ProjectRefused(_("Name at most 10 products."))
    return cleaned


@transaction.atomic
def name_target(
    *,
    user,
    customer: CorporateCustomer | None,
    prospect_name: str = "",
    prospect_credit_code: str = "",
    products,
    next_step: str = "",
    next_step_due: datetime.date | None = None,
    today: datetime.date,
    now: datetime.datetime,
) -> ProjectEntry:
    """A corporate manager names a target for this month: a customer of theirs or a prospect."""
    if not user.corporate_manager:
        raise ProjectRefused(_("Only a corporate account manager names targets."))
    branch = user.branches.order_by("pk").first()
    if branch is None:
        raise ProjectRefused(_("You belong to no branch; ask head office to set one."))
    prospect_name = (prospect_name or "").strip()
    code = (prospect_credit_code or "").strip()
    if customer is None and not prospect_name:
        raise ProjectRefused(_("Choose one of your customers or write the prospect's name."))
    if customer is not None and (prospect_name or code):
        raise ProjectRefused(_("Choose a customer or write a prospect, not both."))
    if customer is not None:
        if not CorporateCustomer.objects.visible_to(user).filter(pk=customer.pk).exists():
            raise ProjectRefused(_("This customer is not one of yours."))
        branch = customer.branch
    if code:
        try:
            code = validate_credit_code(code)
        except ValidationError as error:
            raise ProjectRefused(error.messages[0]) from None
    if len(prospect_name) > 100:
        raise ProjectRefused(_("Keep the prospect's name to 100 characters."))
    next_step = (next_step or "").strip()
    if len(next_step) > 200:
        raise ProjectRefused(_("Keep the next step to 200 characters."))
    if next_step_due is not None and next_step_due < today:
        raise ProjectRefused(_("The next step's deadline cannot be in the past."))
    month = pr.month_of(today)
    named = ProjectEntry.objects.filter(manager=user, month=month)
    named = (
        named.filter(customer=customer)
        if customer
        else named.filter(customer=None, prospect_name=prospect_name)
    )
    if named.exists():
        raise ProjectRefused(_already_named())
    entry = ProjectEntry(
        branch=branch,
        manager=user,
        month=month,
        customer=customer,
        prospect_name=prospect_name,
        prospect_credit_code=code,
        products=_clean_products(products),
        next_step=next_step,
        next_step_due=next_step_due,
        created_at=now,
        updated_at=now,
    )
    try:
        with unique.violations(ProjectEntry):
            entry.save()
    except unique.Violation:
        # The same form sent twice at once: the first named it.
        raise ProjectRefused(_already_named()) from None
    return entry


@transaction.atomic
def move_stage(
    *,
    entry: ProjectEntry,
    user,
    to_stage: str,
    shown_stage: str,
    note: str = "",
    next_step: str | None = None,
    next_step_due: datetime.date | None = None,
    today: datetime.date,
    now: datetime.datetime,
) -> ProjectEntry:
    """The entry's manager moves its stage (forward, or to lost), with the next step."""
    entry = ProjectEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.manager_id != user.pk:
        raise ProjectRefused(_("Only the manager who named the target moves its stage."))
    if entry.stage != shown_stage:
        raise ProjectRefused(
            _(
                "This entry moved since you opened the page: its stage is now %(now)s "
                "(you saw %(shown)s). Nothing was saved; look at it again."
            )
            % {"now": stage_label(entry.stage), "shown": stage_label(shown_stage)}
        )
    if to_stage not in pr.Stage.__members__.values() or not pr.may_move(entry.stage, to_stage):
        raise ProjectRefused(
            _("A stage moves forward only; won and lost are final; lost comes from an open stage.")
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ProjectRefused(_("Keep the note to 300 characters."))
    if next_step is not None:
        next_step = next_step.strip()
        if len(next_step) > 200:
            raise ProjectRefused(_("Keep the next step to 200 characters."))
        if next_step_due is not None and next_step_due < today:
            raise ProjectRefused(_("The next step's deadline cannot be in the past."))
        entry.next_step, entry.next_step_due = next_step, next_step_due
    StageChange.objects.create(
        entry=entry, from_stage=entry.stage, to_stage=to_stage, note=note, by=user, at=now
    )
    entry.stage, entry.updated_at = to_stage, now
    entry.save()
    return entry


def with_history(entries):
    return entries.select_related("manager", "customer", "branch").prefetch_related(
        Prefetch("changes", queryset=StageChange.objects.select_related("by").order_by("at", "pk"))
    )


def visit_targets(user_ids, today: datetime.date) -> dict[int, set[int]]:
    """Manager id -> the existing customers they target in the library (DOMAIN.md §5.4: each
    visited ≥ 2 a month): entries still open (contacted, proposal, approval) named before
    this month, so a target is owed its visits from the month after it was named and a
    new one is never overdue at once; a prospect has no customer record to visit yet.
    One query."""
    targets: dict[int, set[int]] = {}
    for manager, customer in ProjectEntry.objects.filter(
        manager__in=list(user_ids),
        month__lt=today.replace(day=1),
        customer__isnull=False,
        stage__in=[s.value for s in pr.OPEN_STAGES],
    ).values_list("manager", "customer"):
        targets.setdefault(manager, set()).add(customer)
    return targets


def named_per_manager(branches, month: datetime.date) -> dict[int, int]:
    """Manager id -> entries named in `month`, over `branches` (one query)."""
    return dict(
        ProjectEntry.objects.filter(branch__in=branches, month=pr.month_of(month))
        .values_list("manager")
        .annotate(n=Count("pk"))
        .order_by()
    )


# --- the weekly progress meeting ---------------------------------------------------


@dataclass
class MeetingRow:
    manager: User
    named_this_week: list = field(default_factory=list)
    moved: list = field(default_factory=list)  # StageChange, with .entry
    late: list = field(default_factory=list)
    month_named: int = 0
    contacts: list = field(default_factory=list)  # Activity of the week they took part in

    @property
    def month_flagged(self) -> bool:
        return pr.month_flagged(self.month_named)


def meeting_rows(branch, *, year: int, week: int, today: datetime.date) -> list[MeetingRow]:
    """Per manager of the branch: entries named in the week, stage changes in the week
    (since the previous weekly meeting), entries late on their next step, and the count
    named in the week's month against 4. Four queries whatever the number of rows."""
    monday, sunday = pr.iso_week_bounds(year, week)
    month = pr.month_of(min(today, sunday))
    rows = {m.pk: MeetingRow(manager=m) for m in managers_of(branch).order_by("staff_no", "pk")}
    entries = ProjectEntry.objects.filter(branch=branch).select_related("customer", "manager")
    for entry in entries.filter(created_at__date__range=(monday, sunday)).order_by("created_at"):
        rows.setdefault(entry.manager_id, MeetingRow(manager=entry.manager))
        rows[entry.manager_id].named_this_week.append(entry)
    changes = (
        StageChange.objects.filter(entry__branch=branch, at__date__range=(monday, sunday))
        .select_related("entry__customer", "entry__manager", "by")
        .order_by("at", "pk")
    )
    for change in changes:
        manager = change.entry.manager
        rows.setdefault(manager.pk, MeetingRow(manager=manager)).moved.append(change)
    late = entries.filter(
        stage__in=[s.value for s in pr.OPEN_STAGES], next_step_due__lt=today
    ).order_by("next_step_due", "pk")
    for entry in late:
        rows.setdefault(entry.manager_id, MeetingRow(manager=entry.manager)).late.append(entry)
    for manager_id, n in named_per_manager([branch], month).items():
        if manager_id in rows:
            rows[manager_id].month_named = n
    # Contacts and visits of the week (DOMAIN.md §5.4), under each manager who took part.
    through = Activity.participants.through.objects.filter(
        user__in=list(rows), activity__day__range=(monday, sunday)
    ).select_related("activity")
    activities = {}
    for link in through.order_by("activity__day", "activity_id"):
        activities.setdefault(link.activity_id, link.activity)
        rows[link.user_id].contacts.append(activities[link.activity_id])
    customers = Activity.customers.through.objects.filter(activity__in=list(activities))
    named = {}
    for link in customers.select_related("corporatecustomer"):
        named.setdefault(link.activity_id, []).append(link.corporatecustomer.name)
    for activity in activities.values():
        activity.customer_names = "、".join(sorted(named.get(activity.pk, [])))
    return list(rows.values())
