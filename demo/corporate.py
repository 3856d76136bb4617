"""Demo corporate credit customers for seed_demo (DOMAIN.md §5): industries, groups, customers
on each of the four lists and off them, a year of core-banking figures, teams and managers.

Runs after the village demo with its own random generator, so the village data stays as
it was. Every customer is drawn for the list it should land on, with figures clear of
the thresholds, so `credit.rules.propose` puts it there; some teams are left short on
purpose, and some managers carry more than a full load.
"""

import datetime
import math
import random
from decimal import Decimal

from django.db.models import Count
from simple_history.utils import bulk_create_with_history
from stdnum.cn import uscc

from archives.models import Branch, BranchKind, Customer, Role, User
from credit import allocation, rules
from credit.models import CorporateCustomer, Figures, Group, Industry, TeamMember
from demo.county import mobile, person_name, words
from demo.customers import org_code

BATCH = 2000
PER_VILLAGE_CUSTOMERS = 56  # one corporate customer for about 56 village customers
AT_LEAST = 300
MONTHS = 12
CORPORATE_PER_MANAGER = 18  # the A roles a corporate-only manager carries on average

# Industry code (GB/T 4754), name, word in company names, key supported, 两增两控.
INDUSTRIES = (
    ("A01", "农业", "农业发展", False, True),
    ("C13", "农副食品加工业", "食品", False, True),
    ("C27", "医药制造业", "医药", True, False),
    ("C30", "非金属矿物制品业", "建材", False, False),
    ("C39", "计算机、通信和其他电子设备制造业", "电子科技", True, True),
    ("D44", "电力、热力生产和供应业", "能源", True, False),
    ("E47", "房屋建筑业", "建筑工程", False, False),
    ("F51", "批发业", "商贸", False, False),
    ("I65", "软件和信息技术服务业", "软件", True, True),
    ("K70", "房地产业", "置业", False, False),
)
GROUP_STEMS = ("楚天", "荆楚", "大别山", "长江", "江城", "鄂东", "红安", "汉江", "黄冈", "光谷")
GROUP_KINDS = ("建设集团", "实业集团", "控股集团", "投资集团", "产业集团", "农业集团")
NAME_STEMS = words(
    "华润 宏达 金桥 恒信 鑫源 长兴 永盛 天成 瑞丰 鸿运 新锐 博远 卓越 东方 九州 "
    "汇通 和顺 兴业 正大 同心 建安 德源 佳和 明珠 安泰 嘉禾 盛世 广源 凯达 联创"
)
PRODUCTS = (
    "对公结算账户",
    "企业网银",
    "代发工资",
    "流动资金贷款",
    "银行承兑汇票",
    "保函",
    "现金管理",
    "POS收单",
    "公司信用卡",
    "国际结算",
)
JUDGEMENTS = (
    "区域内唯一管道燃气经营企业,带动上下游结算",
    "县域龙头品牌,掌握本地优质矿产资源",
    "本地最大农产品批发市场运营方,商户结算渠道",
)
STATUS_FLAGS = [name for name, _label in rules.STRATEGIC_STATUS]
REGIONS = {BranchKind.WUHAN: ("420102", "420111", "420106"), BranchKind.PREFECTURE: ("421122",)}
PLACES = {BranchKind.WUHAN: "武汉", BranchKind.PREFECTURE: "红安"}
# The list each customer is drawn for, with its share of the customers.
MIX = (
    (rules.CreditList.STRATEGIC, 0.06),
    (rules.CreditList.QUALITY, 0.14),
    (rules.CreditList.BASIC, 0.40),
    (rules.CreditList.POTENTIAL, 0.15),
    (rules.CreditList.UNLISTED, 0.25),
)
WAN = 10_000


def count_for(village_customers: int) -> int:
    """About 300 at the small scale, 3,000 at the county's."""
    return max(AT_LEAST, round(village_customers / PER_VILLAGE_CUSTOMERS))


def months_before(reference: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months before the reference month, oldest first."""
    months, day = [], reference.replace(day=1)
    for _ in range(MONTHS):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
        months.append(day)
    return months[::-1]


def yuan(rng: random.Random, low_wan: float, high_wan: float) -> Decimal:
    """A sum between two amounts in 万元, to the yuan."""
    return Decimal(round(rng.uniform(low_wan, high_wan) * WAN))


def credit_code(rng: random.Random, region: str, used: set) -> str:
    while True:
        body = "91" + region + org_code(rng)
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


# --- one customer, drawn for a list -----------------------------------------------------------


def _base_figures() -> dict:
    return {
        "exposure": Decimal(0),
        "deposits": Decimal(0),
        "settlement_share": None,
        "funds_return_rate": None,
        "online_banking_opened": False,
        "online_banking_settlement": False,
        "payroll_headcount": None,
        "payroll_monthly": None,
        "pos_monthly": None,
        "credit_cards": None,
        "products": [],
    }


def strategic(rng, fields, fig, industries):
    fields["industry"] = rng.choice(industries)
    fields["size"] = "large"
    fields["has_credit_line"] = True
    way = rng.choice(("status", "size", "agreement", "judgement"))
    fig["exposure"] = yuan(rng, 8_000, 40_000)
    if way == "status":
        fields[rng.choice(STATUS_FLAGS)] = True
    elif way == "size":
        fig["exposure"] = yuan(rng, 20_500, 60_000)
    elif way == "agreement":
        fields["strategic_agreement"] = True
        fields["head_to_head_agreement"] = rng.random() < 0.3
    else:
        fields["strategic_judgement"] = rng.choice(JUDGEMENTS)
    fields["bank_shareholder"] = rng.random() < 0.15
    fields["government_related_group"] = rng.random() < 0.15
    fig["deposits"] = yuan(rng, 2_000, 12_000)
    fig["products"] = rng.sample(PRODUCTS, rng.randint(4, 7))
    fig["online_banking_opened"] = fig["online_banking_settlement"] = True


def quality(rng, fields, fig, key_industries):
    fields["industry"] = rng.choice(key_industries)
    fields["size"] = rng.choice(("large", "medium"))
    fields["has_credit_line"] = True
    fields["sound_finances"] = True
    average = Decimal(rng.randint(300, 1200)) / 100
    fields["industry_average_margin"] = average
    fields["profit_margin"] = average + Decimal(rng.randint(50, 500)) / 100
    if rng.random() < 0.6:  # criterion 3 by exposure, else by deposits
        fig["exposure"] = yuan(rng, 5_100, 19_000)
        fig["deposits"] = yuan(rng, 500, 4_500)
    else:
        fig["exposure"] = yuan(rng, 1_200, 4_500)
        fig["deposits"] = yuan(rng, 2_100, 4_800)
    fig["products"] = rng.sample(PRODUCTS, rng.randint(3, 6))
    fig["online_banking_opened"] = fig["online_banking_settlement"] = True
    fig["settlement_share"] = Decimal(rng.randint(5500, 9500)) / 100
    fig["funds_return_rate"] = Decimal(rng.randint(2500, 7000)) / 100


def basic(rng, fields, fig, industries, two_up_industries):
    way = rng.choice(("industry", "online", "payroll", "pos", "cards", "products"))
    fields["industry"] = rng.choice(two_up_industries if way == "industry" else industries)
    fields["size"] = rng.choice(("medium", "small", "small", "micro"))
    fields["has_credit_line"] = True
    # Most basic customers borrow a few million; some above the team's lower threshold.
    fig["exposure"] = yuan(rng, 150, 1_500) if rng.random() < 0.7 else yuan(rng, 1_500, 4_500)
    fig["deposits"] = yuan(rng, 30, 1_500)
    fig["products"] = rng.sample(PRODUCTS, 2 if way == "products" else 1)
    if way == "online":
        fig["online_banking_opened"] = fig["online_banking_settlement"] = True
    elif way == "payroll":
        fig["payroll_headcount"] = rng.randint(25, 140)
        fig["payroll_monthly"] = yuan(rng, 6, 70)
    elif way == "pos":
        fig["pos_monthly"] = yuan(rng, 35, 450)
    elif way == "cards":
        fig["credit_cards"] = rng.randint(10, 19)


def potential(rng, fields, fig, industries):
    fields["industry"] = rng.choice(industries)
    fields["size"] = rng.choice(("small", "micro", "medium"))
    if rng.random() < 0.5:
        fields["tax_grade"] = rng.choice(("A", "B"))
    if not fields.get("tax_grade") or rng.random() < 0.4:
        kinds = [k for k in rules.PolicyKind if k != rules.PolicyKind.OTHER]
        fields["policy_kinds"] = sorted(rng.sample(kinds, rng.randint(1, 2)))
    fig["deposits"] = yuan(rng, 5, 300)
    fig["products"] = ["对公结算账户"]


def unlisted(rng, fields, fig, plain_industries):
    """Credit that meets nothing, no credit and no policy kind, or no figures at all."""
    fields["industry"] = rng.choice(plain_industries)
    fields["size"] = rng.choice(("small", "micro"))
    draw = rng.random()
    if draw < 0.6:
        fields["has_credit_line"] = True
        fig["exposure"] = yuan(rng, 20, 900)
        fig["deposits"] = yuan(rng, 5, 200)
        fig["payroll_headcount"] = rng.randint(3, 18)
        fig["payroll_monthly"] = yuan(rng, 1, 4.5)
        fig["credit_cards"] = rng.randint(0, 8)
        fig["products"] = rng.sample(PRODUCTS, 1)
        return fig
    fields["tax_grade"] = rng.choice(("M", "C", ""))
    if draw < 0.85:
        fig["deposits"] = yuan(rng, 1, 80)
        return fig
    return None  # a new customer: no figures imported yet


# --- the whole demo ---------------------------------------------------------------------------


def seed(*, rng: random.Random, village_customers: int, reference: datetime.date, at) -> dict:
    """Write the corporate demo; `at(day, hour)` makes an aware datetime in the bank's zone."""
    head_office = User.objects.get(username="head_office")
    branches = list(Branch.objects.order_by("code"))
    # Every third branch is a Wuhan city first-level branch: both team thresholds appear.
    wuhan = [b.pk for k, b in enumerate(branches) if k % 3 == 2]
    Branch.objects.filter(pk__in=wuhan).update(kind=BranchKind.WUHAN)
    for branch in branches:
        branch.kind = BranchKind.WUHAN if branch.pk in wuhan else BranchKind.PREFECTURE
    opened = at(reference.replace(year=reference.year - 1, month=1, day=5), 9)

    industries = [
        Industry(code=code, name=name, key_supported=key, two_up_two_control=two)
        for code, name, _word, key, two in INDUSTRIES
    ]
    bulk_create_with_history(industries, Industry, default_user=head_office, default_date=opened)
    words = {i.code: word for i, (_c, _n, word, *_f) in zip(industries, INDUSTRIES, strict=True)}
    key_industries = [i for i in industries if i.key_supported]
    two_up = [i for i in industries if i.two_up_two_control]
    plain = [i for i in industries if not (i.key_supported or i.two_up_two_control)]

    staff = _staff(rng, branches, head_office)
    total = count_for(village_customers)
    per_branch = [
        total // len(branches) + (k < total % len(branches)) for k in range(len(branches))
    ]

    customers, latest = [], {}
    used_codes, used_names = set(), set()
    for branch, n in zip(branches, per_branch, strict=True):
        targets = [t for t, share in MIX for _ in range(round(n * share))]
        targets = (targets + [rules.CreditList.BASIC] * n)[:n]
        for target in targets:
            fields, fig = {"policy_kinds": []}, _base_figures()
            if target == rules.CreditList.STRATEGIC:
                strategic(rng, fields, fig, industries)
            elif target == rules.CreditList.QUALITY:
                quality(rng, fields, fig, key_industries)
            elif target == rules.CreditList.BASIC:
                basic(rng, fields, fig, industries, two_up)
            elif target == rules.CreditList.POTENTIAL:
                potential(rng, fields, fig, industries)
            else:
                fig = unlisted(rng, fields, fig, plain)
            customer = CorporateCustomer(
                branch=branch,
                name=_company_name(rng, branch, words[fields["industry"].code], fields, used_names),
                credit_code=credit_code(rng, rng.choice(REGIONS[branch.kind]), used_codes),
                legal_representative=person_name(rng, rng.random() < 0.7),
                finance_contact=person_name(rng, rng.random() < 0.4),
                finance_phone=mobile(rng),
                relationship_since=datetime.date(rng.randint(2008, 2025), rng.randint(1, 12), 1)
                if target != rules.CreditList.POTENTIAL
                else None,
                **fields,
            )
            customers.append(customer)
            latest[id(customer)] = fig
    bulk_create_with_history(
        customers,
        CorporateCustomer,
        batch_size=BATCH,
        default_user=head_office,
        default_date=opened,
    )

    groups = _groups(rng, customers, head_office, opened)
    figures = _figures(rng, customers, latest, reference, at)
    bulk_create_with_history(figures, Figures, batch_size=BATCH, default_user=head_office)
    team = _teams(rng, branches, customers, latest, staff, reference)
    bulk_create_with_history(
        team, TeamMember, batch_size=BATCH, default_user=head_office, default_date=opened
    )
    return {
        "corporate": len(customers),
        "corporate_groups": len(groups),
        "corporate_figures": len(figures),
        "corporate_team": len(team),
    }


def _company_name(rng, branch, word, fields, used) -> str:
    suffix = "股份有限公司" if fields.get("size") == "large" and rng.random() < 0.5 else "有限公司"
    while True:
        name = PLACES[branch.kind] + rng.choice(NAME_STEMS) + word + suffix
        if name in used:
            name = PLACES[branch.kind] + rng.choice(NAME_STEMS) + rng.choice(NAME_STEMS) + word
            name += suffix
        if name not in used:
            used.add(name)
            return name


def _staff(rng, branches, head_office) -> dict:
    """Branch -> its corporate managers (village managers flagged first, then corporate-only),
    with the retail customers each maintains; deputies and head office's departments too."""
    hashed, must_change = head_office.password, head_office.must_change_password
    heads = User.objects.filter(role=Role.BRANCH_HEAD).prefetch_related("branches")
    slug = {b.pk: h.username.removeprefix("branch_head_") for h in heads for b in h.branches.all()}
    village_managers = {}
    for user in User.objects.filter(role=Role.ACCOUNT_MANAGER).prefetch_related("branches"):
        for b in user.branches.all():
            village_managers.setdefault(b.pk, []).append(user)
    flagged = {
        b.pk: sorted(village_managers.get(b.pk, []), key=lambda u: u.username)[:2] for b in branches
    }
    User.objects.filter(pk__in=[u.pk for us in flagged.values() for u in us]).update(
        corporate_manager=True
    )

    def person(username, role, n):
        name = person_name(rng, rng.random() < 0.55)
        return User(
            username=username,
            role=role,
            display_name=name,
            last_name=name[0],
            first_name=name[1:],
            staff_no=f"HC{2001 + n}",
            phone=mobile(rng),
            password=hashed,
            must_change_password=must_change,
            corporate_manager=role == Role.ACCOUNT_MANAGER,
        )

    new, branch_of = [], {}
    new.append(person("corp_finance", Role.CORPORATE_FINANCE, len(new)))
    new.append(person("credit_mgmt", Role.CREDIT_MANAGEMENT, len(new)))
    for b in branches:
        deputy = person(f"deputy_{slug[b.pk]}", Role.DEPUTY_HEAD, len(new))
        new.append(deputy)
        branch_of[deputy.username] = b
    User.objects.bulk_create(new)
    # The corporate-only managers are hired in _teams, once each branch's book is known.
    return {"flagged": flagged, "slug": slug, "person": person, "new": new, "branch_of": branch_of}


def _groups(rng, customers, head_office, opened) -> list:
    credit_customers = [c for c in customers if c.has_credit_line]
    wanted = min(len(GROUP_STEMS) * len(GROUP_KINDS), max(6, len(customers) // 40))
    names = rng.sample([s + k for s in GROUP_STEMS for k in GROUP_KINDS], wanted)
    groups = [Group(name=name) for name in sorted(names)]
    bulk_create_with_history(groups, Group, default_user=head_office, default_date=opened)
    members = rng.sample(credit_customers, min(len(credit_customers), 3 * wanted))
    for k, customer in enumerate(members):
        customer.group = groups[k % wanted]
    CorporateCustomer.objects.bulk_update(members, ["group"], batch_size=BATCH)
    return groups


def _figures(rng, customers, latest, reference, at) -> list:
    """Twelve months of figures: earlier months drift around the latest, which decides."""
    months = months_before(reference)
    rows = []
    for customer in customers:
        fig = latest[id(customer)]
        if fig is None:
            continue
        for k, month in enumerate(months):
            values = dict(fig)
            if k < len(months) - 1:
                drift = Decimal(1) + Decimal(rng.randint(-80, 80)) / 1000
                for name in ("exposure", "deposits"):
                    values[name] = (values[name] * drift).quantize(Decimal(1))
            following = (month + datetime.timedelta(days=32)).replace(day=5)
            figures = Figures(
                customer=customer, period=month, imported_at=at(following, 9), **values
            )
            figures._history_date = figures.imported_at
            rows.append(figures)
    return rows


def _teams(rng, branches, customers, latest, staff, reference) -> list:
    """A, B1 and B2 roles as each customer's (group) exposure needs, some left short."""
    thresholds = rules.thresholds_on(reference)
    exposure = {id(c): (latest[id(c)] or {}).get("exposure") or Decimal(0) for c in customers}
    group_total: dict[int, Decimal] = {}
    for c in customers:
        if c.group_id:
            group_total[c.group_id] = group_total.get(c.group_id, Decimal(0)) + exposure[id(c)]
    flagged = staff["flagged"]
    retail = dict(
        Customer.objects.filter(village__owners__in=[u for us in flagged.values() for u in us])
        .values_list("village__owners")
        .annotate(n=Count("pk"))
        .order_by()
    )
    new_managers, rows = [], []
    of_branch: dict[int, list] = {}
    for c in customers:
        of_branch.setdefault(c.branch_id, []).append(c)
    for branch in branches:
        mine = of_branch.get(branch.pk, [])
        rng.shuffle(mine)
        capacities = []
        for user in flagged[branch.pk]:
            # A village manager with a full village book takes few corporate customers.
            room = 1 - retail.get(user.pk, 0) / thresholds.retail_per_manager
            capacities.append((user, rng.randint(5, 9) if room > 0.3 else rng.randint(1, 3)))
        remaining = max(0, len(mine) - sum(n for _u, n in capacities))
        n = max(2, math.ceil(remaining / CORPORATE_PER_MANAGER))
        shares = [remaining // n + (k < remaining % n) for k in range(n)]
        if shares[-1] >= 8:  # the first carries more than a full load
            shares[0], shares[-1] = shares[0] + 4, shares[-1] - 4
        for k, share in enumerate(shares):
            user = staff["person"](
                f"corp_{staff['slug'][branch.pk]}_{k + 1}",
                Role.ACCOUNT_MANAGER,
                len(staff["new"]) + len(new_managers),
            )
            new_managers.append((user, branch))
            capacities.append((user, share))
        holders = [u for u, share in capacities for _ in range(share)]
        managers = [u for u, _share in capacities]
        for k, customer in enumerate(mine):
            key = customer.group_id
            sized = group_total[key] if key else exposure[id(customer)]
            roles = allocation.team_for(sized, rules.BranchKind(branch.kind), thresholds).roles
            a = holders[k] if k < len(holders) else rng.choice(managers)
            others = rng.sample([m for m in managers if m is not a], 2)
            team = [(a, rules.Role.A), (others[0], rules.Role.B1)]
            if rules.Role.B2 in roles:
                team.append((others[1], rules.Role.B2))
            short = k == 0 or rng.random() < 0.06  # some teams left short on purpose
            if short:
                team = team[:-1]
            rows += [(customer, user, role) for user, role in team]
    users = [u for u, _b in new_managers]
    User.objects.bulk_create(users)
    Through = User.branches.through
    Through.objects.bulk_create(
        [Through(user=u, branch=b) for u, b in new_managers]
        + [Through(user=u, branch=staff["branch_of"][u.username]) for u in staff["new"][2:]]
    )
    return [TeamMember(customer=c, user=u, role=r) for c, u, r in rows]
