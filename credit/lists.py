"""Writes of the four lists (DOMAIN.md §5.2): run the rules, declare, confirm, refuse, designate.

Each write is one function in one transaction. A step on a customer first locks the
customer's row and its ListState (select_for_update), then checks that the step may be
taken from the state it finds: a double submit, two departments at once or a page
showing an old state meet a refusal with a Chinese message (ListRefused) and nothing
changes. Every step appends a ListChange (who, when, from → to, why).

The lifecycle: the branch declares (申报). Strategic and quality wait for corporate
finance, then credit management; either may refuse with a reason, and the list in
force stays what it was. Basic, potential and "on no list" are the branch's decision:
declaring them confirms them at once. Head office's designation of a customer as
strategic confirms it directly (**Decision**: head office designates, so a second
head-office confirmation would only ask head office to agree with itself); the
designation's reason then counts as strategic criterion (4) in every later run. A
branch that wants another list for a designated customer declares it like strategic
and quality (**Decision**: only head office undoes head office's designation): once
credit management confirms a list other than strategic, the designation is lifted.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import Role

from . import credit_starts, facts, rules
from .models import CorporateCustomer, ListChange, ListProposal, ListRun, ListState, TeamMember
from .models.lists import CONFIRMED_BY_HEAD_OFFICE

Status = ListState.Status
Step = ListChange.Step
BRANCH_DECIDES = (
    rules.CreditList.BASIC.value,
    rules.CreditList.POTENTIAL.value,
    rules.CreditList.UNLISTED.value,
)
DECLARABLE = (*CONFIRMED_BY_HEAD_OFFICE, *BRANCH_DECIDES)
BRANCH_LEADERS = (Role.BRANCH_HEAD, Role.DEPUTY_HEAD)
DEPARTMENTS = (Role.CORPORATE_FINANCE, Role.CREDIT_MANAGEMENT)
# Who confirms which waiting state, and what it becomes.
CONFIRMS = {
    Role.CORPORATE_FINANCE: Status.DECLARED,
    Role.CREDIT_MANAGEMENT: Status.FINANCE_CONFIRMED,
}


class ListRefused(Exception):
    """The step cannot be taken from the state found; nothing was written."""


def version_of(state: ListState | None) -> str:
    """What a page showing `state` sends back, so a step on an older state is refused."""
    if state is None:
        return ""
    # In UTC: a state just saved holds the caller's zone, one read back holds UTC.
    return state.updated_at.astimezone(datetime.UTC).isoformat()


def label(value: str) -> str:
    return str(rules.LIST_LABELS[rules.CreditList(value)]) if value else _("no list yet")


# --- running the rules --------------------------------------------------------


@transaction.atomic
def run_lists(*, branch, user, today: datetime.date, now: datetime.datetime) -> ListRun:
    """Propose a list for every customer of the branch, with the thresholds of `today`."""
    customers = CorporateCustomer.objects.filter(branch=branch)
    designations = dict(
        ListState.objects.filter(customer__branch=branch)
        .exclude(designation="")
        .values_list("customer_id", "designation")
    )
    thresholds = rules.thresholds_on(today)
    all_facts = facts.facts_for(customers, on=today, designations=designations)
    # Before this run's proposals: the previous run's say who was potential.
    credit_starts.record_credit_starts(branch=branch, facts=all_facts, today=today)
    run = ListRun.objects.create(branch=branch, run_on=today, run_at=now, run_by=user)
    proposals = []
    for customer_id, customer_facts in all_facts.items():
        proposal = rules.propose(customer_facts, thresholds)
        proposals.append(
            ListProposal(
                run=run,
                customer_id=customer_id,
                list=proposal.list.value,
                criteria=[
                    {"list": c.list.value, "number": c.number, "text": str(c.text)}
                    for c in proposal.criteria
                ],
                note=proposal.note[:300],
            )
        )
    ListProposal.objects.bulk_create(proposals)
    return run


# --- the steps ----------------------------------------------------------------


def _lock(customer) -> ListState | None:
    """Lock the customer (so a first step cannot be taken twice) and its state, if any."""
    CorporateCustomer.objects.select_for_update().only("pk").get(pk=customer.pk)
    return ListState.objects.select_for_update().filter(customer_id=customer.pk).first()


def _check_version(state: ListState | None, version: str | None) -> None:
    if version is not None and version != version_of(state):
        raise ListRefused(
            _(
                "The list of this customer has changed since you opened the page, and nothing "
                "was saved. Look at it again and decide."
            )
        )


def _required(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ListRefused(message)
    if len(reason) > 300:
        raise ListRefused(_("Keep the reason to 300 characters."))
    return reason


def _record(customer, step, from_list, to_list, reason, user, now) -> ListChange:
    return ListChange.objects.create(
        customer_id=customer.pk,
        step=step,
        from_list=from_list,
        to_list=to_list,
        reason=reason,
        by=user,
        at=now,
    )


@transaction.atomic
def declare(*, customer, list: str, reason: str, user, now, version=None) -> ListState:
    """The branch declares a list. Strategic and quality (and any list for a customer head
    office designated) go to head office; the others are the branch's decision and are
    confirmed at once (today is their confirmation)."""
    if user.role not in BRANCH_LEADERS or not user.branches.filter(pk=customer.branch_id).exists():
        raise ListRefused(
            _("Only the branch head or the deputy head in charge of its branch declares a list.")
        )
    if list not in DECLARABLE:
        raise ListRefused(_("Choose one of the four lists, or no list."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ListRefused(_("Keep the reason to 300 characters."))
    state = _lock(customer)
    _check_version(state, version)
    if state is not None and state.status in (Status.DECLARED, Status.FINANCE_CONFIRMED):
        raise ListRefused(
            _("A declaration of %(list)s is already with head office; wait for its decision.")
            % {"list": label(state.requested)}
        )
    if not reason:
        # The latest proposal is the reason when the branch follows it.
        latest = ListProposal.objects.filter(customer_id=customer.pk).order_by(
            "-run__run_at", "-run_id"
        )
        proposed = latest.values_list("list", flat=True).first()
        if proposed != list:
            raise ListRefused(
                _("Write the reason: the list declared is not the one the rules propose.")
            )
    previous = state.list if state is not None else ""
    if state is None:
        state = ListState(customer_id=customer.pk)
    state.reason = reason
    state.updated_at = now
    if list in CONFIRMED_BY_HEAD_OFFICE or state.designation:
        state.status, state.requested = Status.DECLARED, list
        state.save()
        _record(customer, Step.DECLARED, previous, list, reason, user, now)
    else:
        state.status, state.requested = Status.CONFIRMED, ""
        state.list, state.confirmed_on = list, timezone.localdate(now)
        state.save()
        _record(customer, Step.DECIDED, previous, list, reason, user, now)
    return state


def _awaiting(state: ListState | None, role) -> ListState:
    """The state waiting for `role`'s department, or the refusal saying why it is not."""
    if role not in CONFIRMS:
        raise ListRefused(
            _("Only head office's corporate finance or credit management decides a declaration.")
        )
    if state is None or state.status == Status.CONFIRMED:
        raise ListRefused(_("No declaration of this customer awaits head office."))
    if state.status == CONFIRMS[role]:
        return state
    if state.status == Status.REFUSED:
        raise ListRefused(
            _("The declaration of %(list)s was already refused: %(reason)s")
            % {"list": label(state.requested), "reason": state.reason}
        )
    if state.status == Status.FINANCE_CONFIRMED:
        raise ListRefused(
            _("Corporate finance has already confirmed it; it awaits credit management.")
        )
    raise ListRefused(_("Corporate finance has not confirmed it yet; it awaits corporate finance."))


@transaction.atomic
def confirm(*, customer, user, now, version=None) -> ListState:
    """Corporate finance confirms a declaration, then credit management confirms it."""
    state = _lock(customer)
    _check_version(state, version)
    state = _awaiting(state, user.role)
    if user.role == Role.CORPORATE_FINANCE:
        state.status = Status.FINANCE_CONFIRMED
        state.updated_at = now
        state.save()
        _record(customer, Step.FINANCE_CONFIRMED, state.list, state.requested, "", user, now)
        return state
    previous, state.list = state.list, state.requested
    state.status, state.requested = Status.CONFIRMED, ""
    if state.list != rules.CreditList.STRATEGIC.value:
        state.designation = ""  # head office agreed to another list: designation lifted
    state.confirmed_on, state.updated_at = timezone.localdate(now), now
    state.save()
    _record(customer, Step.CREDIT_CONFIRMED, previous, state.list, "", user, now)
    return state


def confirm_finance(*, customer, user, now, version=None) -> ListState:
    if user.role != Role.CORPORATE_FINANCE:
        raise ListRefused(_("Only corporate finance takes this step."))
    return confirm(customer=customer, user=user, now=now, version=version)


def confirm_credit(*, customer, user, now, version=None) -> ListState:
    if user.role != Role.CREDIT_MANAGEMENT:
        raise ListRefused(_("Only credit management takes this step."))
    return confirm(customer=customer, user=user, now=now, version=version)


@transaction.atomic
def refuse(*, customer, reason: str, user, now, version=None) -> ListState:
    """A department refuses the declaration waiting for it; the list in force stays."""
    reason = _required(reason, _("Write why the declaration is refused."))
    state = _lock(customer)
    _check_version(state, version)
    state = _awaiting(state, user.role)
    state.status, state.reason, state.updated_at = Status.REFUSED, reason, now
    state.save()
    _record(customer, Step.REFUSED, state.list, state.requested, reason, user, now)
    return state


@transaction.atomic
def designate_strategic(*, customer, reason: str, user, now, version=None) -> ListState:
    """Head office designates the customer strategic: confirmed at once, with its reason."""
    if user.role not in DEPARTMENTS:
        raise ListRefused(
            _("Only head office's corporate finance or credit management designates a customer.")
        )
    reason = _required(reason, _("Write why head office designates this customer strategic."))
    state = _lock(customer)
    _check_version(state, version)
    strategic = rules.CreditList.STRATEGIC.value
    if state is not None and state.designation and state.list == strategic:
        raise ListRefused(
            _("Head office has already designated this customer strategic: %(reason)s")
            % {"reason": state.designation}
        )
    previous = state.list if state is not None else ""
    if state is None:
        state = ListState(customer_id=customer.pk)
    # A declaration on its way is overtaken by the designation.
    state.list, state.status, state.requested = strategic, Status.CONFIRMED, ""
    state.designation = state.reason = reason
    state.confirmed_on, state.updated_at = timezone.localdate(now), now
    state.save()
    _record(customer, Step.DESIGNATED, previous, strategic, reason, user, now)
    return state


# --- the yearly review ----------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    customer: CorporateCustomer
    state: ListState | None
    due_on: datetime.date | None  # None: never confirmed


def review_due_list(*, branch, today: datetime.date, customers=None) -> list[DueRow]:
    """The branch's customers whose list is due for its yearly review on `today`, the
    never-confirmed first, then by the day it fell due. One query."""
    thresholds = rules.thresholds_on(today)
    if customers is None:
        customers = CorporateCustomer.objects.all()
    rows = []
    for customer in (
        customers.filter(branch=branch).select_related("branch", "list_state").order_by("name")
    ):
        state = getattr(customer, "list_state", None)
        confirmed_on = state.confirmed_on if state is not None and state.list else None
        if rules.review_due(confirmed_on, today, thresholds):
            rows.append(DueRow(customer, state, rules.review_due_on(confirmed_on, thresholds)))
    rows.sort(key=lambda row: (row.due_on is not None, row.due_on or today, row.customer.name))
    return rows


# --- what the pages and the export show ----------------------------------------

# Steps that change the list in force (a declaration or a refusal changes nothing yet).
LIST_SETTING_STEPS = (Step.DECIDED, Step.CREDIT_CONFIRMED, Step.DESIGNATED)
TABS = ("all", *[k.value for k in rules.CreditList], "awaiting", "moved", "due")


@dataclass
class Row:
    """One customer as the lists page and the export show it."""

    customer: CorporateCustomer
    state: ListState | None
    proposal: ListProposal | None
    a_manager: str
    changed_since_run: bool
    review_due: bool
    due_on: datetime.date | None

    @property
    def in_force(self) -> str:
        """The list in force; a customer never confirmed counts as on no list."""
        return (self.state.list if self.state else "") or rules.CreditList.UNLISTED.value

    @property
    def list_label(self) -> str:
        return label(self.in_force)

    @property
    def confirmed(self) -> bool:
        return bool(self.state and self.state.list)

    @property
    def awaiting(self) -> bool:
        return bool(self.state and self.state.status in (Status.DECLARED, Status.FINANCE_CONFIRMED))

    @property
    def proposal_differs(self) -> bool:
        if self.proposal is None:
            return False
        return not self.confirmed or self.proposal.list != self.state.list

    @property
    def moved(self) -> bool:
        """Moved since the last review: the rules now propose another list than the one
        confirmed, or the list changed since the latest run."""
        return self.proposal_differs or self.changed_since_run

    @property
    def criteria(self) -> list[str]:
        return [c["text"] for c in self.proposal.criteria] if self.proposal else []

    @property
    def version(self) -> str:
        return version_of(self.state)

    def in_tab(self, tab: str) -> bool:
        if tab == "awaiting":
            return self.awaiting
        if tab == "moved":
            return self.moved
        if tab == "due":
            return self.review_due
        return tab == "all" or tab == self.in_force


def list_rows(customers, *, today: datetime.date) -> list[Row]:
    """Each customer with its state, its latest proposal, its A manager and its flags.

    Three queries whatever the number of customers: the customers with their state and
    what the latest run said of them, the proposals, and the history of each.
    """
    latest = ListProposal.objects.filter(customer=OuterRef("pk")).order_by(
        "-run__run_at", "-run_id"
    )
    a_manager = TeamMember.objects.filter(customer=OuterRef("pk"), role=rules.Role.A.value)
    customers = (
        customers.select_related("branch", "industry", "list_state")
        .prefetch_related(
            Prefetch(
                "list_changes",
                queryset=ListChange.objects.select_related("by").order_by("-at", "-pk"),
            )
        )
        .annotate(
            latest_proposal=Subquery(latest.values("pk")[:1]),
            latest_run_at=Subquery(latest.values("run__run_at")[:1]),
            a_manager_name=Subquery(a_manager.values("user__display_name")[:1]),
        )
        .annotate(
            changed_since_run=Exists(
                ListChange.objects.filter(
                    customer=OuterRef("pk"),
                    step__in=LIST_SETTING_STEPS,
                    at__gt=OuterRef("latest_run_at"),
                )
            )
        )
        .order_by("branch__code", "name", "pk")
    )
    customers = list(customers)
    proposals = ListProposal.objects.in_bulk(
        [c.latest_proposal for c in customers if c.latest_proposal]
    )
    thresholds = rules.thresholds_on(today)
    rows = []
    for customer in customers:
        state = getattr(customer, "list_state", None)
        confirmed_on = state.confirmed_on if state is not None and state.list else None
        rows.append(
            Row(
                customer=customer,
                state=state,
                proposal=proposals.get(customer.latest_proposal),
                a_manager=customer.a_manager_name or "",
                changed_since_run=customer.changed_since_run,
                review_due=rules.review_due(confirmed_on, today, thresholds),
                due_on=rules.review_due_on(confirmed_on, thresholds),
            )
        )
    return rows
