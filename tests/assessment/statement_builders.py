"""Builders for statement tests: a month of field days, findings, ledger lines, and the issue's scenario."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from assessment import fieldwork
from assessment.models import FieldDay, Finding, LedgerEntry, Photo

OCTOBER = datetime.date(2026, 10, 1)  # a month that has ended: it can be closed
NOVEMBER = datetime.date(2026, 11, 1)
D = Decimal
_seq = itertools.count(1)


def make_days(person, village, n, *, month=OCTOBER, status=FieldDay.Status.CONFIRMED, start=1):
    """`n` field days of `person` in `village`, on consecutive days of the month."""
    days = []
    for offset in range(n):
        day = FieldDay.objects.create(
            person=person,
            date=month.replace(day=start + offset),
            branch=village.township.branch,
            households_visited=10,
            diary="走访农户，宣传进村入户政策。",
            status=status,
        )
        day.villages.set([village])
        days.append(day)
    return days


def make_photo(field_day) -> Photo:
    n = next(_seq)
    return Photo.objects.create(
        field_day=field_day,
        image=f"photos/test/{n}.jpg",
        original_name=f"IMG_{n:04d}.jpg",
        size=1000,
        width=320,
        height=240,
        phash=f"{n:016x}",
    )


def make_finding(field_day, *, kind=Finding.Kind.REUSED, status=Finding.Status.OPEN, by=None):
    finding = Finding.objects.create(
        photo=make_photo(field_day), kind=kind, detail="与他人照片相同", status=Finding.Status.OPEN
    )
    if status != Finding.Status.OPEN:
        finding = fieldwork.rule_on_finding(
            finding=finding, reviewer=by, ruling=status, note="核实为重复使用", now=timezone.now()
        )
    return finding


def make_line(person, kind, *, month=OCTOBER, **fields):
    return LedgerEntry.objects.create(
        person=person, month=month, kind=kind, created_at=timezone.now(), **fields
    )


def the_issue_scenario(world, *, month=OCTOBER):
    """manager_a outside the census phase: 14 confirmed field days, one confirmed falsification,
    300,000 yuan fixed deposits, 2 卡乐付 terminals (6 and 3 transactions), 3 福卡 and one
    corporate online banking account with 2 transactions. Payout 3,906.00 (DOMAIN.md §4)."""
    person = world.manager_a
    person.staff_no, person.display_name = "1001", "王小红"
    person.save(update_fields=["staff_no", "display_name"])
    days = make_days(person, world.village_a, 14, month=month, status=FieldDay.Status.SUBMITTED)
    for day in days:
        fieldwork.confirm_field_day(field_day=day, reviewer=world.head_office, now=timezone.now())
    # The falsified photo is on a 15th day, which head office did not count.
    (rejected,) = make_days(
        person, world.village_a, 1, month=month, status=FieldDay.Status.REJECTED, start=20
    )
    make_finding(rejected, status=Finding.Status.CONFIRMED_FALSIFICATION, by=world.head_office)
    lines = {
        "fixed": make_line(person, "fixed_deposit", month=month, amount=D("300000")),
        "t1": make_line(
            person,
            "kalefu",
            month=month,
            item_ref="KLF-0001",
            count=1,
            avg_tx_count=D("6"),
            avg_tx_amount=D("15000"),
        ),
        "t2": make_line(
            person,
            "kalefu",
            month=month,
            item_ref="KLF-0002",
            count=1,
            avg_tx_count=D("3"),
            avg_tx_amount=D("2000"),
        ),
        "fuka": make_line(person, "fuka_cards", month=month, count=3),
        "corporate": make_line(
            person,
            "corporate_ebanking",
            month=month,
            item_ref="红安某公司",
            count=1,
            avg_tx_count=D("2"),
        ),
    }
    return person, lines


# The scenario's statement, line by line (code -> amount), as computed by hand.
SCENARIO_LINES = {
    "subsidy": D("700.00"),  # 14 × 50
    "fixed_deposit": D("1500.00"),  # 30 × 10,000 × 50
    "fuka_cards": D("6.00"),  # 3 × 2
    "corporate_ebanking": D("0.00"),  # 2 transactions < 3
    "kalefu": D("200.00"),  # one of two terminals qualifies
    "fund": D("2000.00"),
    "falsification": D("-200.00"),
    "missing_field_days": D("-200.00"),  # 16 − 14 = 2 × 100
    "inactive_kalefu": D("-100.00"),  # the terminal with 3 transactions
}
SCENARIO_PAYOUT = D("3906.00")
