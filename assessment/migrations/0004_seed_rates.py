"""The first rate table: DOMAIN.md §4's rates and thresholds (pricing.RateTable's defaults)."""

import datetime

from django.db import migrations

# Written out rather than read from pricing.RateTable: a migration must keep doing
# what it did when it was written, whatever the defaults become later.
RATES = {
    "subsidy_per_field_day": "50",
    "fixed_deposit_per_10k": "50",
    "demand_days_divisor": "360",
    "demand_deposit_per_10k": "50",
    "loan_principal_rate": "0.001",
    "loan_interest_rate": "0.028",
    "npl_rate": "0.10",
    "fuka_each": "2",
    "vip_card_each": "20",
    "personal_ebanking_each": "10",
    "corporate_ebanking_each": "50",
    "corporate_ebanking_min_tx": "3",
    "sms_thirdparty_each": "5",
    "sms_thirdparty_min_tx": "1",
    "pos_each": "100",
    "kalefu_each": "200",
    "kalefu_min_tx": "5",
    "kalefu_min_amount": "10000",
    "special_merchant_each": "500",
    "special_merchant_min_tx": "10",
    "special_merchant_min_amount": "20000",
    "assessment_fund": "2000",
    "falsification_penalty": "200",
    "branch_falsifications_for_head": "2",
    "branch_head_falsification_penalty": "200",
    "penalty_min_field_days": "16",
    "missing_day_penalty": "100",
    "branch_average_min_days": "16",
    "inactive_kalefu_penalty": "100",
    "slow_branch_chief_share": "0.5",
    "min_days_manager_census": "20",
    "min_days_manager": "16",
    "min_days_branch_head_census": "15",
    "min_days_branch_head": "10",
}
FIRST_MONTH = datetime.date(2026, 1, 1)


def seed(apps, schema_editor):
    RateVersion = apps.get_model("assessment", "RateVersion")
    RateVersion.objects.get_or_create(
        effective_month=FIRST_MONTH,
        defaults={"rates": RATES, "note": "进村入户考核办法 初始费率"},
    )


def unseed(apps, schema_editor):
    RateVersion = apps.get_model("assessment", "RateVersion")
    RateVersion.objects.filter(effective_month=FIRST_MONTH).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_statements")]

    operations = [migrations.RunPython(seed, unseed)]
