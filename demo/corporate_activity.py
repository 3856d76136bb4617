"""Demo contacts, visits and work diaries for seed_demo (DOMAIN.md §5.4).

Runs after the corporate demo with its own random generator. The customers the rules
propose strategic or quality are confirmed on those lists, so the leaders owe them
contacts and visits; then about four months up to a few weeks past the reference day of
activities (leaders' contacts, visits, meetings and salons, managers' visits) and diary
entries, each skipped now and then (and one person a branch often), so "my cadences"
shows overdue and due items and the branch pages show gaps.
"""

import datetime
import random

from django.db.models import Q

from archives import workdays
from archives.models import Branch, Role, User
from credit import cadence_rules as cr
from credit import rules
from credit.facts import facts_for
from credit.models import Activity, CorporateCustomer, DiaryEntry, ListState, TeamMember

DAYS_BEFORE = 120
DAYS_AFTER = 33  # the reference day is 1 November: into early December
NOTES = ("了解经营近况", "沟通授信续期", "介绍代发与结算产品", "了解项目进度", "回访上次需求")
STEPS = ("补充财务报表", "安排行领导拜访", "提交授信申请", "跟进开户", "")
SUMMARIES = ("走访客户两户，整理拜访记录", "准备授信材料", "参加周例会，跟进项目库", "外出对接企业")
PLANS = ("继续走访项目库客户", "提交续贷材料", "约企业财务负责人面谈", "")


def _confirm_lists(reference, at) -> dict[int, str]:
    """Confirm the rules' strategic and quality proposals; customer id -> list."""
    thresholds = rules.thresholds_on(reference)
    facts = facts_for(CorporateCustomer.objects.all(), on=reference)
    important = {
        pk: rules.propose(f, thresholds).list
        for pk, f in facts.items()
        if rules.propose(f, thresholds).list
        in (rules.CreditList.STRATEGIC, rules.CreditList.QUALITY)
    }
    ListState.objects.bulk_create(
        ListState(
            customer_id=pk,
            list=kind,
            confirmed_on=reference,
            status=ListState.Status.CONFIRMED,
            updated_at=at(reference, 10),
        )
        for pk, kind in important.items()
    )
    return important


def seed(*, rng: random.Random, reference: datetime.date, at) -> dict:
    important = _confirm_lists(reference, at)
    start = reference - datetime.timedelta(days=DAYS_BEFORE)
    end = reference + datetime.timedelta(days=DAYS_AFTER)
    days = workdays.working_days(start, end)
    acts: list[tuple[Activity, list[int], list[int]]] = []
    diary: list[DiaryEntry] = []

    def add(kind, day, logger, people, customers, plan=""):
        activity = Activity(
            kind=kind,
            day=day,
            logged_by=logger,
            notes=rng.choice(NOTES),
            next_step=rng.choice(STEPS),
            plan=plan,
        )
        acts.append((activity, [p.pk for p in people], customers))

    a_roles: dict[int, list[int]] = {}
    for user_id, customer_id in TeamMember.objects.filter(role=rules.Role.A).values_list(
        "user", "customer"
    ):
        a_roles.setdefault(user_id, []).append(customer_id)
    for branch in Branch.objects.order_by("code"):
        people = list(
            User.objects.filter(branches=branch, is_active=True)
            .filter(Q(corporate_manager=True) | Q(role__in=(Role.BRANCH_HEAD, Role.DEPUTY_HEAD)))
            .order_by("username")
        )
        heads = [u for u in people if u.role == Role.BRANCH_HEAD]
        deputies = [u for u in people if u.role == Role.DEPUTY_HEAD]
        ours = list(
            CorporateCustomer.objects.filter(branch=branch)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        mine = [pk for pk in ours if pk in important]
        careless = rng.choice(people) if people else None  # often skips, to show gaps
        for day in days:
            for user in people:
                if rng.random() < (0.55 if user == careless else 0.9):
                    diary.append(
                        DiaryEntry(
                            user=user,
                            day=day,
                            summary=rng.choice(SUMMARIES),
                            plan=rng.choice(PLANS),
                        )
                    )
        mondays = [d for d in days if d.weekday() == 0]
        for leader in heads + deputies:
            keen = 0.85 if leader == careless else 0.93
            for monday in mondays:
                for pk in mine:
                    if rng.random() < keen:
                        day = monday + datetime.timedelta(days=rng.randint(0, 4))
                        if day <= end:
                            add(cr.Kind.CONTACT, day, leader, [leader], [pk])
                if leader in heads and rng.random() < keen:
                    add(cr.Kind.PROGRESS_MEETING, monday, leader, people, [])
            for month_start in {d.replace(day=1) for d in days}:
                for pk in mine:
                    if rng.random() < keen:
                        day = month_start + datetime.timedelta(days=rng.randint(2, 26))
                        if day <= end:
                            add(cr.Kind.VISIT, day, leader, [leader], [pk])
                if leader in heads and rng.random() < keen:
                    analysed = rng.sample(ours, min(len(ours), 6))
                    add(
                        cr.Kind.ANALYSIS_MEETING,
                        month_start + datetime.timedelta(days=24),
                        leader,
                        people,
                        analysed,
                    )
            if leader in deputies and mine:
                add(cr.Kind.SALON, start + datetime.timedelta(days=40), leader, [leader], rng.sample(mine, min(3, len(mine))), plan="邀请重点企业财务负责人，介绍供应链金融产品")  # fmt: skip
        for pk in mine:
            if important[pk] == rules.CreditList.STRATEGIC and heads and rng.random() < 0.6:
                day = start + datetime.timedelta(days=rng.randint(0, DAYS_BEFORE))
                add(cr.Kind.JOINT_VISIT, day, heads[0], heads + deputies, [pk])
        for user in people:
            if user.role in (Role.BRANCH_HEAD, Role.DEPUTY_HEAD):
                continue
            for pk in a_roles.get(user.pk, [])[:6]:
                for _ in range(rng.randint(1, 6)):
                    day = start + datetime.timedelta(days=rng.randint(0, DAYS_BEFORE + DAYS_AFTER))
                    add(cr.Kind.VISIT, day, user, [user], [pk])

    Activity.objects.bulk_create([a for a, _p, _c in acts], batch_size=2000)
    Activity.participants.through.objects.bulk_create(
        [
            Activity.participants.through(activity_id=a.pk, user_id=u)
            for a, people, _c in acts
            for u in people
        ],
        batch_size=5000,
    )
    Activity.customers.through.objects.bulk_create(
        [
            Activity.customers.through(activity_id=a.pk, corporatecustomer_id=c)
            for a, _p, customers in acts
            for c in customers
        ],
        batch_size=5000,
    )
    DiaryEntry.objects.bulk_create(diary, batch_size=5000)
    return {"corporate_activities": len(acts), "diary_entries": len(diary)}
