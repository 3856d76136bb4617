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

from archives.demo import REFERENCE_DATE
from archives.models import Branch, Customer, Township, Village
from classification import rules, services
from classification.models import Rulebook, Week

REPEAT = 3


def _floor_sql(key_limit):
    customer = Customer._meta.db_table
    village = Village._meta.db_table
    township = Township._meta.db_table
    stable = ", ".join(f"'{v}'" for v in sorted(rules.STABLE_INCOME))
    return f"""
        CREATE TEMP TABLE bench_classification AS
        SELECT customer_id, branch_id, rank,
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

    try:
        ours_ms = median_of(ours, repeat=REPEAT)
    finally:
        Week.objects.filter(week_start__gte=first_new).delete()
    floor_ms = median_of(floor, repeat=REPEAT)
    customers = Customer.objects.count()
    return [
        Row(
            "classify whole bank (run_week per branch) vs one SQL statement",
            ours_ms,
            floor_ms,
            note=f"{len(branches)} branches, {customers} customers, median of {REPEAT}",
        )
    ]
