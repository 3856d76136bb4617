"""Which survey fields each of the six customer types fills (DOMAIN.md §2).

Forms, the import template, the export and the customer page all read these
tuples, so a field is added to a type's survey in exactly one place.
"""

from .models import CustomerType

IDENTITY_FIELDS = ("customer_type", "group", "name", "id_number", "credit_code", "contact_person")

BANK_FIELDS = (
    "has_deposit_account",
    "deposit_balance",
    "loan_balance",
    "ebanking_products",
    "bank_business",
    "other_bank_business",
)
# Balances, maturities and their data date: set by the core-banking import alone (DOMAIN.md §7,
# "balances have one source"); the survey form shows them read only.
BALANCE_MONEY_FIELDS = ("deposit_balance", "loan_balance")
BALANCE_DATE_FIELDS = ("deposit_maturity", "loan_maturity", "interest_due_on", "balances_as_of")
BALANCE_FIELDS = (*BALANCE_MONEY_FIELDS, *BALANCE_DATE_FIELDS)

NEEDS_FIELDS = (
    "credit_need",
    "service_needs",
    "appointed_deposit",
    "appointed_loan",
    "appointed_products",
)
COMMON_FIELDS = (
    "phone",
    "contact_method",
    "address",
    "credit_record",
    "main_income",
    "business_items",
    "business_address",
    *BANK_FIELDS,
    *NEEDS_FIELDS,
)

HOUSEHOLD_FORM_FIELDS = ("household_income", "household_expenses")

SEVEN_ONES_FIELDS = (
    "letter_delivered",
    "contact_card_delivered",
    "form_collected",
    "gift_delivered",
)

TYPE_FIELDS = {
    CustomerType.HOUSEHOLD: HOUSEHOLD_FORM_FIELDS,
    CustomerType.LARGE_GROWER: ("scale", "area_mu", "operating_income", *HOUSEHOLD_FORM_FIELDS),
    CustomerType.INDIVIDUAL_BUSINESS: ("operating_income", *HOUSEHOLD_FORM_FIELDS),
    CustomerType.FAMILY_FARM: (
        "scale",
        "area_mu",
        "total_investment",
        "operating_income",
        *HOUSEHOLD_FORM_FIELDS,
    ),
    CustomerType.COOPERATIVE: ("scale", "registered_capital", "member_count", "operating_income"),
    CustomerType.LEADING_ENTERPRISE: (
        "scale",
        "total_assets",
        "total_liabilities",
        "credit_rating",
        "financing",
        "operating_income",
    ),
}

ALL_TYPE_FIELDS = tuple(dict.fromkeys(f for fields in TYPE_FIELDS.values() for f in fields))

# Which identifier each type must carry: a person's ID number or an organisation's credit code.
NEEDS_ID_NUMBER = {
    CustomerType.HOUSEHOLD,
    CustomerType.LARGE_GROWER,
    CustomerType.INDIVIDUAL_BUSINESS,
    CustomerType.FAMILY_FARM,
}
NEEDS_CREDIT_CODE = {CustomerType.COOPERATIVE, CustomerType.LEADING_ENTERPRISE}
# Types whose form has family members (a household's collection form).
HAS_FAMILY = NEEDS_ID_NUMBER


# Identity and common fields a type does not have: a farm household has no credit code;
# a cooperative or an enterprise has no home address (家庭住址), only its business address.
NOT_FOR = {
    CustomerType.HOUSEHOLD: {"credit_code", "contact_person"},
    CustomerType.LARGE_GROWER: {"credit_code", "contact_person"},
    CustomerType.INDIVIDUAL_BUSINESS: {"contact_person"},
    CustomerType.FAMILY_FARM: {"contact_person"},
    CustomerType.COOPERATIVE: {"address"},
    CustomerType.LEADING_ENTERPRISE: {"address"},
}


def fields_for(customer_type):
    """Every editable survey field of one type, in form order."""
    customer_type = CustomerType(customer_type)
    return (
        *(f for f in IDENTITY_FIELDS if f not in NOT_FOR[customer_type]),
        *(f for f in COMMON_FIELDS if f not in NOT_FOR[customer_type]),
        *TYPE_FIELDS[CustomerType(customer_type)],
        *(SEVEN_ONES_FIELDS if customer_type in HAS_FAMILY else ()),
    )
