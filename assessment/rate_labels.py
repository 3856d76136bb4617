"""What each figure of the rate table is called on head office's form (DOMAIN.md §4).

One label per pricing.RateTable field, grouped as the rules read; a field without a
label here fails the test that walks the table, so a new rate always gets its name.
"""

from django.utils.translation import gettext_lazy as _

GROUPS = (
    (
        _("Subsidy and deposits"),
        (
            ("subsidy_per_field_day", _("Subsidy per field day (yuan)")),
            ("fixed_deposit_per_10k", _("Fixed deposits: yuan per 10,000 yuan organised")),
            ("demand_deposit_per_10k", _("Demand deposits: yuan per 10,000 yuan")),
            ("demand_days_divisor", _("Demand deposits: accumulated balance divided by (days)")),
        ),
    ),
    (
        _("Loans recovered"),
        (
            ("loan_principal_rate", _("Loan principal recovered: share (0.001 is 1‰)")),
            ("loan_interest_rate", _("Loan interest recovered: share")),
            ("npl_rate", _("Non-performing loans recovered: share")),
        ),
    ),
    (
        _("Cards and e-banking"),
        (
            ("fuka_each", _("Fuka debit card (yuan each)")),
            ("vip_card_each", _("VIP card (yuan each)")),
            ("personal_ebanking_each", _("Personal online or mobile banking (yuan per household)")),
            ("corporate_ebanking_each", _("Corporate online banking (yuan per household)")),
            (
                "corporate_ebanking_min_tx",
                _("Corporate online banking: transactions a month at least"),
            ),
            ("sms_thirdparty_each", _("SMS banking or third-party payment (yuan per household)")),
            (
                "sms_thirdparty_min_tx",
                _("SMS banking or third-party payment: transactions a month at least"),
            ),
            ("pos_each", _("POS (yuan per household)")),
            ("kalefu_each", _("Kalefu terminal (yuan each)")),
            ("kalefu_min_tx", _("Kalefu: transactions a month at least")),
            ("kalefu_min_amount", _("Kalefu: yuan a month at least")),
            ("special_merchant_each", _("Special merchant (yuan each)")),
            ("special_merchant_min_tx", _("Special merchant: transactions a month at least")),
            ("special_merchant_min_amount", _("Special merchant: yuan a month at least")),
        ),
    ),
    (
        _("Assessment fund and deductions"),
        (
            ("assessment_fund", _("Assessment fund a month (yuan)")),
            ("falsification_penalty", _("Falsification found: deduction (yuan)")),
            (
                "branch_falsifications_for_head",
                _("Falsifications in a branch before its head is deducted"),
            ),
            ("branch_head_falsification_penalty", _("Branch head's deduction for them (yuan)")),
            ("penalty_min_field_days", _("Field days below which a manager is deducted")),
            ("missing_day_penalty", _("Deduction per field day short (yuan)")),
            (
                "branch_average_min_days",
                _("Branch average field days below which heads are deducted"),
            ),
            ("inactive_kalefu_penalty", _("Inactive Kalefu terminal: deduction (yuan)")),
            (
                "slow_branch_chief_share",
                _("Slow branch: share of the section chief's fund deducted"),
            ),
        ),
    ),
    (
        _("Minimums of going down"),
        (
            ("min_days_manager_census", _("Account manager: field days a month, census phase")),
            ("min_days_manager", _("Account manager: field days a month")),
            ("min_days_branch_head_census", _("Branch head: field days a month, census phase")),
            ("min_days_branch_head", _("Branch head: field days a month")),
            ("min_trips_leader", _("Leader: trips a month")),
            ("min_households_leader", _("Leader: households a month")),
            ("min_trips_section_chief", _("Section chief: trips a month")),
            ("min_households_section_chief", _("Section chief: households a month")),
        ),
    ),
)
LABELS = {name: label for _group, fields in GROUPS for name, label in fields}
