"""The demo county's customers: households and organisations, their families and bank business.

Pure generators, no ORM (seed_demo writes), one village at a time from the plan of
demo/county.py.
"""

import datetime
import math
import random
from decimal import Decimal

from stdnum.cn import ric, uscc

from archives.household import MARRIAGE_AGE
from archives.models import CreditRecord, CustomerType, EBankingProduct, MainIncome, Relation

from .county import (
    COUNTY_CODE,
    REFERENCE_DATE,
    TYPES,
    VillageSpec,
    mobile,
    person_name,
    table,
    words,
)

CT, EB = CustomerType, EBankingProduct

CAMPAIGN_START = datetime.date(2026, 3, 1)  # the first villages were filed from here on
NEIGHBOUR_CODES = words("421181 420922 420116 411523")  # 麻城 大悟 黄陂 新县: married in
# Item, unit, smallest and largest size; a unit of 亩 is an area, otherwise a head count.
GROWING = table("""
    水稻 亩 50 800
    油茶 亩 50 1000
    茶叶 亩 30 500
    板栗 亩 50 600
    红安苕 亩 30 300
    花生 亩 30 300
    稻虾共养 亩 50 600
    蔬菜 亩 20 200
""")
BREEDING = table("""
    生猪 头 200 3000
    黄牛 头 30 300
    山羊 只 100 800
    蛋鸡 羽 2000 30000
    淡水鱼 亩 30 400
""")

CITIES = words("武汉 武汉 武汉 深圳 广州 上海 东莞 苏州 杭州 北京 黄冈 麻城")
STREETS = words("正街 新街 老街 中心街 将军路 兴隆街 工业园")
SHOPS = words(
    "农资销售 日用百货 餐饮 农机维修 建材销售 粮食收购 红安大布加工 快递代收 家电维修 理发"
)
BRANDS = words("红源 将军 大别山 天台 老君 金秋 绿源 丰泰 鑫农 楚韵 红峰 山里")
PRODUCTS = words("茶业 油茶 粮油 食品 牧业 农业科技 苕业 生态农业")
OTHER_BANKS = words(
    "邮储银行存款 农业银行存款 建设银行贷款 湖北银行存款 邮储银行贷款 工商银行借记卡"
)
SERVICE_NEEDS = words(
    "希望开通手机银行 关注定期存款利率 需要助农取款服务点 需要POS机 希望提高贷款额度"
)
CHANGE_REASONS = {"phone": "客户更换手机号码", "deposit": "新增存款", "loan": "归还部分贷款"}
CHANGE_REASONS["ebank"] = "新开通手机银行"

# Type: relative frequency (county: ≈50 leading enterprises, ≈1,700 cooperatives), chance of no
# deposit, deposit range, chance of a loan, loan range.
PROFILES = {
    CT.HOUSEHOLD: (840, 0.35, (500, 300_000), 0.12, (20_000, 200_000)),
    CT.LARGE_GROWER: (45, 0.15, (5_000, 800_000), 0.5, (50_000, 1_500_000)),
    CT.INDIVIDUAL_BUSINESS: (80, 0.15, (5_000, 600_000), 0.4, (30_000, 500_000)),
    CT.FAMILY_FARM: (12, 0.1, (10_000, 1_000_000), 0.55, (100_000, 2_000_000)),
    CT.COOPERATIVE: (10, 0.2, (10_000, 2_000_000), 0.45, (200_000, 3_000_000)),
    CT.LEADING_ENTERPRISE: (0.3, 0.05, (200_000, 20_000_000), 0.7, (1_000_000, 30_000_000)),
}
ORGANISATIONS = (CT.COOPERATIVE, CT.LEADING_ENTERPRISE)


# --- small pieces --------------------------------------------------------------------------------


def resident_id(rng, birth: datetime.date, male: bool, used: set, region=COUNTY_CODE) -> str:
    while True:
        sex = rng.randrange(1, 10, 2) if male else rng.randrange(0, 10, 2)
        body = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{sex}"
        number = body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character
        if number not in used:
            used.add(number)
            return number


ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = f"{rng.randrange(10**8):08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, prefix: str, used: set) -> str:
    """prefix: 91 company, 92 individual business, 93 farmer cooperative."""
    while True:
        body = prefix + COUNTY_CODE + org_code(rng)
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def log_amount(rng: random.Random, low: int, high: int, step: int = 1) -> Decimal:
    """A heavy-tailed yuan amount: log-uniform between low and high, rounded to step (1: fen)."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    if step == 1:
        return Decimal(round(value * 100)) / 100
    return Decimal(max(step, round(value / step) * step))


def share(amount: Decimal, rng: random.Random, low: int, high: int) -> Decimal:
    """Between low% and high% of amount, in whole yuan."""
    return (amount * rng.randint(low, high) / 100).quantize(Decimal(1))


def age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- customers -----------------------------------------------------------------------------------


def customers_for_village(rng: random.Random, village: VillageSpec, used: set) -> list:
    """One village's archive: dicts of Customer fields, group, filer, members, later change."""
    start = random_date(rng, CAMPAIGN_START, datetime.date(2026, 9, 30))
    types = rng.choices(TYPES, weights=[PROFILES[t][0] for t in TYPES], k=village.customers)
    if types:
        types[0] = village.first_type
    specs = []
    for i, customer_type in enumerate(types):
        archived_on = min(start + datetime.timedelta(days=rng.randrange(31)), REFERENCE_DATE)
        spec = customer(rng, customer_type, village, archived_on, used)
        spec["filed_by"] = rng.choice(village.owners)
        if i == 0 or rng.random() < 0.015:
            spec["change"] = later_change(rng, spec["fields"], village)
        specs.append(spec)
    return specs


def customer(rng, customer_type, village, archived_on, used) -> dict:
    group = rng.choice(village.groups)[0]
    place = f"红安县{village.township}{village.name}{group}"
    fields = {"customer_type": customer_type, "archived_on": archived_on, "phone": mobile(rng)}
    fields["address"] = place + f"{rng.randint(1, 120)}号"
    members = []
    if customer_type in ORGANISATIONS:
        coop = customer_type == CT.COOPERATIVE
        fields["contact_person"] = person_name(rng, rng.random() < 0.8)
        fields["credit_code"] = credit_code(rng, "93" if coop else "91", used)
        fields["main_income"] = MainIncome.BUSINESS
        fields["business_address"] = place if coop else shop_address(rng, village)
    else:
        male = rng.random() < 0.82
        birth = head_birth_date(rng)
        if customer_type != CT.HOUSEHOLD and age(birth, archived_on) > 68:
            birth = birth.replace(year=birth.year + 20)  # businesses are run by working-age people
        fields["id_number"] = resident_id(rng, birth, male, used)
        fields["birth_date"] = ric.get_birth_date(fields["id_number"])
        fields["name"] = person_name(rng, male)
        members = family(rng, fields["name"], male, fields["birth_date"], archived_on, used)
        fields["household_income"] = log_amount(rng, 15_000, 200_000, 100)
        fields["household_expenses"] = share(fields["household_income"], rng, 50, 95)
    FILLERS[customer_type](rng, fields, village, used)
    if customer_type == CT.HOUSEHOLD:
        fields["main_income"] = household_income_source(rng, fields, members, archived_on)
    bank_business(rng, fields)
    contact = rng.choice(("微信同号", f"固话0713-52{rng.randrange(10**5):05d}"))
    fields.update(
        credit_record=credit_record(rng, fields["loan_balance"] > 0),
        letter_delivered=rng.random() < 0.9,
        contact_card_delivered=rng.random() < 0.85,
        gift_delivered=rng.random() < 0.7,
        contact_method=contact if rng.random() < 0.2 else "",
    )
    fields.update(position(village, group, fields))
    return {"fields": fields, "group": group, "members": members}


# Shanghai time (China Standard Time has no daylight saving): when positions were recorded.
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def position(village: VillageSpec, group: str, fields: dict) -> dict:
    """Where the manager stood when filing: around the village, houses grouped by 组.

    Its own generator, seeded by the customer's identifier and the group, so the rest of
    the county is the same as before positions existed. One customer in eight has none
    (filed before the button, or the phone gave nothing).
    """
    own = random.Random(fields.get("id_number") or fields.get("credit_code"))
    if own.random() < 0.125 or village.fields.get("latitude") is None:
        return {}
    cluster = random.Random(village.fields["code"] + group)
    lat = float(village.fields["latitude"]) + cluster.uniform(-0.004, 0.004)
    lon = float(village.fields["longitude"]) + cluster.uniform(-0.005, 0.005)
    hour = own.randint(8, 17)
    return {
        "latitude": Decimal(f"{lat + own.gauss(0, 0.0008):.6f}"),
        "longitude": Decimal(f"{lon + own.gauss(0, 0.0010):.6f}"),
        "position_accuracy": own.choice((5, 8, 10, 12, 15, 20, 30, 45)),
        "located_at": datetime.datetime.combine(
            fields["archived_on"], datetime.time(hour, own.randrange(60)), tzinfo=CHINA
        ),
    }


def head_birth_date(rng) -> datetime.date:
    """Born 1940-2005, most often in the mid-1960s: heads of household are mostly 45-70."""
    first, span = datetime.date(1940, 1, 1), 24_105  # to 2005-12-30
    return first + datetime.timedelta(days=round(rng.triangular(0, span, 9_000)))


def household_income_source(rng, fields, members, archived_on) -> str:
    if any(m["works_away"] for m in members) and rng.random() < 0.8:
        return MainIncome.WAGES_AWAY
    elderly = age(fields["birth_date"], archived_on) >= 70
    options = (MainIncome.FARMING, MainIncome.SUBSIDY_ONLY, MainIncome.SALARY, MainIncome.NONE)
    return rng.choices(options, weights=(30, 60, 5, 5) if elderly else (70, 8, 15, 7))[0]


def family(rng, head_name, head_male, head_birth, archived_on, used) -> list:
    """2-5 family members consistent with the head's age; some work away from home."""
    head_age, latest = age(head_birth, archived_on), datetime.date(2025, 12, 31)
    surname = head_name[0]
    candidates = []

    def add(relation, birth, male, surname=None, region=COUNTY_CODE):
        if birth > latest or birth.year < 1925:
            return
        member_age = age(birth, archived_on)
        away_chance = 0.55 if relation == Relation.CHILD else 0.2
        away = 18 <= member_age <= 50 and rng.random() < away_chance
        candidate = {
            "name": person_name(rng, male, surname),
            "relation": relation,
            "id_number": resident_id(rng, birth, male, used, region),
            "works_away": away,
            "away_location": rng.choice(CITIES) if away else "",
            "phone": mobile(rng) if member_age >= 16 and rng.random() < 0.85 else "",
        }
        # The survey form refuses a spouse under the legal marriage age (archives.household):
        # such a draw is left out (after its draws, so other households change little).
        if relation != Relation.SPOUSE or member_age >= MARRIAGE_AGE[male]:
            candidates.append(candidate)

    def around(years, days=180):
        offset = round(365.25 * years) + rng.randint(-days, days)
        return head_birth + datetime.timedelta(days=offset)

    if head_age >= 24 and rng.random() < 0.9:
        region = rng.choice(NEIGHBOUR_CODES) if rng.random() < 0.15 else COUNTY_CODE
        gap = rng.randint(-2, 5) * (1 if head_male else -1)  # husbands tend to be older
        add(Relation.SPOUSE, around(gap), not head_male, region=region)
    # Children carry the father's surname.
    family_name = candidates[0]["name"][0] if not head_male and candidates else surname
    first_child, years = None, rng.randint(21, 30)
    for _ in range(rng.randint(1, 3) if head_age >= 22 else 0):
        birth = around(years)
        first_child, years = first_child or birth, years + rng.randint(2, 6)
        add(Relation.CHILD, birth, rng.random() < 0.55, family_name)
    if head_age <= 55:
        for male in (True, False)[: rng.randint(0, 2)]:
            add(Relation.PARENT, around(-rng.randint(22, 34)), male, surname if male else None)
    if head_age >= 50 and first_child:
        for _ in range(rng.randint(0, 2)):
            birth = first_child + datetime.timedelta(days=rng.randint(21 * 365, 32 * 365))
            add(Relation.GRANDCHILD, birth, rng.random() < 0.5, family_name)
    while len(candidates) < 2:
        add(Relation.SIBLING, around(rng.randint(-6, 6)), rng.random() < 0.5, surname)
    members = candidates[: rng.randint(2, 5)]
    for member in members:
        member["birth_date"] = ric.get_birth_date(member["id_number"])
    return members


def shop_address(rng, village) -> str:
    return f"红安县{village.township}{rng.choice(STREETS)}{rng.randint(1, 200)}号"


def business_label(choice) -> str:
    item = choice[0]
    return item if item.endswith("共养") else item + ("种植" if choice in GROWING else "养殖")


def scale_text(label: str, item: str, unit: str, size: int) -> str:
    return f"{label}{size}亩" if unit == "亩" else f"{item}存栏{size}{unit}"


def keep_from_business(rng, fields) -> None:
    """The family lives on part of the business's turnover."""
    fields["household_income"] = share(fields["operating_income"], rng, 12, 35)
    fields["household_expenses"] = share(fields["household_income"], rng, 40, 80)


def fill_household(rng, fields, village, used):
    if rng.random() < 0.3:
        fields["business_items"] = rng.choice(("水稻种植", "红安苕种植", "花生种植", "零星养殖"))
        fields["area_mu"] = Decimal(rng.randint(2, 15))


def fill_grower(rng, fields, village, used, *, farm=False):
    choice = rng.choice(BREEDING if rng.random() < 0.35 else GROWING)
    item, unit, low, high = choice
    size = max(low // 2, rng.randint(low, high) // (2 if farm else 1))
    fields["business_items"] = business_label(choice)
    fields["scale"] = scale_text(fields["business_items"], item, unit, size)
    fields["area_mu"] = Decimal(size if unit == "亩" else rng.randint(2, 30))
    fields["operating_income"] = log_amount(rng, 200_000, 3_000_000, 1000)
    keep_from_business(rng, fields)
    fields["main_income"] = MainIncome.FARMING
    fields["business_address"] = f"红安县{village.township}{village.name}"


def fill_family_farm(rng, fields, village, used):
    fill_grower(rng, fields, village, used, farm=True)
    fields["contact_person"] = fields["name"]
    fields["name"] = f"红安县{fields['name']}家庭农场"
    fields["total_investment"] = log_amount(rng, 200_000, 3_000_000, 10_000)
    if rng.random() < 0.6:
        fields["credit_code"] = credit_code(rng, "92", used)


def fill_business(rng, fields, village, used):
    fields["business_items"] = rng.choice(SHOPS)
    fields["business_address"] = shop_address(rng, village)
    fields["operating_income"] = log_amount(rng, 50_000, 2_000_000, 1000)
    keep_from_business(rng, fields)
    fields["main_income"] = MainIncome.BUSINESS
    if rng.random() < 0.4:
        fields["credit_code"] = credit_code(rng, "92", used)


def fill_cooperative(rng, fields, village, used):
    choice = rng.choice(GROWING + BREEDING)
    item, unit, low, high = choice
    label, size = business_label(choice), rng.randint(low, high) * 2
    fields["name"] = f"红安县{village.name.removesuffix('村')}{label}专业合作社"
    fields["business_items"] = f"{label}、农资统购、技术服务"
    fields["scale"] = scale_text(label, item, unit, size)
    fields["area_mu"] = Decimal(size if unit == "亩" else rng.randint(10, 80))
    fields["registered_capital"] = log_amount(rng, 100_000, 5_000_000, 10_000)
    fields["member_count"] = rng.randint(5, 200)
    fields["operating_income"] = log_amount(rng, 300_000, 8_000_000, 1000)


def fill_enterprise(rng, fields, village, used):
    brand, product = rng.choice(BRANDS), rng.choice(PRODUCTS)
    names = (f"湖北{brand}{product}有限公司", f"红安县{brand}{product}有限责任公司")
    fields["name"] = rng.choice(names)
    fields["business_items"] = f"{product}生产、加工与销售"
    fields["scale"] = f"员工{rng.randint(30, 400)}人,基地{rng.randint(500, 5000)}亩"
    fields["registered_capital"] = log_amount(rng, 1_000_000, 50_000_000, 100_000)
    fields["total_assets"] = log_amount(rng, 5_000_000, 300_000_000, 10_000)
    fields["total_liabilities"] = share(fields["total_assets"], rng, 15, 70)
    fields["operating_income"] = log_amount(rng, 5_000_000, 200_000_000, 10_000)
    fields["credit_rating"] = rng.choice(("AAA", "AA+", "AA", "AA", "A", "BBB"))


FILLERS = {
    CT.HOUSEHOLD: fill_household,
    CT.LARGE_GROWER: fill_grower,
    CT.INDIVIDUAL_BUSINESS: fill_business,
    CT.FAMILY_FARM: fill_family_farm,
    CT.COOPERATIVE: fill_cooperative,
    CT.LEADING_ENTERPRISE: fill_enterprise,
}


def bank_business(rng, fields):
    """Balances, accounts, e-banking products, needs and appointments made during the visit."""
    customer_type = fields["customer_type"]
    _weight, no_deposit, deposits, loan_chance, loans = PROFILES[customer_type]
    organisation = customer_type in ORGANISATIONS
    deposit = Decimal(0) if rng.random() < no_deposit else log_amount(rng, *deposits)
    loan = log_amount(rng, *loans, step=1000) if rng.random() < loan_chance else Decimal(0)
    has_account = deposit > 0 or loan > 0 or rng.random() < 0.3
    fields.update(deposit_balance=deposit, loan_balance=loan, has_deposit_account=has_account)
    products = []
    if has_account:
        young = organisation or fields["birth_date"].year >= 1966
        chances = {EB.FUKA: 0.85, EB.MOBILE_BANKING: 0.6 if young else 0.15, EB.SMS_BANKING: 0.4}
        chances[EB.THIRD_PARTY_PAY] = 0.35 if young else 0.1
        chances[EB.VIP_CARD] = 0.7 if deposit > 200_000 else 0
        if customer_type != CT.HOUSEHOLD:
            chances.update({EB.POS: 0.35, EB.KALEFU: 0.2})
        if organisation:
            chances.update({EB.CORPORATE_ONLINE: 0.7, EB.FUKA: 0})
        products = [p.value for p, chance in chances.items() if rng.random() < chance]
    fields["ebanking_products"] = products
    business = [label for label, amount in (("存款", deposit), ("贷款", loan)) if amount > 0]
    if customer_type == CT.HOUSEHOLD and rng.random() < 0.5:
        business.append("惠农补贴代发")
    fields["bank_business"] = "、".join(business)
    fields["other_bank_business"] = rng.choice(OTHER_BANKS) if rng.random() < 0.25 else ""
    if organisation and loan > 0:
        elsewhere = ",另有他行融资" if rng.random() < 0.4 else ""
        fields["financing"] = f"本行贷款{loan / 10000:.0f}万元{elsewhere}"
    needs_credit = rng.random() < (0.12 if customer_type == CT.HOUSEHOLD else 0.35)
    need = log_amount(rng, *loans, step=10_000) if needs_credit else Decimal(0)
    fields["credit_need"] = need
    fields["service_needs"] = rng.choice(SERVICE_NEEDS) if rng.random() < 0.3 else ""
    # Asked on every visit: no appointment made is a known 0, not an unknown amount.
    fields["appointed_deposit"] = fields["appointed_loan"] = Decimal(0)
    if rng.random() < 0.08:
        fields["appointed_deposit"] = log_amount(rng, 10_000, 500_000, 1000)
    if needs_credit and rng.random() < 0.4:
        fields["appointed_loan"] = need
    missing = [p for p in (EB.MOBILE_BANKING.value, EB.FUKA.value) if p not in products]
    if missing and rng.random() < 0.15:
        fields["appointed_products"] = missing[:1]


def credit_record(rng, has_loan: bool) -> str:
    options = (CreditRecord.GOOD, CreditRecord.FAIR, CreditRecord.BAD, CreditRecord.NONE)
    return rng.choices(options, weights=(85, 12, 3, 0) if has_loan else (40, 4, 1, 55))[0]


def later_change(rng, fields, village) -> dict:
    """An update after filing, so the archive has a change record: who, when, what and why."""
    kinds = ["phone", "deposit"] + (["loan"] if fields["loan_balance"] > 0 else [])
    if EB.MOBILE_BANKING.value not in fields["ebanking_products"]:
        kinds.append("ebank")
    kind = rng.choice(kinds)
    if kind == "phone":
        changes = {"phone": mobile(rng)}
    elif kind == "deposit":
        more = log_amount(rng, 10_000, 200_000, 1000)
        changes = {"deposit_balance": fields["deposit_balance"] + more, "has_deposit_account": True}
    elif kind == "loan":
        changes = {"loan_balance": share(fields["loan_balance"], rng, 30, 90)}
    else:
        products = [*fields["ebanking_products"], EB.MOBILE_BANKING.value]
        changes = {"ebanking_products": products, "has_deposit_account": True}
    on = min(fields["archived_on"] + datetime.timedelta(days=rng.randint(5, 40)), REFERENCE_DATE)
    by = rng.choice(village.owners)
    return {"fields": changes, "reason": CHANGE_REASONS[kind], "by": by, "on": on}
