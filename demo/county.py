"""The demo county's places and staff: branches, townships, villages, groups and logins.

Pure generators, no ORM (seed_demo writes); the customers of each village are
demo/customers.py.
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from archives.models import CustomerType, Role


def words(text: str) -> tuple:
    return tuple(text.split())


def table(text: str) -> list:
    """Rows of a whitespace-separated table; numeric cells become ints."""
    lines = text.strip().splitlines()
    return [tuple(int(c) if c.isdigit() else c for c in line.split()) for line in lines]


# Fixed reference date (the demo's today): generation never reads the clock.
REFERENCE_DATE = datetime.date(2026, 11, 1)
COUNTY_CODE = "421122"  # 红安县
CENTRE = (31.28, 114.62)
CUSTOMERS_PER_VILLAGE = 425  # county scale: 170,000 customers in 400 villages
VILLAGES_PER_BRANCH = 16
SCALES = {"small": 300, "county": 170_000}

# Branch, login slug, township served, township code (illustrative). The first three: small county.
BRANCH_PLANS = table("""
    城关支行 chengguan 城关镇 100
    七里坪支行 qiliping 七里坪镇 101
    八里湾支行 baliwan 八里湾镇 107
    华家河支行 huajiahe 华家河镇 102
    杏花支行 xinghua 杏花乡 200
    二程支行 ercheng 二程镇 103
    上新集支行 shangxinji 上新集镇 104
    高桥支行 gaoqiao 高桥镇 105
    觅儿寺支行 miersi 觅儿寺镇 106
    太平桥支行 taipingqiao 太平桥镇 108
    永佳河支行 yongjiahe 永佳河镇 109
    火连畈支行 huolianfan 火连畈茶场 400
    天台山支行 tiantaishan 天台山风景区 401
    营业部 yingyebu 城关镇 100
    城东支行 chengdong 城关镇 100
    城西支行 chengxi 城关镇 100
    城南支行 chengnan 城关镇 100
    城北支行 chengbei 城关镇 100
    开发区支行 kaifaqu 城关镇 100
    将军城支行 jiangjuncheng 城关镇 100
    陵园支行 lingyuan 城关镇 100
    金沙支行 jinsha 城关镇 100
    倒水河支行 daoshuihe 城关镇 100
    长胜街支行 changshengjie 七里坪镇 101
    新街支行 xinjie 八里湾镇 107
""")
TOWNSHIP_CODES = {township: str(code) for _branch, _slug, township, code in BRANCH_PLANS}
# A township without its own branch in the plan is served by this neighbouring branch.
NEIGHBOUR_BRANCH = {"杏花乡": "chengguan", "华家河镇": "qiliping"}

SURNAMES = "王王李李李张张陈陈陈刘吴吴胡胡詹詹秦秦汪汪戴程程董周徐朱高何郭罗梁宋郑谢韩唐冯曹袁邓许彭吕蔡丁叶余潘杜夏田方石姚谭熊金江柯涂"
MALE_CHARS = "建国华明军伟强勇平刚志文斌杰涛超德新春海林波辉卫兵东江祥福贵荣发成俊浩宇鹏飞红"
FEMALE_CHARS = "秀英兰芳华玉梅丽娟桂珍凤霞琴红燕艳敏静婷芬翠云萍莲娥慧琳雪"
DIGITS_CN = "一二三四五六七八九十"
PLACE_WORDS = words(
    "桃花 杨树 柳林 石门 龙潭 凤凰 松树 枣树 马鞍 金盆 白果 竹林 桂花 团山 丰收 红旗 胜利 光明"
)
HAMLETS = words("家湾 家畈 家冲 家岗 家河 家楼 家大湾")
PHONE_PREFIXES = words("130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159")
PHONE_PREFIXES += words("166 177 180 181 186 187 189 199")
# Every village's first customer has the next of these types, so all six appear.
TYPES = tuple(CustomerType)


@dataclass(frozen=True)
class Scale:
    customers: int
    villages: int
    branches: int
    managers_per_branch: int  # even: managers work in pairs
    chiefs: int
    leaders: int


def scale_for(customers: int) -> Scale:
    """Organisation sized like the county (≈425 customers a village, 16 villages a branch)."""
    villages = max(10, round(customers / CUSTOMERS_PER_VILLAGE))
    branches = min(len(BRANCH_PLANS), max(3, round(villages / VILLAGES_PER_BRANCH)))
    pairs = max(2, math.ceil(villages / branches / 5.5))
    chiefs, leaders = max(2, math.ceil(branches / 3)), max(2, math.ceil(branches / 5))
    return Scale(customers, villages, branches, 2 * pairs, chiefs, leaders)


def parse_scale(value: str) -> Scale:
    value = str(value).strip().lower()
    if value in SCALES:
        return scale_for(SCALES[value])
    if value.isdigit() and int(value) > 0:
        return scale_for(int(value))
    raise ValueError(f"scale must be small, county or a number of customers, not {value!r}")


@dataclass
class StaffSpec:
    username: str
    role: str
    display_name: str
    staff_no: str
    phone: str
    branch_slugs: tuple = ()


@dataclass
class VillageSpec:
    branch_slug: str
    township: str
    owners: tuple  # usernames of the pair of account managers
    groups: list  # [(name, registered households)]
    customers: int
    first_type: str  # every village's first customer has this type: all six types appear
    fields: dict  # Village model fields

    @property
    def name(self) -> str:
        return self.fields["name"]


@dataclass
class Plan:
    branches: list  # [(code, name, slug)]
    townships: list  # [(branch slug, township)]
    staff: list = field(default_factory=list)
    villages: list = field(default_factory=list)


# --- small pieces --------------------------------------------------------------------------------


def mobile(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def person_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
    return (surname or rng.choice(SURNAMES)) + given


# --- organisation --------------------------------------------------------------------------------


def plan_county(scale: Scale, rng: random.Random) -> Plan:
    chosen = BRANCH_PLANS[: scale.branches]
    plan = Plan(
        branches=[(f"HA{i + 1:02d}", name, slug) for i, (name, slug, *_) in enumerate(chosen)],
        townships=[(slug, township) for _name, slug, township, _code in chosen],
    )
    slugs = [slug for _code, _name, slug in plan.branches]
    for township, slug in NEIGHBOUR_BRANCH.items():
        if slug in slugs and township not in {t for _s, t in plan.townships}:
            plan.townships.append((slug, township))

    def hire(username, role, branches=()):
        name = person_name(rng, rng.random() < 0.6)
        staff_no = f"HA{1001 + len(plan.staff)}"
        plan.staff.append(StaffSpec(username, role, name, staff_no, mobile(rng), tuple(branches)))
        return username

    hire("head_office", Role.HEAD_OFFICE)
    for i in range(scale.leaders):
        hire(f"leader_{i + 1}", Role.LEADER, slugs[i :: scale.leaders])
    for i in range(scale.chiefs):
        hire(f"chief_{i + 1}", Role.SECTION_CHIEF, slugs[i :: scale.chiefs])
    managers = {}
    for slug in slugs:
        hire(f"branch_head_{slug}", Role.BRANCH_HEAD, [slug])
        managers[slug] = [
            hire(f"am_{slug}_{k + 1}", Role.ACCOUNT_MANAGER, [slug])
            for k in range(scale.managers_per_branch)
        ]

    weights = [rng.randint(150, 450) for _ in range(scale.villages)]
    counts = [scale.customers * w // sum(weights) for w in weights]
    for i in range(scale.customers - sum(counts)):
        counts[i % scale.villages] += 1
    used_names, sequence = set(), {}
    jitter = [rng.uniform(-0.07, 0.07) for _ in range(2 * len(plan.townships))]
    centres = {
        t: (CENTRE[0] + jitter[2 * k], CENTRE[1] + jitter[2 * k + 1])
        for k, (_s, t) in enumerate(plan.townships)
    }
    for i in range(scale.villages):
        slug, nth = slugs[i % len(slugs)], i // len(slugs)  # nth village of its branch
        served = [t for s, t in plan.townships if s == slug]
        township = served[nth % len(served)]
        sequence[township] = sequence.get(township, 200) + 1
        pair = 2 * (nth % (scale.managers_per_branch // 2))
        registered = max(weights[i], math.ceil(counts[i] * rng.uniform(1.02, 1.25)))
        lat, lon = (c + rng.uniform(-0.03, 0.03) for c in centres[township])
        fields = {
            "code": COUNTY_CODE + TOWNSHIP_CODES[township] + f"{sequence[township]:03d}",
            "name": village_name(rng, township, used_names),
            "registered_households": registered,
            "latitude": Decimal(f"{lat:.6f}"),
            "longitude": Decimal(f"{lon:.6f}"),
            "informant_name": person_name(rng, rng.random() < 0.7),
            "informant_phone": mobile(rng),
            "has_board": rng.random() < 0.8,
            "has_service_point": rng.random() < 0.6,
        }
        owners = tuple(managers[slug][pair : pair + 2])
        groups = split_groups(rng, registered)
        first_type = TYPES[i % len(TYPES)]
        plan.villages.append(
            VillageSpec(slug, township, owners, groups, counts[i], first_type, fields)
        )
    return plan


def village_name(rng: random.Random, township: str, used: set) -> str:
    while True:
        pattern = rng.random()
        if pattern < 0.5:
            stem = rng.choice(SURNAMES) + rng.choice(HAMLETS)
        elif pattern < 0.8:
            stem = rng.choice("上下新老大小东西南北前后高长") + rng.choice(
                "河山岗冲畈桥塘岭店铺坪湾寨林港垸"
            )
        else:
            stem = rng.choice(PLACE_WORDS)
        if (township, stem) not in used:
            used.add((township, stem))
            return stem + "村"


def split_groups(rng: random.Random, households: int) -> list:
    weights = [rng.uniform(0.6, 1.4) for _ in range(rng.randint(3, 6))]
    sizes = [int(households * w / sum(weights)) for w in weights]
    sizes[0] += households - sum(sizes)
    return [(f"{DIGITS_CN[k]}组", size) for k, size in enumerate(sizes)]
