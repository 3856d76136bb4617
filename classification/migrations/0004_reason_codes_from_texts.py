"""Data: turn the rendered reason texts of existing classifications into reason codes.

Until now a run stored each reason as a text rendered in the language of the run
(zh-hans; English if no translation was active). Each text is read back against the
reason templates in both languages, which gives its code and the figures it quotes
(rank, key limit, income). A row with a text no template matches (the wording was
changed since) gets the codes its rule tier implies, with the customer's current
business and income for the undecided tier's details. The templates and income
labels are frozen here, as they were when the texts were written.
"""

import re

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

REASON_MSGIDS = {
    "rank": "Deposits + loans rank %(rank)d in the branch (top %(limit)d)",
    "ranked_outside": "Deposits + loans rank %(rank)d in the branch, outside the top %(limit)d",
    "unranked": "No deposit or loan balance: not ranked",
    "business": "Has deposit or loan business with the bank",
    "no_business": "No deposit or loan business with the bank",
    "stable_income": "Stable income: %(income)s",
    "no_stable_income": "No stable income recorded",
    "subsidy_only": "Only agricultural subsidy payments, no other main income",
    "no_rule": "No rule matches: the branch head decides at the weekly meeting",
}
INCOME_MSGIDS = {
    "wages_away": "Wages from work away",
    "farming": "Growing or breeding",
    "business": "Business",
    "salary": "Salary",
    "subsidy_only": "Agricultural subsidy only",
    "none": "No stable income",
}
LANGUAGES = ("zh-hans", "en")
DEFAULT_KEY_LIMIT = 50
BATCH = 2000


def _pattern(template):
    """A template such as 'rank %(rank)d (top %(limit)d)' as a regex with named groups."""
    parts = re.split(r"%\((\w+)\)[ds]", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    )


def _catalogue():
    patterns, incomes = [], {code: code for code in INCOME_MSGIDS}  # a label-less code
    for language in LANGUAGES:
        with translation.override(language):
            patterns += [(code, _pattern(gettext(m))) for code, m in REASON_MSGIDS.items()]
            incomes.update({gettext(label): code for code, label in INCOME_MSGIDS.items()})
    return patterns, incomes


def _read(texts, rank, patterns, incomes):
    """(codes, limit, income) from the rendered texts; None when a text matches no template."""
    codes, figures = [], {}
    for text in texts:
        for code, pattern in patterns:
            match = pattern.fullmatch(text)
            if match:
                codes.append(code)
                figures.update(match.groupdict())
                break
        else:
            return None
    if "rank" in figures and figures["rank"] != str(rank):
        return None  # not this row's rank: the text cannot be trusted
    income = incomes.get(figures.get("income"), "")
    limit = int(figures["limit"]) if "limit" in figures else None
    return " ".join(codes), limit, income


def _implied(rule_tier, rank, customer):
    """The codes the rules give for a tier, as the weekly run writes them."""
    has_business = (
        customer.deposit_balance + customer.loan_balance > 0 or customer.has_deposit_account
    )
    return {
        "key_follow_up": "rank",
        "periodic_revisit": "business stable_income",
        "cultivation": "stable_income no_business",
        "general_attention": "subsidy_only",
    }.get(
        rule_tier,
        " ".join(
            (
                "unranked" if rank is None else "ranked_outside",
                "business" if has_business else "no_business",
                "no_stable_income no_rule",
            )
        ),
    )


def texts_to_codes(apps, schema_editor):
    Classification = apps.get_model("classification", "Classification")
    patterns, incomes = _catalogue()
    rows = Classification.objects.select_related("customer", "week__rulebook").order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        if not row.rule_reasons:
            continue
        week_limit = row.week.rulebook.key_limit if row.week.rulebook else DEFAULT_KEY_LIMIT
        read = _read(row.rule_reasons, row.rank, patterns, incomes)
        if read is None:
            codes, limit, income = (
                _implied(row.rule_tier, row.rank, row.customer),
                None,
                row.customer.main_income,
            )
        else:
            codes, limit, income = read
        row.reason_codes = codes
        row.key_limit = limit or week_limit
        row.income = income
        batch.append(row)
        if len(batch) >= BATCH:
            Classification.objects.bulk_update(batch, ["reason_codes", "key_limit", "income"])
            batch = []
    Classification.objects.bulk_update(batch, ["reason_codes", "key_limit", "income"])


def codes_to_texts(apps, schema_editor):
    """Back: render the codes as texts in the site's language (zh-hans)."""
    Classification = apps.get_model("classification", "Classification")
    batch = []
    with translation.override(LANGUAGES[0]):
        rows = Classification.objects.exclude(reason_codes="").order_by("pk")
        for row in rows.iterator(chunk_size=BATCH):
            figures = {
                "rank": row.rank,
                "limit": row.key_limit,
                "income": gettext(INCOME_MSGIDS[row.income])
                if row.income in INCOME_MSGIDS
                else row.income,
            }
            row.rule_reasons = [
                gettext(REASON_MSGIDS[code]) % figures for code in row.reason_codes.split()
            ]
            batch.append(row)
            if len(batch) >= BATCH:
                Classification.objects.bulk_update(batch, ["rule_reasons"])
                batch = []
        Classification.objects.bulk_update(batch, ["rule_reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("classification", "0003_classification_reason_codes"),
    ]

    operations = [
        migrations.RunPython(texts_to_codes, codes_to_texts),
    ]
