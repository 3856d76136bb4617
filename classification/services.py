"""Writes of the weekly classification: run, propose, override, confirm. Each one transaction."""

import datetime
import re

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from archives import unique
from archives.models import Customer, Role, Township, User, Village

from . import followup, rules
from .models import (
    Classification,
    DedicatedManager,
    Maintainer,
    Override,
    Proposal,
    Rulebook,
    Week,
)


class WeekLocked(Exception):
    """A confirmed week is a snapshot: nothing changes it any more."""


class DecidedMeanwhile(Exception):
    """Another proposal or override for the customer was saved at the same moment."""


def _decided_meanwhile(customer) -> DecidedMeanwhile:
    return DecidedMeanwhile(
        _(
            "Someone else has just proposed or decided a tier for %(name)s; nothing was saved. "
            "Reload the page to see it."
        )
        % {"name": customer.name}
    )


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def branch_customers(branch):
    return Customer.objects.filter(village__township__branch=branch)


def branch_facts(branch) -> list[rules.Facts]:
    """Everything the rules need about a branch's customers, in one query.

    The input of rules.classify_branch, the reference classify_sql is tested against.
    """
    rows = branch_customers(branch).values_list(
        "pk", "deposit_balance", "loan_balance", "archived_on", "has_deposit_account", "main_income"
    )
    return [
        rules.Facts(
            customer_id=pk,
            deposit=deposit,
            loan=loan,
            archived_on=archived_on,
            has_deposit_account=has_account,
            main_income=income,
        )
        for pk, deposit, loan, archived_on, has_account, income in rows
    ]


@transaction.atomic
def run_week(*, branch, today: datetime.date, now: datetime.datetime) -> Week:
    """The automatic run (客户初分): rank and classify a branch for the week of `today`.

    A fixed number of queries whatever the branch's size: the ranking, the tiers, the
    reasons, the overrides and last week's tiers are one INSERT ... SELECT (see
    classify_sql; rules.classify_branch is its reference). Active overrides stand over
    the rules' tier; a confirmed week is never run again.
    """
    start = week_start_of(today)
    rulebook = Rulebook.objects.in_force(today)
    week, _created = Week.objects.select_for_update().get_or_create(
        branch=branch, week_start=start, defaults={"run_at": now}
    )
    if week.is_locked:
        raise WeekLocked(
            _("The week of %(date)s is confirmed and cannot change.") % {"date": start}
        )
    with connection.cursor() as cursor:
        # A run again replaces the week's rows in one statement: the ORM's delete would
        # load each row to send post_delete (figures' change note, one per row); the
        # week's own save below notes the branch's change once.
        cursor.execute(f"DELETE FROM {Classification._meta.db_table} WHERE week_id = %s", [week.pk])
        cursor.execute(
            classify_sql(connection.vendor),
            classify_params(week=week, thresholds=rulebook.thresholds),
        )
    week.rulebook = rulebook if rulebook.pk else None
    week.run_at = now
    week.save(update_fields=["rulebook", "run_at"])
    return week


def _literal(value: str) -> str:
    """A constant of the rules (a tier, a band, a reason code) as an SQL string literal."""
    if not re.fullmatch(r"[a-z_ ]*", value):
        raise ValueError(f"not a rules constant: {value!r}")
    return f"'{value}'"


def classify_sql(vendor: str) -> str:
    """One INSERT ... SELECT that classifies a branch's customers into a week's rows.

    The decisions of rules.classify_branch, set-based: ROW_NUMBER over the customers
    with a balance (largest deposits + loans first, ties to the earlier archive date,
    then the earlier record), the rules as one CASE in precedence order, the reasons as
    the codes rules.classify gives, the band by rank, an active override standing over
    the rules' tier, and the tier of the branch's last confirmed week. Rows go in by
    customer, so the (week, customer) index and the foreign key checks on customers
    proceed in order. Parameters: classify_params().
    """
    T, B, lit = rules.Tier, rules.Band, _literal
    stable = ", ".join(lit(v) for v in sorted(rules.STABLE_INCOME))
    total = "c.deposit_balance + c.loan_balance"
    # SQLite keeps decimals as binary floats: rank on whole fen, so that equal totals
    # tie exactly as the Decimal sums of rules.rank_branch do.
    rank_total = f"ROUND(({total}) * 100)" if vendor == "sqlite" else total
    return f"""
        INSERT INTO {Classification._meta.db_table} (
            week_id, customer_id, rank, rule_tier, reason_codes, key_limit, income,
            tier, source, band, previous_tier
        )
        SELECT
            %(week)s AS week_id, r.id AS customer_id, r.rank, r.rule_tier,
            CASE r.rule_tier
                WHEN {lit(T.KEY_FOLLOW_UP)} THEN {lit("rank")}
                WHEN {lit(T.PERIODIC_REVISIT)} THEN {lit("business stable_income")}
                WHEN {lit(T.CULTIVATION)} THEN {lit("stable_income no_business")}
                WHEN {lit(T.GENERAL_ATTENTION)} THEN {lit("subsidy_only")}
                ELSE CASE WHEN r.rank IS NULL THEN {lit("unranked")}
                          ELSE {lit("ranked_outside")} END
                     || CASE WHEN r.has_business THEN {lit(" business")}
                             ELSE {lit(" no_business")} END
                     || {lit(" no_stable_income no_rule")}
            END AS reason_codes,
            %(key_limit)s AS key_limit, r.main_income AS income,
            COALESCE(o.tier, r.rule_tier) AS tier,
            CASE WHEN o.id IS NULL THEN {lit(Classification.Source.RULES)}
                 ELSE {lit(Classification.Source.OVERRIDE)} END AS source,
            CASE WHEN r.rank IS NULL OR r.rank > %(key_limit)s THEN {lit(B.ACCOUNT_MANAGER)}
                 WHEN r.rank <= %(golden_max_rank)s THEN {lit(B.GOLDEN)}
                 WHEN r.rank <= %(chief_max_rank)s THEN {lit(B.CHIEF)}
                 ELSE {lit(B.BRANCH_HEAD)} END AS band,
            COALESCE(p.tier, '') AS previous_tier
        FROM (
            SELECT ranked.*,
                CASE
                    WHEN rank <= %(key_limit)s THEN {lit(T.KEY_FOLLOW_UP)}
                    WHEN has_business AND main_income IN ({stable})
                        THEN {lit(T.PERIODIC_REVISIT)}
                    WHEN main_income IN ({stable}) THEN {lit(T.CULTIVATION)}
                    WHEN main_income = {lit(rules.SUBSIDY_ONLY)} THEN {lit(T.GENERAL_ATTENTION)}
                    ELSE {lit(T.UNDECIDED)}
                END AS rule_tier
            FROM (
                SELECT c.id, c.main_income,
                    (c.has_deposit_account OR {total} > 0) AS has_business,
                    CASE WHEN {total} > 0 THEN ROW_NUMBER() OVER (
                        PARTITION BY {total} > 0
                        ORDER BY {rank_total} DESC, c.archived_on, c.id
                    ) END AS rank
                FROM {Customer._meta.db_table} c
                JOIN {Village._meta.db_table} v ON v.id = c.village_id
                JOIN {Township._meta.db_table} t ON t.id = v.township_id
                WHERE t.branch_id = %(branch)s
            ) ranked
        ) r
        LEFT JOIN {Override._meta.db_table} o
            ON o.customer_id = r.id AND o.lifted_at IS NULL
        LEFT JOIN {Classification._meta.db_table} p
            ON p.customer_id = r.id AND p.week_id = (
                SELECT w.id FROM {Week._meta.db_table} w
                WHERE w.branch_id = %(branch)s AND w.week_start < %(week_start)s
                    AND w.status = {lit(Week.Status.CONFIRMED)}
                ORDER BY w.week_start DESC LIMIT 1
            )
        ORDER BY r.id
    """


def classify_params(*, week, thresholds: rules.Thresholds) -> dict:
    return {
        "week": week.pk,
        "branch": week.branch_id,
        "week_start": connection.ops.adapt_datefield_value(week.week_start),
        "key_limit": thresholds.key_limit,
        "golden_max_rank": thresholds.golden_max_rank,
        "chief_max_rank": thresholds.chief_max_rank,
    }


@transaction.atomic
def propose_tier(*, customer, tier: str, reason: str, user, now) -> Proposal:
    """An account manager proposes another tier; a newer proposal replaces a pending one.

    Two proposals sent at the same moment both find nothing to replace; the second
    meets the one-pending constraint and raises DecidedMeanwhile.
    """
    Proposal.objects.filter(customer=customer, status=Proposal.Status.PENDING).delete()
    try:
        with unique.violations(Proposal):
            return Proposal.objects.create(
                customer=customer, tier=tier, reason=reason, proposed_by=user, proposed_at=now
            )
    except unique.Violation:
        raise _decided_meanwhile(customer) from None


def _lock_week(week) -> Week:
    week = Week.objects.select_for_update().get(pk=week.pk)
    if week.is_locked:
        raise WeekLocked(
            _("The week of %(date)s is confirmed and cannot change.") % {"date": week.week_start}
        )
    return week


@transaction.atomic
def override_tier(*, week, customer, tier: str, reason: str, user, now) -> Override:
    """The branch head decides a tier with a written reason; it stands until lifted."""
    week = _lock_week(week)
    Override.objects.filter(customer=customer, lifted_at__isnull=True).update(
        lifted_by=user, lifted_at=now
    )
    override = Override(customer=customer, tier=tier, reason=reason, set_by=user, set_at=now)
    override._history_user = user
    try:
        with unique.violations(Override):
            override.save()
    except unique.Violation:
        raise _decided_meanwhile(customer) from None
    Classification.objects.filter(week=week, customer=customer).update(
        tier=tier, source=Classification.Source.OVERRIDE
    )
    Proposal.objects.filter(customer=customer, status=Proposal.Status.PENDING).update(
        status=Proposal.Status.ACCEPTED if tier else Proposal.Status.REJECTED,
        decided_by=user,
        decided_at=now,
    )
    return override


@transaction.atomic
def lift_override(*, week, customer, user, now) -> None:
    """Give the customer back to the rules: this week's tier returns to the rules' tier."""
    week = _lock_week(week)
    Override.objects.filter(customer=customer, lifted_at__isnull=True).update(
        lifted_by=user, lifted_at=now
    )
    row = Classification.objects.get(week=week, customer=customer)
    row.tier = row.rule_tier
    row.source = Classification.Source.RULES
    row.save(update_fields=["tier", "source"])


def undecided_rows(week):
    """What confirming would leave open: rows still 待认定 and pending proposals."""
    rows = week.rows.filter(tier=rules.Tier.UNDECIDED).select_related("customer__village")
    proposals = Proposal.objects.filter(
        customer__village__township__branch=week.branch, status=Proposal.Status.PENDING
    ).select_related("customer", "proposed_by")
    return rows, proposals


@transaction.atomic
def accept_proposals(*, week, user, now) -> int:
    """Take up every pending proposal of the branch's account managers as an override,
    with the proposer's reason: the meeting's "agree with all" in one step."""
    week = _lock_week(week)
    pending = list(
        Proposal.objects.select_for_update()
        .filter(customer__village__township__branch=week.branch, status=Proposal.Status.PENDING)
        .select_related("customer", "proposed_by")
    )
    for proposal in pending:
        override_tier(
            week=week,
            customer=proposal.customer,
            tier=proposal.tier,
            reason=(
                _("%(reason)s (proposed by %(who)s)")
                % {"reason": proposal.reason, "who": proposal.proposed_by}
            )[: Override._meta.get_field("reason").max_length],
            user=user,
            now=now,
        )
    return len(pending)


@transaction.atomic
def confirm_week(*, week, user, today: datetime.date, now) -> Week:
    """The branch head confirms the week (支行认定): it is locked and maintenance is reassigned.

    Pending proposals not taken up by an override are rejected.
    """
    week = _lock_week(week)
    Proposal.objects.filter(
        customer__village__township__branch=week.branch, status=Proposal.Status.PENDING
    ).update(status=Proposal.Status.REJECTED, decided_by=user, decided_at=now)
    week.status = Week.Status.CONFIRMED
    week.confirmed_by = user
    week.confirmed_at = now
    week.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    assign_maintainers(week=week, today=today)
    followup.refresh_confirmed(week, branch_customers(week.branch))
    return week


def assign_maintainers(*, week, today: datetime.date) -> None:
    """Layered maintenance from the week's ranks: leaders, chiefs, branch head, dedicated manager.

    Customers outside the top ranks are maintained by their village's account managers,
    which needs no rows: "my customers" reads the village owners for them. A duty that
    carries on from last week keeps its start date, so a customer never visited stays
    overdue instead of getting a fresh deadline at every confirmation.
    """
    branch = week.branch
    since = {
        (customer_id, user_id, duty): day
        for customer_id, user_id, duty, day in Maintainer.objects.filter(
            customer__village__township__branch=branch
        ).values_list("customer_id", "user_id", "duty", "since")
    }
    # The top ranks, and every key follow-up customer however it became key: one made key
    # by the branch head's override also gets a dedicated account manager (DOMAIN.md §7).
    top = [b.value for b in rules.Band if b != rules.Band.ACCOUNT_MANAGER]
    ranked = list(
        week.rows.filter(Q(rank__isnull=False, band__in=top) | Q(tier=rules.Tier.KEY_FOLLOW_UP))
        .select_related("customer__village")
        .prefetch_related("customer__village__owners")
    )
    staff = User.objects.filter(branches=branch, is_active=True)
    by_role = {
        role: list(staff.filter(role=role).order_by("pk"))
        for role in (Role.LEADER, Role.SECTION_CHIEF, Role.BRANCH_HEAD)
    }
    dedicated = dict(
        DedicatedManager.objects.filter(customer__in=[r.customer_id for r in ranked]).values_list(
            "customer_id", "user_id"
        )
    )
    new_dedicated = []
    rows = []
    for row in ranked:
        band = rules.Band(row.band) if row.band in top and row.rank is not None else None
        duties = []
        if band is not None:  # a key customer outside the top ranks: its dedicated manager
            duties = [(u.pk, Maintainer.Duty.BRANCH_HEAD) for u in by_role[Role.BRANCH_HEAD]]
        if band == rules.Band.GOLDEN:
            duties += [(u.pk, Maintainer.Duty.LEADER) for u in by_role[Role.LEADER]]
        elif band == rules.Band.CHIEF:
            duties += [(u.pk, Maintainer.Duty.CHIEF) for u in by_role[Role.SECTION_CHIEF]]
        manager_id = dedicated.get(row.customer_id)
        if manager_id is None:
            owners = sorted(row.customer.village.owners.all(), key=lambda u: u.pk)
            if owners:
                manager_id = owners[0].pk
                new_dedicated.append(
                    DedicatedManager(customer_id=row.customer_id, user_id=manager_id)
                )
        if manager_id is not None:
            duties.append((manager_id, Maintainer.Duty.DEDICATED))
        rows += [
            Maintainer(
                customer_id=row.customer_id,
                user_id=user_id,
                duty=duty,
                since=since.get((row.customer_id, user_id, duty), today),
            )
            for user_id, duty in duties
        ]
    DedicatedManager.objects.bulk_create(new_dedicated)
    Maintainer.objects.filter(customer__village__township__branch=branch).delete()
    Maintainer.objects.bulk_create(rows)


def customers_to_maintain(user):
    """'My customers to maintain' (分层维护), within the user's scope.

    A ranked customer (top N of the branch) is maintained by its Maintainer rows:
    leader, section chief, branch head, dedicated account manager. Every other customer
    has no such row and is maintained by the account managers who own its village (包片).
    Subqueries rather than joins, so each customer comes once and annotations stay exact.
    """
    assigned = Exists(Maintainer.objects.filter(customer=OuterRef("pk"), user=user))
    if user.role != Role.ACCOUNT_MANAGER:
        return Customer.objects.visible_to(user).filter(assigned)
    ranked = Exists(
        Maintainer.objects.filter(customer=OuterRef("pk")).exclude(duty=Maintainer.Duty.AREA)
    )
    area = Q(village__in=Village.objects.filter(owners=user)) & ~ranked
    return Customer.objects.visible_to(user).filter(assigned | area)
