"""Demo large fund movements for seed_demo (DOMAIN.md §5.5): a week of the daily extract up
to yesterday, so the morning notice, the follow-ups and the key village customers' page
have content on the day the demo is seeded.

Per corporate branch: movements below and above the notice threshold, exactly at it, a
cross-bank outflow needing a follow-up today, an older one followed up and an older one
overdue; key village customers get movements either side of 500,000. Deterministic for
a seed and a day.
"""

import datetime
import hashlib
import random
from decimal import Decimal

from archives import movement_rules
from archives.models import Movement
from archives.workdays import previous_working_day
from classification.models import FollowUp
from classification.rules import Tier
from credit.models import CorporateCustomer, MovementFollowUp, TeamMember, TeamRole

BANKS = (
    "中国工商银行武汉分行",
    "中国建设银行黄冈分行",
    "招商银行武汉分行",
    "湖北红安农村商业银行城关支行",
)


def seed(*, rng: random.Random, today: datetime.date, at) -> dict:
    window_start, yesterday = movement_rules.notice_window(today)
    earlier = previous_working_day(window_start)
    oldest = previous_working_day(previous_working_day(earlier))
    rows = []
    followed = []
    a_roles = dict(TeamMember.objects.filter(role=TeamRole.A).values_list("customer_id", "user_id"))
    customers = list(
        CorporateCustomer.objects.filter(pk__in=list(a_roles)).order_by("branch__code", "pk")
    )
    by_branch = {}
    for customer in customers:
        by_branch.setdefault(customer.branch_id, []).append(customer)
    for number, group in enumerate(by_branch.values()):
        pick = group[:6]
        if len(pick) < 6:
            continue
        plan = [
            (pick[0], yesterday, "out", BANKS[0], Decimal("12500000.00")),  # follow-up due
            (pick[1], yesterday, "in", BANKS[1], Decimal("18000000.00")),
            (pick[2], window_start, "out", BANKS[3], Decimal("15000000.00")),  # within the bank
            (pick[3], yesterday, "out", BANKS[2], Decimal("10000000.00")),  # at, not above
            (pick[4], earlier, "out", BANKS[1], Decimal("23000000.00")),  # followed up
            (pick[5], oldest, "out", BANKS[0], Decimal("11000000.00")),  # overdue
        ]
        for k, (customer, day, direction, bank, amount) in enumerate(plan):
            if k == 4:
                followed.append((len(rows), a_roles[customer.pk], customer))
            rows.append(
                _movement(
                    customer.credit_code,
                    customer.name,
                    day,
                    direction,
                    bank,
                    amount,
                    f"C{number}-{k}",
                    at,
                )
            )
        for k in range(4):  # everyday movements below the thresholds
            customer = rng.choice(group)
            amount = Decimal(rng.randrange(50_000, 3_000_000_00)) / 100
            day = rng.choice([oldest, earlier, window_start, yesterday])
            rows.append(
                _movement(
                    customer.credit_code,
                    customer.name,
                    day,
                    rng.choice(["in", "out"]),
                    rng.choice(BANKS),
                    amount,
                    f"S{number}-{k}",
                    at,
                )
            )
    key = list(
        FollowUp.objects.filter(tier=Tier.KEY_FOLLOW_UP)
        .select_related("customer")
        .order_by("customer_id")[:12]
    )
    for k, follow_up in enumerate(key):
        c = follow_up.customer
        code = c.id_number or c.credit_code
        amount = Decimal("650000.00") if k % 3 else Decimal("499999.99")
        rows.append(
            _movement(
                code,
                c.name,
                yesterday,
                "in" if k % 2 else "out",
                rng.choice(BANKS),
                amount,
                f"V{k}",
                at,
                customer=c,
            )
        )
    created = Movement.objects.bulk_create(rows)
    for index, user_id, customer in followed:
        MovementFollowUp.objects.create(
            movement=created[index],
            customer=customer,
            learnt="支付上游货款，客户称下月回款后仍在本行结算。",
            action="已上门拜访财务负责人，约定回款归集到本行账户。",
            funds_back="yes",
            recorded_by_id=user_id,
            recorded_at=at(window_start, 10),
        )
    return {"movements": len(rows)}


def _movement(code, name, day, direction, bank, amount, sequence, at, customer=None):
    return Movement(
        account=f"18201{int(hashlib.sha256(code.encode()).hexdigest(), 16) % 10**10:010d}",
        date=day,
        sequence=f"{day:%Y%m%d}{sequence}",
        identifier=code,
        customer_name=name,
        direction=direction,
        counterparty_bank=bank,
        cross_bank=movement_rules.is_cross_bank(bank),
        amount=amount,
        customer=customer,
        imported_at=at(day + datetime.timedelta(days=1), 7),
    )
