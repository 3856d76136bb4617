"""The steps of a customer's list (DOMAIN.md §5.2): who may take which step from which state.

Every step is tried from every state by the people who might try it: an allowed step
leaves the list, status and declared list the table says, with one more ListChange;
a refused one says why in Chinese and changes nothing.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from credit import lists
from credit.models import ListChange, ListState

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
LATER = NOW + datetime.timedelta(hours=1)
TODAY = NOW.date()


def declare(w, customer, to, who="branch_head", reason="支行申报"):
    return lists.declare(customer=customer, list=to, reason=reason, user=getattr(w, who), now=NOW)


def confirm(w, customer, who):
    return lists.confirm(customer=customer, user=getattr(w, who), now=NOW)


def refuse(w, customer, who, reason="条件不足"):
    return lists.refuse(customer=customer, reason=reason, user=getattr(w, who), now=NOW)


# Each state a customer can be in, reached through the steps themselves.
STATES = {
    "none": [],
    "basic confirmed": [lambda w, c: declare(w, c, "basic")],
    "strategic declared": [lambda w, c: declare(w, c, "strategic")],
    "strategic finance-confirmed": [
        lambda w, c: declare(w, c, "strategic"),
        lambda w, c: confirm(w, c, "corporate_finance"),
    ],
    "strategic confirmed": [
        lambda w, c: declare(w, c, "strategic"),
        lambda w, c: confirm(w, c, "corporate_finance"),
        lambda w, c: confirm(w, c, "credit_management"),
    ],
    "designated strategic": [
        lambda w, c: lists.designate_strategic(
            customer=c, reason="总行认定", user=w.corporate_finance, now=NOW
        )
    ],
    "quality refused by finance": [
        lambda w, c: declare(w, c, "basic"),
        lambda w, c: declare(w, c, "quality"),
        lambda w, c: refuse(w, c, "corporate_finance"),
    ],
}

STEPS = {
    "declare quality": lambda w, c, who: lists.declare(
        customer=c, list="quality", reason="效益良好", user=getattr(w, who), now=LATER
    ),
    "declare potential": lambda w, c, who: lists.declare(
        customer=c, list="potential", reason="科技型中小企业", user=getattr(w, who), now=LATER
    ),
    "confirm": lambda w, c, who: lists.confirm(customer=c, user=getattr(w, who), now=LATER),
    "refuse": lambda w, c, who: lists.refuse(
        customer=c, reason="材料不全", user=getattr(w, who), now=LATER
    ),
    "designate": lambda w, c, who: lists.designate_strategic(
        customer=c, reason="省级重点项目", user=getattr(w, who), now=LATER
    ),
}

# (state, step, who) -> (list in force, status, declared list) after it, or the refusal.
TABLE = [
    # The branch declares: the branch's lists are confirmed at once, the others wait.
    ("none", "declare quality", "branch_head", ("", "declared", "quality")),
    ("none", "declare quality", "deputy_head", ("", "declared", "quality")),
    ("none", "declare potential", "deputy_head", ("potential", "confirmed", "")),
    ("basic confirmed", "declare quality", "branch_head", ("basic", "declared", "quality")),
    ("basic confirmed", "declare potential", "branch_head", ("potential", "confirmed", "")),
    ("strategic confirmed", "declare potential", "branch_head", ("potential", "confirmed", "")),
    (
        "quality refused by finance",
        "declare quality",
        "branch_head",
        ("basic", "declared", "quality"),
    ),
    ("strategic declared", "declare quality", "branch_head", "已在总行审核"),
    ("strategic declared", "declare potential", "deputy_head", "已在总行审核"),
    ("strategic finance-confirmed", "declare potential", "branch_head", "已在总行审核"),
    # Only head office undoes its designation: another list goes to head office.
    (
        "designated strategic",
        "declare potential",
        "branch_head",
        ("strategic", "declared", "potential"),
    ),
    (
        "designated strategic",
        "declare quality",
        "deputy_head",
        ("strategic", "declared", "quality"),
    ),
    ("none", "declare quality", "corporate_finance", "支行行长或分管副行长可以申报"),
    ("none", "declare quality", "corp_a1", "支行行长或分管副行长可以申报"),
    ("none", "declare potential", "branch_head_2", "支行行长或分管副行长可以申报"),
    # Corporate finance first, then credit management.
    ("strategic declared", "confirm", "corporate_finance", ("", "finance_confirmed", "strategic")),
    ("strategic declared", "confirm", "credit_management", "尚未经公司金融部确认"),
    ("strategic finance-confirmed", "confirm", "credit_management", ("strategic", "confirmed", "")),
    ("strategic finance-confirmed", "confirm", "corporate_finance", "公司金融部已确认"),
    ("strategic confirmed", "confirm", "corporate_finance", "没有待总行审核的申报"),
    ("strategic confirmed", "confirm", "credit_management", "没有待总行审核的申报"),
    ("basic confirmed", "confirm", "corporate_finance", "没有待总行审核的申报"),
    ("none", "confirm", "corporate_finance", "没有待总行审核的申报"),
    ("quality refused by finance", "confirm", "corporate_finance", "已被退回"),
    ("quality refused by finance", "confirm", "credit_management", "已被退回"),
    ("strategic declared", "confirm", "branch_head", "只有总行公司金融部或信贷管理部"),
    # Either department refuses what awaits it; the list in force stays.
    ("strategic declared", "refuse", "corporate_finance", ("", "refused", "strategic")),
    ("strategic finance-confirmed", "refuse", "credit_management", ("", "refused", "strategic")),
    ("strategic declared", "refuse", "credit_management", "尚未经公司金融部确认"),
    ("strategic finance-confirmed", "refuse", "corporate_finance", "公司金融部已确认"),
    ("quality refused by finance", "refuse", "corporate_finance", "已被退回"),
    ("basic confirmed", "refuse", "credit_management", "没有待总行审核的申报"),
    ("strategic declared", "refuse", "deputy_head", "只有总行公司金融部或信贷管理部"),
    # Head office designates strategic: confirmed at once, a declaration overtaken.
    ("none", "designate", "corporate_finance", ("strategic", "confirmed", "")),
    ("basic confirmed", "designate", "credit_management", ("strategic", "confirmed", "")),
    ("strategic declared", "designate", "credit_management", ("strategic", "confirmed", "")),
    (
        "quality refused by finance",
        "designate",
        "corporate_finance",
        ("strategic", "confirmed", ""),
    ),
    ("designated strategic", "designate", "credit_management", "总行已认定"),
    ("designated strategic", "confirm", "corporate_finance", "没有待总行审核的申报"),
    ("none", "designate", "branch_head", "只有总行公司金融部或信贷管理部"),
]


def snapshot(customer):
    state = ListState.objects.filter(customer=customer).first()
    fields = (
        (state.list, state.status, state.requested, state.reason, state.confirmed_on)
        if state
        else None
    )
    return fields, ListChange.objects.filter(customer=customer).count()


@pytest.mark.parametrize(("state", "step", "who", "expected"), TABLE)
def test_each_step_from_each_state_by_each_person(world, state, step, who, expected):
    customer = world.company_1
    for reach in STATES[state]:
        reach(world, customer)
    before = snapshot(customer)

    if isinstance(expected, str):
        with pytest.raises(lists.ListRefused, match=expected):
            STEPS[step](world, customer, who)
        assert snapshot(customer) == before
        return

    STEPS[step](world, customer, who)
    after = ListState.objects.get(customer=customer)
    assert (after.list, after.status, after.requested) == expected
    assert snapshot(customer)[1] == before[1] + 1
    change = ListChange.objects.filter(customer=customer).first()
    assert change.by == getattr(world, who)
    assert change.at == LATER


def test_strategic_needs_both_departments_in_order_and_keeps_every_step(world):
    customer = world.company_1
    declare(world, customer, "basic")
    declare(world, customer, "strategic", reason="省内龙头")
    assert ListState.objects.get(customer=customer).list == "basic"
    confirm(world, customer, "corporate_finance")
    assert ListState.objects.get(customer=customer).list == "basic"
    state = confirm(world, customer, "credit_management")

    assert (state.list, state.confirmed_on) == ("strategic", TODAY)
    steps = list(
        ListChange.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("step", "from_list", "to_list", "reason", "by__username")
    )
    assert steps == [
        ("decided", "", "basic", "支行申报", "branch_head_1"),
        ("declared", "basic", "strategic", "省内龙头", "branch_head_1"),
        ("finance_confirmed", "basic", "strategic", "", "corp_finance"),
        ("credit_confirmed", "basic", "strategic", "", "credit_mgmt"),
    ]


@pytest.mark.parametrize("branch_list", ["basic", "potential", "unlisted"])
def test_the_branch_s_lists_are_confirmed_when_declared(world, branch_list):
    state = declare(world, world.company_1, branch_list)

    assert (state.list, state.status, state.confirmed_on) == (branch_list, "confirmed", TODAY)
    change = ListChange.objects.get(customer=world.company_1)
    assert (change.step, change.from_list, change.to_list) == ("decided", "", branch_list)


@pytest.mark.parametrize("department", ["corporate_finance", "credit_management"])
def test_a_refusal_keeps_the_confirmed_list_and_records_why(world, department):
    customer = world.company_1
    declare(world, customer, "basic")
    declare(world, customer, "quality")
    if department == "credit_management":
        confirm(world, customer, "corporate_finance")

    state = refuse(world, customer, department, reason="利润率低于行业平均")

    assert (state.list, state.status, state.confirmed_on) == ("basic", "refused", TODAY)
    change = ListChange.objects.filter(customer=customer).first()
    assert (change.step, change.from_list, change.to_list, change.reason) == (
        "refused",
        "basic",
        "quality",
        "利润率低于行业平均",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refusal_and_a_designation_need_a_reason(world, reason):
    customer = world.company_1
    declare(world, customer, "strategic")
    before = snapshot(customer)

    with pytest.raises(lists.ListRefused, match="请填写退回的理由"):
        refuse(world, customer, "corporate_finance", reason=reason)
    with pytest.raises(lists.ListRefused, match="请填写总行认定"):
        lists.designate_strategic(
            customer=customer, reason=reason, user=world.credit_management, now=NOW
        )
    assert snapshot(customer) == before


def test_a_declaration_other_than_the_proposal_needs_a_reason(world):
    customer = world.company_1
    lists.run_lists(branch=world.branch1, user=world.branch_head, today=TODAY, now=NOW)
    proposed = customer.proposals.get().list  # company_1 has no figures: on no list

    with pytest.raises(lists.ListRefused, match="请填写理由"):
        declare(world, customer, "basic", reason="")
    state = declare(world, customer, proposed, reason="")

    assert (state.list, state.status) == (proposed, "confirmed")


def test_a_page_showing_an_older_state_is_refused(world):
    customer = world.company_1
    shown = declare(world, customer, "strategic")
    version = lists.version_of(shown)
    lists.confirm(customer=customer, user=world.corporate_finance, now=LATER, version=version)
    before = snapshot(customer)

    with pytest.raises(lists.ListRefused, match="已被他人更改"):
        lists.refuse(
            customer=customer,
            reason="退回",
            user=world.credit_management,
            now=LATER + datetime.timedelta(minutes=5),
            version=version,
        )
    assert snapshot(customer) == before


def test_a_designation_counts_as_strategic_and_cannot_be_given_twice(world):
    customer = world.company_1
    state = lists.designate_strategic(
        customer=customer, reason="省政府重点企业", user=world.corporate_finance, now=NOW
    )
    assert (state.list, state.designation, state.confirmed_on) == (
        "strategic",
        "省政府重点企业",
        TODAY,
    )
    change = ListChange.objects.get(customer=customer)
    assert (change.step, change.from_list, change.to_list, change.reason) == (
        "designated",
        "",
        "strategic",
        "省政府重点企业",
    )

    with pytest.raises(lists.ListRefused, match="总行已认定"):
        lists.designate_strategic(
            customer=customer, reason="再次认定", user=world.credit_management, now=LATER
        )


D = datetime.date


@pytest.mark.parametrize(
    ("confirmed", "today", "due_on"),
    [
        (D(2025, 11, 20), D(2026, 11, 19), None),  # the day before: not due
        (D(2025, 11, 20), D(2026, 11, 20), D(2026, 11, 20)),  # 12 months on: due
        (D(2025, 11, 20), D(2027, 1, 5), D(2026, 11, 20)),
        (D(2024, 2, 29), D(2025, 2, 27), None),
        (D(2024, 2, 29), D(2025, 2, 28), D(2025, 2, 28)),  # the month's last day
        (D(2026, 11, 20), D(2026, 11, 20), None),  # just confirmed
    ],
)
def test_a_list_is_due_for_review_twelve_months_after_its_confirmation(
    world, confirmed, today, due_on
):
    at = datetime.datetime.combine(confirmed, datetime.time(9), tzinfo=SHANGHAI)
    lists.declare(
        customer=world.company_1, list="basic", reason="年审", user=world.branch_head, now=at
    )

    rows = lists.review_due_list(branch=world.branch1, today=today)

    assert [(r.customer, r.due_on) for r in rows] == ([(world.company_1, due_on)] if due_on else [])


def test_a_list_never_confirmed_is_due_now_and_comes_first(world):
    from tests.builders import make_corporate

    other = make_corporate(world.branch1, name="甲企业")
    declare(world, other, "strategic")  # declared, not yet confirmed
    at = datetime.datetime(2024, 1, 2, 9, tzinfo=SHANGHAI)
    lists.declare(
        customer=world.company_1, list="basic", reason="x", user=world.branch_head, now=at
    )

    rows = lists.review_due_list(branch=world.branch1, today=TODAY)

    assert [(r.customer, r.due_on) for r in rows] == [
        (other, None),
        (world.company_1, datetime.date(2025, 1, 2)),
    ]


def test_the_designation_is_lifted_only_when_head_office_confirms_another_list(world):
    customer = world.company_1
    lists.designate_strategic(
        customer=customer, reason="总行认定", user=world.corporate_finance, now=NOW
    )
    declare(world, customer, "basic", reason="经营下滑")
    confirm(world, customer, "corporate_finance")
    assert ListState.objects.get(customer=customer).designation == "总行认定"

    state = confirm(world, customer, "credit_management")

    assert (state.list, state.designation) == ("basic", "")


def test_a_designated_customer_reviewed_as_strategic_keeps_its_designation(world):
    customer = world.company_1
    lists.designate_strategic(
        customer=customer, reason="总行认定", user=world.corporate_finance, now=NOW
    )
    declare(world, customer, "strategic", reason="年度复核")
    confirm(world, customer, "corporate_finance")
    state = confirm(world, customer, "credit_management")

    assert (state.list, state.designation, state.status) == ("strategic", "总行认定", "confirmed")
