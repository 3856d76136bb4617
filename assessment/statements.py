"""Monthly statements: each person's month gathered set-based, priced, and locked when the month closes.

An open month's statements are computed live from the logged data in a fixed number
of queries, whatever the number of people. A closed month's are read from the
snapshots written at close and never recomputed: nothing that changes afterwards
(a rate, a field day, a ledger line) reaches them. Every write into a month locks the
month's row first (assessment/months.py), and so does the close, which is refused
while any field day of the month awaits review or any photo finding is unruled.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.models import Branch, Role, User, Village

from . import pricing
from .models import (
    Adjustment,
    BranchJudgement,
    FieldDay,
    Finding,
    LedgerEntry,
    Month,
    RateVersion,
    Reward,
    StatementSnapshot,
    month_bounds,
)
from .months import MonthClosed, close_blockers, lock_open_month, month_is_closed, month_start

# Who gets a statement: the fund roles always (their fund is withheld every month),
# leaders and head office staff when the month holds something to pay them for.
FUND_ROLES = (Role.ACCOUNT_MANAGER, Role.BRANCH_HEAD, Role.SECTION_CHIEF)
STATEMENT_ROLES = (*FUND_ROLES, Role.LEADER, Role.HEAD_OFFICE)
DAYS = Decimal("0.01")  # a branch's average field days is shown and priced to 0.01 day

SECTION_LABELS = {
    pricing.Section.SUBSIDY: gettext_lazy("Subsidy"),
    pricing.Section.PIECE_RATE: gettext_lazy("Piece rates"),
    pricing.Section.FUND: gettext_lazy("Assessment fund"),
    pricing.Section.DEDUCTION: gettext_lazy("Deductions"),
    pricing.Section.REWARD: gettext_lazy("Rewards"),
    pricing.Section.ADJUSTMENT: gettext_lazy("Adjustments"),
}
TOTALS = (
    "subsidy",
    "piece_rate",
    "fund",
    "deductions",
    "fund_payout",
    "excess_deductions",
    "rewards",
    "adjustments",
    "payout",
)


class StatementError(Exception):
    """A write the statements refuse, with the reason to show."""


def ensure_open(day: datetime.date) -> None:
    """Refuse at once work on a closed month (the write itself re-checks under the lock)."""
    if month_is_closed(day):
        raise MonthClosed(month_start(day))


def statement_branches(user):
    """Branches whose people's statements a user may read: all for head office, a branch head's own."""
    if not (user.is_authenticated and user.is_active):
        return Branch.objects.none()
    if user.is_head_office:
        return Branch.objects.all()
    if user.role == Role.BRANCH_HEAD:
        return user.branches.all()
    return Branch.objects.none()


@dataclass
class StatementRow:
    """One person's statement for the month, with what it was computed for."""

    person: User
    branch: Branch | None
    role: str
    field_days: int
    statement: pricing.Statement

    @property
    def role_label(self):
        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def rewards_and_adjustments(self):
        return self.statement.rewards + self.statement.adjustments


def totals_of(rows) -> dict[str, Decimal]:
    """The statements' totals added up, name by name (subsidy, piece_rate, … payout)."""
    return {name: sum((getattr(r.statement, name) for r in rows), pricing.ZERO) for name in TOTALS}


@dataclass
class BranchSummary:
    branch: Branch | None
    rows: list[StatementRow] = field(default_factory=list)
    average_days: Decimal | None = None
    falsifications: int = 0
    judged_slow: bool = False

    @property
    def payout(self):
        return self.totals["payout"]

    @property
    def totals(self):
        return totals_of(self.rows)


@dataclass
class MonthStatements:
    month: Month
    rows: list[StatementRow]
    branch_average_days: dict[int, Decimal] = field(default_factory=dict)
    branch_falsifications: dict[int, int] = field(default_factory=dict)
    slow_branches: set[int] = field(default_factory=set)

    @property
    def is_closed(self):
        return self.month.is_closed

    def row_of(self, person_id: int) -> StatementRow | None:
        return next((r for r in self.rows if r.person.pk == person_id), None)

    def by_branch(self) -> list[BranchSummary]:
        """The rows grouped by branch (by code), people without a branch last."""
        groups: dict[int | None, BranchSummary] = {}
        for row in self.rows:
            key = row.branch.pk if row.branch else None
            if key not in groups:
                groups[key] = BranchSummary(
                    branch=row.branch,
                    average_days=self.branch_average_days.get(key),
                    falsifications=self.branch_falsifications.get(key, 0),
                    judged_slow=key in self.slow_branches,
                )
            groups[key].rows.append(row)
        return sorted(
            groups.values(), key=lambda g: (g.branch is None, g.branch.code if g.branch else "")
        )

    @property
    def totals(self):
        return totals_of(self.rows)


def month_statements(day: datetime.date, *, persons=None, branch=None) -> MonthStatements:
    """The statements of the month holding `day`, of `persons` only (ids or users) or of a branch."""
    month = Month.objects.of(day)
    ids = None if persons is None else [getattr(p, "pk", p) for p in persons]
    if month.is_closed:
        return _locked(month, ids, branch)
    if branch is not None:
        ids = list(User.objects.filter(branches=branch).values_list("pk", flat=True))
    result = _live(month, ids)
    if branch is not None:
        result.rows = [r for r in result.rows if r.branch == branch]
    return result


def locked_statements_of(person) -> list[tuple[datetime.date, StatementRow]]:
    """Every statement of a person in a closed month, newest first (one query)."""
    snapshots = StatementSnapshot.objects.filter(person=person).select_related("person", "branch")
    return [(s.month, _row_of(s)) for s in snapshots.order_by("-month")]


# ---- Closed months: the snapshots ---------------------------------------------------------


def _locked(month: Month, ids, branch) -> MonthStatements:
    snapshots = StatementSnapshot.objects.filter(month=month.month).select_related(
        "person", "branch"
    )
    if ids is not None:
        snapshots = snapshots.filter(person__in=ids)
    if branch is not None:
        snapshots = snapshots.filter(branch=branch)
    rows = sorted((_row_of(s) for s in snapshots), key=_order)
    result = MonthStatements(month=month, rows=rows)
    if ids is None:
        # The branch figures as they stood: nothing feeding them changes in a closed month.
        managers = defaultdict(list)
        for row in rows:
            if row.role == Role.ACCOUNT_MANAGER and row.branch:
                managers[row.branch.pk].append(row.field_days)
        result.branch_average_days = {key: _average(days) for key, days in managers.items()}
        result.branch_falsifications = Finding.objects.confirmed_falsifications(
            month.month
        ).count_by_branch()
        result.slow_branches = _slow_branches(month.month)
    return result


def _order(row: StatementRow):
    """Branch by branch (head office last), then by staff number."""
    branch = row.branch.code if row.branch else ""
    return (row.branch is None, branch, row.person.staff_no or "", row.person.username)


def _row_of(snapshot: StatementSnapshot) -> StatementRow:
    return StatementRow(
        person=snapshot.person,
        branch=snapshot.branch,
        role=snapshot.role,
        field_days=snapshot.field_days,
        statement=_statement_of(snapshot),
    )


def _statement_of(snapshot: StatementSnapshot) -> pricing.Statement:
    lines = tuple(
        pricing.Line(
            section=pricing.Section(line["section"]),
            code=line["code"],
            label=line["label"],
            quantity=Decimal(line["quantity"]),
            rate=Decimal(line["rate"]),
            amount=Decimal(line["amount"]),
            rule=line["rule"],
            refs=tuple(line.get("refs", ())),
        )
        for line in snapshot.lines
    )
    return pricing.Statement(
        lines=lines,
        **{name: getattr(snapshot, name) for name in TOTALS},
        minimum_field_days=snapshot.minimum_field_days,
        field_days_short=snapshot.field_days_short,
    )


def _lines_json(statement: pricing.Statement) -> list[dict]:
    return [
        {
            "section": str(line.section),
            "code": line.code,
            "label": line.label,
            "quantity": str(line.quantity),
            "rate": str(line.rate),
            "amount": str(line.amount),
            "rule": line.rule,
            "refs": list(line.refs),
        }
        for line in statement.lines
    ]


# ---- Open months: computed live, a fixed number of queries -----------------------------------


def _people(first, following, ids):
    """Active staff who get a statement this month, with their branches (2 queries)."""
    in_month = {"month": first}
    # An account manager who serves corporate customers only (no village of their own)
    # does no village work: no fund and no missing-day deduction, unless the month has
    # work of theirs to pay.
    corporate_only = Q(role=Role.ACCOUNT_MANAGER, corporate_manager=True) & ~Exists(
        Village.owners.through.objects.filter(user=OuterRef("pk"))
    )
    active = (
        (Q(role__in=FUND_ROLES) & ~corporate_only)
        | Exists(
            FieldDay.objects.confirmed().filter(
                Q(person=OuterRef("pk"))
                | Q(partner=OuterRef("pk"), partner_answer=FieldDay.PartnerAnswer.CONFIRMED),
                date__gte=first,
                date__lt=following,
            )
        )
        | Exists(LedgerEntry.objects.filter(person=OuterRef("pk"), **in_month))
        | Exists(Reward.objects.filter(person=OuterRef("pk"), **in_month))
        | Exists(Adjustment.objects.filter(person=OuterRef("pk"), **in_month))
    )
    people = User.objects.filter(active, is_active=True, role__in=STATEMENT_ROLES)
    if ids is not None:
        people = people.filter(pk__in=ids)
    return list(
        people.prefetch_related(Prefetch("branches", queryset=Branch.objects.order_by("code")))
    )


def _home_branch(person) -> Branch | None:
    """The branch a statement counts in: the first assigned (by code); none for head office.

    Managers and branch heads have one branch; a section chief or leader assigned to
    several is assessed with the first of them.
    """
    if person.role == Role.HEAD_OFFICE:
        return None
    branches = list(person.branches.all())
    return branches[0] if branches else None


def _slow_branches(first: datetime.date) -> set[int]:
    judged = BranchJudgement.objects.filter(month=first, judged_slow=True)
    return set(judged.values_list("branch_id", flat=True))


def _average(values) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(DAYS, rounding=ROUND_HALF_UP)


def _live(month: Month, ids) -> MonthStatements:
    first, following = month_bounds(month.month)
    people = _people(first, following, ids)
    person_ids = [p.pk for p in people]
    rates = RateVersion.objects.in_force(first).table()

    # A two-person day confirmed by head office counts for its partner too, once the
    # partner confirmed being there (DOMAIN.md §4: field days are paid per person).
    days = FieldDay.objects.confirmed().in_month(first).credited_days_by_person()
    # Every active account manager of a branch counts in its average, with zero days too;
    # not one who serves corporate customers only (no village of their own).
    managers = defaultdict(list)
    memberships = (
        User.branches.through.objects.filter(user__role=Role.ACCOUNT_MANAGER, user__is_active=True)
        .exclude(
            Q(user__corporate_manager=True)
            & ~Exists(Village.owners.through.objects.filter(user=OuterRef("user_id")))
        )
        .values_list("branch_id", "user_id")
    )
    for branch_id, user_id in memberships:
        managers[branch_id].append(days.get(user_id, 0))
    averages = {branch_id: _average(values) for branch_id, values in managers.items()}

    ledger = defaultdict(list)
    for entry in LedgerEntry.objects.of_month(first).filter(person__in=person_ids).order_by("pk"):
        ledger[entry.person_id].append(entry.as_pricing_item())
    falsifications = Finding.objects.confirmed_falsifications(first)
    by_person = falsifications.count_by_person()
    by_branch = falsifications.count_by_branch()
    slow = _slow_branches(first)
    rewards = defaultdict(list)
    for reward in Reward.objects.filter(month=first, person__in=person_ids).order_by("pk"):
        rewards[reward.person_id].append(
            pricing.Reward(amount=reward.amount, reason=reward.reason, source_id=reward.pk)
        )
    adjustments = defaultdict(list)
    for adjustment in Adjustment.objects.filter(month=first, person__in=person_ids).order_by("pk"):
        reason = _("%(reason)s (corrects %(month)s)") % {
            "reason": adjustment.reason,
            "month": f"{adjustment.corrects_month:%Y-%m}",
        }
        adjustments[adjustment.person_id].append(
            pricing.Reward(amount=adjustment.amount, reason=reason, source_id=adjustment.pk)
        )

    rows = []
    for person in people:
        branch = _home_branch(person)
        branch_id = branch.pk if branch else None
        person_month = pricing.PersonMonth(
            role=pricing.Role(person.role),
            confirmed_field_days=days.get(person.pk, 0),
            census_phase=month.census_phase,
            ledger=tuple(ledger[person.pk]),
            falsifications=by_person.get(person.pk, 0),
            branch_falsifications=by_branch.get(branch_id, 0),
            branch_average_days=averages.get(branch_id),
            branch_judged_slow=branch_id in slow,
            rewards=tuple(rewards[person.pk]),
            adjustments=tuple(adjustments[person.pk]),
        )
        rows.append(
            StatementRow(
                person=person,
                branch=branch,
                role=person.role,
                field_days=person_month.confirmed_field_days,
                statement=pricing.price_month(person_month, rates),
            )
        )
    rows.sort(key=_order)
    return MonthStatements(
        month=month,
        rows=rows,
        branch_average_days=averages,
        branch_falsifications=by_branch,
        slow_branches=slow,
    )


# ---- Writes: each one transaction, none into a closed month --------------------------------


def ensure_closable(month: datetime.date) -> None:
    """StatementError while a field day of the month awaits review or a photo finding is unruled."""
    blockers = close_blockers(month)
    if blockers:
        raise StatementError(
            _(
                "%(month)s cannot be closed yet: %(days)d field days await review and "
                "%(findings)d photo findings are unruled. Review them first."
            )
            % {
                "month": f"{month_start(month):%Y-%m}",
                # A returned day awaits its review again: it holds the close up the same way.
                "days": sum(b.awaiting_review + b.returned for b in blockers),
                "findings": sum(b.open_findings for b in blockers),
            }
        )


@transaction.atomic
def close_month(*, month: datetime.date, user, now: datetime.datetime, progress=None) -> Month:
    """Write every statement of the month as a snapshot and lock the month, in one transaction.

    The month's row is locked first, as every write into the month locks it, so what
    is checked and priced here is what the month holds when it closes.
    """
    first = month_start(month)
    if first >= month_start(timezone.localtime(now).date()):
        raise StatementError(_("A month can only be closed after it has ended."))
    row = lock_open_month(first, exclusive=True)
    ensure_closable(first)
    result = _live(row, None)
    total = len(result.rows)
    if progress:
        progress(0, total)
    snapshots = []
    for done, r in enumerate(result.rows, start=1):
        s = r.statement
        snapshots.append(
            StatementSnapshot(
                person=r.person,
                month=first,
                role=r.role,
                branch=r.branch,
                field_days=r.field_days,
                minimum_field_days=s.minimum_field_days,
                field_days_short=s.field_days_short,
                lines=_lines_json(s),
                created_at=now,
                **{name: getattr(s, name) for name in TOTALS},
            )
        )
        if progress and done % 50 == 0:
            progress(done, total)
    StatementSnapshot.objects.bulk_create(snapshots, batch_size=500)
    row.status = Month.Status.CLOSED
    row.closed_by = user
    row.closed_at = now
    row.save(update_fields=["status", "closed_by", "closed_at"])
    if progress:
        progress(total, total)
    return row


@transaction.atomic
def set_census_phase(*, month: datetime.date, census_phase: bool) -> Month:
    row = lock_open_month(month, exclusive=True)
    row.census_phase = census_phase
    row.save(update_fields=["census_phase"])
    return row


@transaction.atomic
def add_reward(*, person, month, amount, reason, user, now) -> Reward:
    row = lock_open_month(month)
    return Reward.objects.create(
        person=person,
        month=row.month,
        amount=amount,
        reason=reason,
        created_by=user,
        created_at=now,
    )


@transaction.atomic
def judge_branch(*, branch, month, judged_slow, note, user, now) -> BranchJudgement:
    row = lock_open_month(month)
    judgement, _created = BranchJudgement.objects.update_or_create(
        month=row.month,
        branch=branch,
        defaults={"judged_slow": judged_slow, "note": note, "by": user, "at": now},
    )
    return judgement


@transaction.atomic
def add_adjustment(*, person, month, amount, reason, corrects_month, user, now) -> Adjustment:
    """A correction of a closed month, paid in the open month `month`."""
    row = lock_open_month(month)
    corrects = month_start(corrects_month)
    if corrects >= row.month or not month_is_closed(corrects):
        raise StatementError(_("Only an earlier, closed month can be corrected."))
    return Adjustment.objects.create(
        person=person,
        month=row.month,
        amount=amount,
        reason=reason,
        corrects_month=corrects,
        created_by=user,
        created_at=now,
    )
