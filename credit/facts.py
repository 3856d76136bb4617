"""From the archive to the rules: a customer's record and latest figures as CustomerFacts.

Set-based: `facts_for(customers, on=day)` reads the customers and the latest figures up
to `day` of each in two queries, whatever their number.
"""

import datetime

from django.db.models import OuterRef, Subquery

from . import rules
from .models import CorporateCustomer, Figures

FLAGS = (
    "central_soe",
    "provincial_soe_leader",
    "provincial_monopoly",
    "china_top_500",
    "industry_top_100",
    "large_hq_group_chain",
    "listed_well_performing",
    "bank_shareholder",
    "government_related_group",
    "strategic_agreement",
    "head_to_head_agreement",
    "sound_finances",
    "has_credit_line",
)
FIGURES = (
    "exposure",
    "deposits",
    "settlement_share",
    "funds_return_rate",
    "online_banking_settlement",
    "payroll_headcount",
    "payroll_monthly",
    "pos_monthly",
    "credit_cards",
)


def latest_figures(customers, on: datetime.date) -> dict[int, Figures]:
    """Customer id -> its figures of the latest period up to `on` (one query)."""
    latest = Figures.objects.filter(customer=OuterRef("customer"), period__lte=on).order_by(
        "-period"
    )
    rows = Figures.objects.filter(
        customer__in=customers, pk=Subquery(latest.values("pk")[:1])
    ).order_by()
    return {row.customer_id: row for row in rows}


def years_between(start: datetime.date | None, on: datetime.date) -> int | None:
    if start is None:
        return None
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def facts_of(
    customer: CorporateCustomer, figures: Figures | None, on: datetime.date, designation=""
) -> rules.CustomerFacts:
    industry = customer.industry
    values = {name: getattr(customer, name) for name in FLAGS}
    if figures is not None:
        values |= {name: getattr(figures, name) for name in FIGURES}
        values["products"] = len(figures.products or [])
    return rules.CustomerFacts(
        **values,
        strategic_judgement=customer.strategic_judgement,
        head_office_designation=designation,
        key_supported_industry=bool(industry and industry.key_supported),
        two_up_two_control_industry=bool(industry and industry.two_up_two_control),
        profit_margin=customer.profit_margin,
        industry_average_margin=customer.industry_average_margin,
        tax_grade=rules.TaxGrade(customer.tax_grade) if customer.tax_grade else None,
        policy_kinds=frozenset(rules.PolicyKind(k) for k in customer.policy_kinds or ()),
        other_policy_reason=customer.other_policy_reason,
        years_of_cooperation=years_between(customer.relationship_since, on),
    )


def facts_for(customers, *, on: datetime.date, designations=None) -> dict[int, rules.CustomerFacts]:
    """Customer id -> CustomerFacts for a queryset of customers, as of `on`.

    `designations`: customer id -> head office's reason for designating it strategic.
    """
    customers = list(customers.select_related("industry"))
    figures = latest_figures([c.pk for c in customers], on)
    designations = designations or {}
    return {c.pk: facts_of(c, figures.get(c.pk), on, designations.get(c.pk, "")) for c in customers}
