"""Weekly classification of the whole bank: run_week per branch vs. one SQL statement.

Ours: services.run_week for every branch, each repetition on a new week (successive
Mondays after the last week in the database), so every run ranks, tiers and writes
for real. Two floors:

- one hand-written statement that ranks every branch's customers by deposits + loans
  and derives the tier with CASE into a TEMP table (dropped after): four columns, no
  WAL, no index, no constraint;
- one hand-written INSERT … SELECT of the same rows as ours into the real table for
  the whole bank (reason codes, band, override, last week's tier; checked equal to
  ours row for row), committed: the table, its primary key, the unique (week,
  customer), the index (customer, week) and two foreign keys checked at commit. Ours
  and this floor run in turn.

The weeks made here are deleted afterwards.
"""

import datetime
import itertools
import statistics
import time

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from archives.models import Branch, Customer, Township, Village
from classification import rules, services
from classification.models import Classification, Override, Rulebook, Week
from demo.county import REFERENCE_DATE

REPEAT = 3


def _floor_sql(key_limit):
    return f"CREATE TEMP TABLE bench_classification AS {_ranked_sql(key_limit)}"


def _write_floor_sql(thresholds):
    """The same rows as ours, whole, for every branch at once: one hand-written statement.

    Every row gets the week of its branch; rank, tiers, reason codes, band, an active
    override and the tier of the branch's last confirmed week as run_week writes them
    (run() checks that the rows are equal), committed like ours: the cost of ranking
    plus the writes ours must do, with none of ours' per-branch statements.
    """
    table = Classification._meta.db_table
    week = Week._meta.db_table
    override = Override._meta.db_table
    key, golden, chief = (
        int(thresholds.key_limit),
        int(thresholds.golden_max_rank),
        int(thresholds.chief_max_rank),
    )
    return f"""
        INSERT INTO {table} (
            week_id, customer_id, rank, rule_tier, reason_codes, key_limit, income,
            tier, source, band, previous_tier
        )
        SELECT w.id, x.customer_id, x.rank, x.tier,
               CASE x.tier
                 WHEN '{rules.Tier.KEY_FOLLOW_UP}' THEN 'rank'
                 WHEN '{rules.Tier.PERIODIC_REVISIT}' THEN 'business stable_income'
                 WHEN '{rules.Tier.CULTIVATION}' THEN 'stable_income no_business'
                 WHEN '{rules.Tier.GENERAL_ATTENTION}' THEN 'subsidy_only'
                 ELSE CASE WHEN x.rank IS NULL THEN 'unranked' ELSE 'ranked_outside' END
                   || CASE WHEN x.total > 0 OR x.has_deposit_account THEN ' business'
                           ELSE ' no_business' END
                   || ' no_stable_income no_rule'
               END,
               {key}, x.main_income, COALESCE(o.tier, x.tier),
               CASE WHEN o.id IS NULL THEN 'rules' ELSE 'override' END,
               CASE WHEN x.rank IS NULL OR x.rank > {key} THEN '{rules.Band.ACCOUNT_MANAGER}'
                    WHEN x.rank <= {golden} THEN '{rules.Band.GOLDEN}'
                    WHEN x.rank <= {chief} THEN '{rules.Band.CHIEF}'
                    ELSE '{rules.Band.BRANCH_HEAD}' END,
               COALESCE(p.tier, '')
        FROM ({_ranked_sql(key)}) x
        JOIN {week} w ON w.branch_id = x.branch_id AND w.week_start = %(monday)s
        LEFT JOIN {override} o ON o.customer_id = x.customer_id AND o.lifted_at IS NULL
        LEFT JOIN (
            SELECT DISTINCT ON (branch_id) branch_id, id FROM {week}
            WHERE week_start < %(monday)s AND status = '{Week.Status.CONFIRMED}'
            ORDER BY branch_id, week_start DESC
        ) last ON last.branch_id = x.branch_id
        LEFT JOIN {table} p ON p.week_id = last.id AND p.customer_id = x.customer_id
        ORDER BY x.customer_id
    """


def _ranked_sql(key_limit):
    customer = Customer._meta.db_table
    village = Village._meta.db_table
    township = Township._meta.db_table
    stable = ", ".join(f"'{v}'" for v in sorted(rules.STABLE_INCOME))
    return f"""
        SELECT customer_id, branch_id, rank, main_income, total, has_deposit_account,
               CASE
                 WHEN rank <= {int(key_limit)} THEN '{rules.Tier.KEY_FOLLOW_UP}'
                 WHEN (total > 0 OR has_deposit_account) AND main_income IN ({stable})
                   THEN '{rules.Tier.PERIODIC_REVISIT}'
                 WHEN main_income IN ({stable}) THEN '{rules.Tier.CULTIVATION}'
                 WHEN main_income = '{rules.SUBSIDY_ONLY}' THEN '{rules.Tier.GENERAL_ATTENTION}'
                 ELSE '{rules.Tier.UNDECIDED}'
               END AS tier
        FROM (
          SELECT c.id AS customer_id, t.branch_id, c.has_deposit_account, c.main_income,
                 c.deposit_balance + c.loan_balance AS total,
                 CASE WHEN c.deposit_balance + c.loan_balance > 0 THEN
                   ROW_NUMBER() OVER (
                     PARTITION BY t.branch_id, (c.deposit_balance + c.loan_balance > 0)
                     ORDER BY c.deposit_balance + c.loan_balance DESC, c.archived_on, c.id
                   )
                 END AS rank
          FROM {customer} c
          JOIN {village} v ON v.id = c.village_id
          JOIN {township} t ON t.id = v.township_id
        ) ranked
    """


def _rows_of(monday):
    """The rows of every branch's week of `monday`, without their week: what is compared."""
    return f"""
        SELECT c.customer_id, c.rank, c.rule_tier, c.reason_codes, c.key_limit, c.income,
               c.tier, c.source, c.band, c.previous_tier
        FROM {Classification._meta.db_table} c
        JOIN {Week._meta.db_table} w ON w.id = c.week_id
        WHERE w.week_start = '{monday.isoformat()}'
    """


def _differing_rows(ours_monday, floor_monday) -> int:
    """Rows in one of the two weeks and not the other (0: the floor wrote the same rows)."""
    a, b = _rows_of(ours_monday), _rows_of(floor_monday)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a})) d"
        )
        return cursor.fetchone()[0]


def _alternating(first, second, repeat):
    """Medians (ms) of first() and second() run in turn after one warm-up each, so that a
    change of load on a shared machine falls on both alike."""
    first(), second()
    times = ([], [])
    for _ in range(repeat):
        for fn, out in zip((first, second), times, strict=True):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def run(*, Row, median_of):
    branches = list(Branch.objects.all())
    last = Week.objects.aggregate(last=Max("week_start"))["last"]
    first_new = (last or services.week_start_of(REFERENCE_DATE)) + datetime.timedelta(days=7)
    mondays = (first_new + datetime.timedelta(weeks=i) for i in itertools.count())
    done = {"ours": [], "floor": []}

    def ours():
        monday = next(mondays)
        now = timezone.now()
        for branch in branches:
            services.run_week(branch=branch, today=monday, now=now)
        done["ours"].append(monday)

    rulebook = Rulebook.objects.in_force(first_new)
    sql = _floor_sql(rulebook.key_limit)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute("DROP TABLE bench_classification")

    write_sql = _write_floor_sql(rulebook.thresholds)

    def write_floor():
        monday = next(mondays)
        now = timezone.now()
        Week.objects.bulk_create(Week(branch=b, week_start=monday, run_at=now) for b in branches)
        with connection.cursor() as cursor:  # autocommit: the statement commits, as ours do
            cursor.execute(write_sql, {"monday": monday})
        done["floor"].append(monday)

    try:
        ours_ms, write_floor_ms = _alternating(ours, write_floor, REPEAT)
        differing = _differing_rows(done["ours"][-1], done["floor"][-1])
    finally:
        made = Week.objects.filter(week_start__gte=first_new)
        # One statement: the ORM's cascade would load every row to send post_delete.
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Classification._meta.db_table} WHERE week_id IN "
                f"(SELECT id FROM {Week._meta.db_table} WHERE week_start >= %s)",
                [first_new],
            )
        made.delete()
    if differing:
        raise AssertionError(f"the write floor's rows differ from ours in {differing} rows")
    floor_ms = median_of(floor, repeat=REPEAT)
    customers = Customer.objects.count()
    note = f"{len(branches)} branches, {customers} customers, median of {REPEAT}"
    return [
        Row(
            "classify whole bank (run_week per branch) vs one SQL statement",
            ours_ms,
            floor_ms,
            note=f"{note}; floor ranks into a TEMP table",
        ),
        Row(
            "classify whole bank vs one statement writing the same rows",
            ours_ms,
            write_floor_ms,
            note=f"{note}; floor INSERT … SELECT of the same rows (checked equal) "
            "into the real table, committed; run in turn with ours",
        ),
    ]
