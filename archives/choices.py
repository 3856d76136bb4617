"""The archive's coded values: customer types, credit records, incomes, e-banking products,
family relations. Imported by the models, forms, imports and exports (archives.models
re-exports them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    HOUSEHOLD = "household", _("Ordinary farm household")
    LARGE_GROWER = "large_grower", _("Large grower or breeder")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    FAMILY_FARM = "family_farm", _("Family farm")
    COOPERATIVE = "cooperative", _("Farmer cooperative")
    LEADING_ENTERPRISE = "leading_enterprise", _("Agricultural leading enterprise")


# Types that are a household (户) and count towards archive coverage of a village.
HOUSEHOLD_TYPES = (
    CustomerType.HOUSEHOLD,
    CustomerType.LARGE_GROWER,
    CustomerType.INDIVIDUAL_BUSINESS,
    CustomerType.FAMILY_FARM,
)
# Types that are an organisation identified by a unified social credit code.
ORGANISATION_TYPES = (CustomerType.COOPERATIVE, CustomerType.LEADING_ENTERPRISE)

# DOMAIN.md §7: one ID number holds at most one record of each group: one household
# (一般农户 or 种养殖大户) and one of each business type, each business linked to the
# operator's household. Organisations are keyed on their credit code instead.
PERSON_HOUSEHOLD_TYPES = (CustomerType.HOUSEHOLD, CustomerType.LARGE_GROWER)
BUSINESS_TYPES = (CustomerType.INDIVIDUAL_BUSINESS, CustomerType.FAMILY_FARM)


def id_group(customer_type) -> tuple[str, ...]:
    """The types that share one record per ID number with `customer_type` (() if none)."""
    if customer_type in PERSON_HOUSEHOLD_TYPES:
        return tuple(PERSON_HOUSEHOLD_TYPES)
    if customer_type in BUSINESS_TYPES:
        return (customer_type,)
    return ()


def id_rivals(customer_type) -> tuple[str, ...]:
    """The types whose records may not hold the same ID number as one of `customer_type`.

    Its own group, and organisations: a cooperative's or enterprise's legal
    representative's number stays refused wherever a record holds it, as before §7 (the
    organisation's key is its credit code). A household and its businesses never rival.
    """
    group = id_group(customer_type)
    if not group:
        return tuple(CustomerType.values)
    return (*group, *ORGANISATION_TYPES)


class CreditRecord(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    BAD = "bad", _("Bad")
    NONE = "none", _("No record")


class MainIncome(models.TextChoices):
    WAGES_AWAY = "wages_away", _("Wages from work away")
    FARMING = "farming", _("Growing or breeding")
    BUSINESS = "business", _("Business")
    SALARY = "salary", _("Salary")
    SUBSIDY_ONLY = "subsidy_only", _("Agricultural subsidy only")
    NONE = "none", _("No stable income")


class EBankingProduct(models.TextChoices):
    FUKA = "fuka", _("Fuka debit card")
    VIP_CARD = "vip_card", _("VIP card")
    MOBILE_BANKING = "mobile_banking", _("Mobile banking")
    ONLINE_BANKING = "online_banking", _("Personal online banking")
    CORPORATE_ONLINE = "corporate_online", _("Corporate online banking")
    SMS_BANKING = "sms_banking", _("SMS banking")
    THIRD_PARTY_PAY = "third_party_pay", _("Third-party payment")
    POS = "pos", _("POS")
    KALEFU = "kalefu", _("Kalefu card terminal")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other")
