"""Demo project library and credit starts for seed_demo (DOMAIN.md §5.4).

Four months of targets up to the reference month for every corporate manager: some
months under 4 on purpose, existing customers and prospects (valid credit codes), stage
moves forward with notes, some next steps late; and a few new SME credit customers in
the reference quarter and the one before. Its own random generator: deterministic.
"""

import datetime
import itertools
import random

from stdnum.cn import uscc

from archives.models import User
from credit import project_rules as pr
from credit.models import CorporateCustomer, CreditStart, ProjectEntry, StageChange, TeamMember
from demo.county import words

MONTHS = 4
NAMED = (2, 3, 4, 4, 5, 6)  # targets a manager names in a month: 2 and 3 are flagged
PROSPECT_STEMS = words("恒达 中诚 瑞祥 鼎盛 华鑫 腾飞 安信 金鼎 博创 远航 德润 康泰")
PROSPECT_KINDS = ("新材料有限公司", "农业科技有限公司", "建设工程有限公司", "商贸有限公司")
PRODUCTS = ("流动资金贷款", "银行承兑汇票", "代发工资", "企业网银", "保函", "现金管理")
NEXT_STEPS = ("约见财务负责人", "提交授信方案", "补充财务报表", "实地调查", "上贷审会")
NOTES = ("客户有意向", "已报送方案", "审批通过", "", "对方选择他行")


def _months(reference: datetime.date) -> list[datetime.date]:
    first = reference.replace(day=1)
    months = [first]
    for _ in range(MONTHS - 1):
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return sorted(months)


def _code(rng: random.Random, used: set) -> str:
    while True:
        body = "91421122MA" + "".join(
            rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(7)
        )
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def seed(*, rng: random.Random, reference: datetime.date, at) -> dict:
    """Write the demo; `at(day, hour)` makes an aware datetime in the bank's zone."""
    managers = list(
        User.objects.filter(corporate_manager=True, is_active=True)
        .prefetch_related("branches")
        .order_by("username")
    )
    a_customers: dict[int, list[int]] = {}
    for user_id, customer_id in TeamMember.objects.filter(role="A").values_list(
        "user_id", "customer_id"
    ):
        a_customers.setdefault(user_id, []).append(customer_id)
    customers = CorporateCustomer.objects.in_bulk(
        [pk for pks in a_customers.values() for pk in pks]
    )
    used: set = set(CorporateCustomer.objects.values_list("credit_code", flat=True))
    entries, moves, named = [], [], set()
    for manager in managers:
        branch = manager.branches.all()[0] if manager.branches.all() else None
        if branch is None:
            continue
        for month in _months(reference):
            for _ in range(rng.choice(NAMED)):
                day = month + datetime.timedelta(days=rng.randrange(0, 20))
                own = a_customers.get(manager.pk) or []
                customer = customers[rng.choice(own)] if own and rng.random() < 0.4 else None
                prospect = (
                    "" if customer else rng.choice(PROSPECT_STEMS) + rng.choice(PROSPECT_KINDS)
                )
                key = (manager.pk, month, customer.pk if customer else prospect)
                if key in named:
                    continue  # a target is named once a month
                named.add(key)
                stages = [pr.Stage.CONTACTED]
                for step in (pr.Stage.PROPOSAL, pr.Stage.APPROVAL, pr.Stage.WON):
                    if rng.random() < 0.5:
                        break
                    stages.append(step)
                if stages[-1] != pr.Stage.WON and rng.random() < 0.15:
                    stages.append(pr.Stage.LOST)
                entry = ProjectEntry(
                    branch=customer.branch if customer else branch,
                    manager=manager,
                    month=month,
                    customer=customer,
                    prospect_name=prospect,
                    prospect_credit_code="" if customer or rng.random() < 0.3 else _code(rng, used),
                    products=rng.sample(PRODUCTS, rng.randint(1, 3)),
                    stage=stages[-1].value,
                    next_step=rng.choice(NEXT_STEPS),
                    next_step_due=day + datetime.timedelta(days=rng.randint(5, 40)),
                    created_at=at(day, 9),
                    updated_at=at(day, 9),
                )
                entries.append(entry)
                moved = day
                for from_stage, to_stage in itertools.pairwise(stages):
                    moved += datetime.timedelta(days=rng.randint(2, 10))
                    moves.append((entry, from_stage, to_stage, rng.choice(NOTES), at(moved, 15)))
    ProjectEntry.objects.bulk_create(entries)
    StageChange.objects.bulk_create(
        StageChange(
            entry=entry, from_stage=f.value, to_stage=t.value, note=note, by=entry.manager, at=when
        )
        for entry, f, t, note, when in moves
    )
    for entry, *_rest, when in moves:
        entry.updated_at = max(entry.updated_at, when)
    ProjectEntry.objects.bulk_update(entries, ["updated_at"])

    # New SME credit customers: a few A customers, this quarter and the one before.
    starts = []
    quarter = pr.quarter_of(reference)
    previous = pr.quarter_of(quarter - datetime.timedelta(days=1))
    for manager in managers:
        own = sorted(a_customers.get(manager.pk) or [])
        if not own or rng.random() < 0.4:
            continue
        customer = customers[rng.choice(own)]
        start = quarter if rng.random() < 0.5 else previous
        starts.append(
            CreditStart(
                customer=customer,
                manager=manager,
                branch=customer.branch,
                started_on=start + datetime.timedelta(days=rng.randrange(0, 28)),
            )
        )
    CreditStart.objects.bulk_create(starts, ignore_conflicts=True)
    return {"project_entries": len(entries), "credit_starts": CreditStart.objects.count()}
