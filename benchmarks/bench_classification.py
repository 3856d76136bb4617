"""Weekly classification of the whole bank: run_week per branch vs. one SQL statement.

Ours: services.run_week for every branch, each repetition on a new week (successive
Mondays after the last week in the database), so every run ranks, tiers and writes
for real. Floor: one hand-written statement that ranks every branch's customers by
deposits + loans and derives the tier with CASE into a TEMP table (dropped after).
The floor writes only id, branch, rank and tier, into a TEMP table (no WAL, no
index, no constraint); ours also writes reason codes, band, source and the previous
tier into the real table: its primary key, the unique (week, customer), the index
(customer, week) and two foreign keys checked at commit. The weeks made here are
deleted afterwards.
"""

import datetime
import itertools

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from archives.models import Branch, Customer, Township, Village
from classification import rules, services
from classification.models import Classification, Rulebook, Week
from demo.county import REFERENCE_DATE

REPEAT = 3


def _floor_sql(key_limit):
    return f"CREATE TEMP TABLE bench_classification AS {_ranked_sql(key_limit)}"


def _write_floor_sql(key_limit):
    """The same ranking and tiering written as whole rows into the real table, one statement.

    Every row gets the week of its branch; reason codes, override and previous tier are
    left out (constants), so this is the cost of the ranking plus the writes ours must do.
    """
    table = Classification._meta.db_table
    week = Week._meta.db_table
    return f"""
        INSERT INTO {table} (
            week_id, customer_id, rank, rule_tier, reason_codes, key_limit, income,
            tier, source, band, previous_tier
        )
        SELECT w.id, x.customer_id, x.rank, x.tier, '', {int(key_limit)}, x.main_income,
               x.tier, 'rules', 'account_manager', ''
        FROM ({_ranked_sql(key_limit)}) x
        JOIN {week} w ON w.branch_id = x.branch_id AND w.week_start = %s
        ORDER BY x.customer_id
    """


def _ranked_sql(key_limit):
    customer = Customer._meta.db_table
    village = Village._meta.db_table
    township = Township._meta.db_table
    stable = ", ".join(f"'{v}'" for v in sorted(rules.STABLE_INCOME))
    return f"""
        SELECT customer_id, branch_id, rank, main_income,
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


def run(*, Row, median_of):
    branches = list(Branch.objects.all())
    last = Week.objects.aggregate(last=Max("week_start"))["last"]
    first_new = (last or services.week_start_of(REFERENCE_DATE)) + datetime.timedelta(days=7)
    mondays = (first_new + datetime.timedelta(weeks=i) for i in itertools.count())

    def ours():
        monday = next(mondays)
        now = timezone.now()
        for branch in branches:
            services.run_week(branch=branch, today=monday, now=now)

    sql = _floor_sql(Rulebook.objects.in_force(first_new).key_limit)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute("DROP TABLE bench_classification")

    write_sql = _write_floor_sql(Rulebook.objects.in_force(first_new).key_limit)

    def write_floor():
        monday = next(mondays)
        now = timezone.now()
        Week.objects.bulk_create(Week(branch=b, week_start=monday, run_at=now) for b in branches)
        with connection.cursor() as cursor:  # autocommit: the statement commits, as ours do
            cursor.execute(write_sql, [monday])

    try:
        ours_ms = median_of(ours, repeat=REPEAT)
        write_floor_ms = median_of(write_floor, repeat=REPEAT)
    finally:
        Week.objects.filter(week_start__gte=first_new).delete()
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
            note=f"{note}; floor INSERT … SELECT into the real table, committed",
        ),
    ]
