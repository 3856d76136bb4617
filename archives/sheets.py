"""The spreadsheet layout of the archive: columns, Chinese headers and accepted values.

Import, the import template and the export all read this module, so a file
exported, a template downloaded and a file imported name things the same way.
The column *list* comes from archives/survey.py; this module only gives each
column its Chinese header and each choice its Chinese labels. Headers and labels
are a data format that files in circulation depend on, so they are fixed here
rather than taken from the translation catalogue (whose wording may change); the
catalogue's current labels and the field names are accepted as well on import.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import translation

from .models import (
    CreditRecord,
    Customer,
    CustomerType,
    EBankingProduct,
    FamilyMember,
    MainIncome,
    Relation,
)
from .survey import (
    ALL_TYPE_FIELDS,
    BALANCE_FIELDS,
    COMMON_FIELDS,
    IDENTITY_FIELDS,
    SEVEN_ONES_FIELDS,
)

CUSTOMER_SHEET = "客户"
MEMBER_SHEET = "家庭成员"
NOTES_SHEET = "说明"
# The hidden sheet holding the templates' long drop-down lists (archives/dropdowns.py).
LISTS_SHEET = "下拉选项"

# The first label of each choice is the one written in exports and the template.
CHOICE_LABELS = {
    CustomerType: {
        CustomerType.HOUSEHOLD: ("一般农户（含外出务工人员）", "一般农户", "农户"),
        CustomerType.LARGE_GROWER: ("农村经营大户", "种养殖大户", "经营大户"),
        CustomerType.INDIVIDUAL_BUSINESS: ("个体工商户", "个体户"),
        CustomerType.FAMILY_FARM: ("家庭农场",),
        CustomerType.COOPERATIVE: ("农民专业合作社", "合作社"),
        CustomerType.LEADING_ENTERPRISE: ("农业产业化龙头企业", "龙头企业"),
    },
    CreditRecord: {
        CreditRecord.GOOD: ("良好", "好"),
        CreditRecord.FAIR: ("一般",),
        CreditRecord.BAD: ("不良", "差"),
        CreditRecord.NONE: ("无记录", "无"),
    },
    MainIncome: {
        MainIncome.WAGES_AWAY: ("外出务工", "务工收入"),
        MainIncome.FARMING: ("种养殖", "种植养殖"),
        MainIncome.BUSINESS: ("经营", "经营收入"),
        MainIncome.SALARY: ("工资", "工资薪金"),
        MainIncome.SUBSIDY_ONLY: ("仅惠农补贴", "惠农补贴"),
        MainIncome.NONE: ("无稳定收入",),
    },
    EBankingProduct: {
        EBankingProduct.FUKA: ("福卡", "福卡借记卡"),
        EBankingProduct.VIP_CARD: ("VIP卡", "贵宾卡"),
        EBankingProduct.MOBILE_BANKING: ("手机银行",),
        EBankingProduct.ONLINE_BANKING: ("个人网银", "个人网上银行"),
        EBankingProduct.CORPORATE_ONLINE: ("企业网银", "企业网上银行"),
        EBankingProduct.SMS_BANKING: ("短信银行",),
        EBankingProduct.THIRD_PARTY_PAY: ("第三方支付",),
        EBankingProduct.POS: ("POS机", "POS"),
        EBankingProduct.KALEFU: ("卡乐付",),
    },
    Relation: {
        Relation.HEAD: ("户主",),
        Relation.SPOUSE: ("配偶",),
        Relation.CHILD: ("子女", "儿子", "女儿"),
        Relation.PARENT: ("父母", "父亲", "母亲"),
        Relation.SIBLING: ("兄弟姐妹",),
        Relation.GRANDCHILD: ("孙子女", "孙子", "孙女"),
        Relation.OTHER: ("其他",),
    },
}

TRUE_WORDS = ("是", "y", "yes", "1", "true", "有", "√")
FALSE_WORDS = ("否", "n", "no", "0", "false", "无", "×")
# Separators between several products in one cell: 、 , ， ; ； and line breaks.
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")

# Header of each customer column; aliases are other headers accepted on import.
CUSTOMER_HEADERS = {
    "customer_type": ("客户类型",),
    "village": ("行政村编码", "村编码"),
    "group": ("村民小组", "村组"),
    "name": ("姓名/名称", "姓名", "名称", "客户名称"),
    "id_number": ("身份证号", "身份证号码", "证件号码"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "contact_person": ("联系人",),
    "phone": ("手机号", "手机号码", "手机"),
    "contact_method": ("其他联系方式",),
    "address": ("家庭住址", "住址"),
    "credit_record": ("信用记录",),
    "main_income": ("主要收入来源",),
    "business_items": ("经营项目",),
    "business_address": ("经营地址",),
    "has_deposit_account": ("在我行有存款账户",),
    "deposit_balance": ("存款余额（元）", "存款余额"),
    "loan_balance": ("贷款余额（元）", "贷款余额"),
    "ebanking_products": ("已用电子银行产品", "电子银行产品"),
    "bank_business": ("在我行业务",),
    "other_bank_business": ("他行业务",),
    "credit_need": ("信贷需求（元）", "信贷需求"),
    "service_needs": ("存款及电子银行服务需求",),
    "appointed_deposit": ("预约存款（元）", "预约存款"),
    "appointed_loan": ("预约贷款（元）", "预约贷款"),
    "appointed_products": ("预约电子银行产品",),
    "household_income": ("家庭年收入（元）", "家庭年收入"),
    "household_expenses": ("家庭年支出（元）", "家庭年支出"),
    "scale": ("经营规模", "规模"),
    "area_mu": ("种养面积（亩）", "面积（亩）", "面积"),
    "operating_income": ("年经营收入（元）", "经营收入"),
    "total_investment": ("总投资（元）", "总投资"),
    "registered_capital": ("注册资本（元）", "注册资本"),
    "member_count": ("成员数", "社员数"),
    "total_assets": ("资产总额（元）", "资产总额"),
    "total_liabilities": ("负债总额（元）", "负债总额"),
    "credit_rating": ("信用等级",),
    "financing": ("融资情况",),
    "letter_delivered": ("已送一封信", "一封信"),
    "contact_card_delivered": ("已发联系卡", "联系卡"),
    "form_collected": ("已填采集表", "采集表"),
    "gift_delivered": ("已送小礼品", "小礼品"),
    "archived_on": ("建档日期",),
}

MEMBER_HEADERS = {
    "household": ("户主证件号", "户主身份证号"),
    "name": ("姓名",),
    "relation": ("关系", "与户主关系"),
    "id_number": ("身份证号", "身份证号码"),
    "phone": ("手机号", "手机号码", "手机"),
    "works_away": ("是否外出务工", "外出务工"),
    "away_location": ("务工地点",),
}

# Columns that hold identifiers: text only, since a number cell loses digits past 15.
IDENTIFIER_COLUMNS = {"id_number", "credit_code", "phone", "household"}


@dataclass(frozen=True)
class Column:
    name: str  # the form field, or village / archived_on / household
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text identifier decimal integer boolean choice products date
    choices: type[models.TextChoices] | None = field(default=None, compare=False)
    mandatory: bool = False  # required whatever its name (the balance sheet's columns)

    @property
    def required(self):
        return self.mandatory or self.name in {
            "customer_type",
            "village",
            "name",
            "household",
            "relation",
        }


def _kind(model, name):
    if name in IDENTIFIER_COLUMNS:
        return "identifier", None
    if name == "customer_type":
        return "choice", CustomerType
    if name == "village":
        return "text", None
    if name in ("ebanking_products", "appointed_products"):
        return "products", EBankingProduct
    model_field = model._meta.get_field(name)
    if model_field.choices:
        enum = next(
            cls for cls in CHOICE_LABELS if set(cls.values) == {v for v, _l in model_field.choices}
        )
        return "choice", enum
    if isinstance(model_field, models.BooleanField):
        return "boolean", None
    if isinstance(model_field, models.DecimalField):
        return "decimal", None
    if isinstance(model_field, models.IntegerField):
        return "integer", None
    if isinstance(model_field, models.DateField):
        return "date", None
    return "text", None


def _columns(model, names, headers):
    out = []
    for name in names:
        kind, choices = _kind(model, name)
        header, *aliases = headers.get(name) or (str(model._meta.get_field(name).verbose_name),)
        out.append(Column(name, header, tuple(aliases), kind, choices))
    return tuple(out)


CUSTOMER_FIELDS = (
    "customer_type",
    "village",
    *(f for f in IDENTITY_FIELDS if f != "customer_type"),
    *COMMON_FIELDS,
    *ALL_TYPE_FIELDS,
    *SEVEN_ONES_FIELDS,
    "archived_on",
)
CUSTOMER_COLUMNS = _columns(Customer, CUSTOMER_FIELDS, CUSTOMER_HEADERS)
MEMBER_COLUMNS = _columns(FamilyMember, tuple(MEMBER_HEADERS), MEMBER_HEADERS)
COLUMN = {c.name: c for c in CUSTOMER_COLUMNS}
# The archive import's columns: every survey column but the balances, which only the
# core-banking balance import sets (DOMAIN.md §7, "balances have one source").
IMPORT_COLUMNS = tuple(c for c in CUSTOMER_COLUMNS if c.name not in BALANCE_FIELDS)
BALANCE_COLUMNS = tuple(c for c in CUSTOMER_COLUMNS if c.name in BALANCE_FIELDS)
MEMBER_COLUMN = {c.name: c for c in MEMBER_COLUMNS}


def normalize(text) -> str:
    """Fold full-width forms, case and spaces so that 一般农户(含外出务工人员) matches （…）."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"\s+", "", text)


def label(choices, value) -> str:
    """The Chinese label a file shows for a choice value."""
    if value in (None, ""):
        return ""
    labels = CHOICE_LABELS[choices].get(value)
    return labels[0] if labels else str(value)


def shown(column, value):
    """A model value as a file shows it: labels for choices, 是/否 for yes-no."""
    if column.kind == "choice":
        return label(column.choices, value)
    if column.kind == "products":
        return "、".join(label(column.choices, v) for v in value or ())
    if column.kind == "boolean":
        return "是" if value else "否"
    return value


def shown_text(column, value) -> str:
    """As `shown`, always as text: what the dry run lists as a field's old and new value."""
    value = shown(column, value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def labels(choices) -> list[str]:
    return [CHOICE_LABELS[choices][value][0] for value in choices.values]


def _translations(lazy_text):
    """The catalogue's wording in the site language and in English (msgid)."""
    out = set()
    for language in (settings.LANGUAGE_CODE, "en"):
        with translation.override(language):
            out.add(str(lazy_text))
    return out


def choice_lookup(choices) -> dict[str, str]:
    """Normalised label, short form, code or catalogue label -> choice value."""
    lookup = {}
    for value in choices.values:
        for text in (value, *CHOICE_LABELS[choices][value]):
            lookup.setdefault(normalize(text), value)
    for value, lazy_label in choices.choices:
        for text in _translations(lazy_label):
            lookup.setdefault(normalize(text), value)
    return lookup


def header_lookup(model, columns) -> dict[str, Column]:
    """Normalised header, alias, field name or verbose name -> column."""
    lookup = {}
    for column in columns:
        for text in (column.header, *column.aliases, column.name):
            lookup.setdefault(normalize(text), column)
    # Then the catalogue's wording, which never shadows a header of this module.
    names = {f.name for f in model._meta.get_fields()}
    for column in columns:
        # "village" is the village's name in the catalogue; the column holds its code.
        if column.name != "village" and column.name in names:
            for text in _translations(model._meta.get_field(column.name).verbose_name):
                lookup.setdefault(normalize(text), column)
    return lookup
