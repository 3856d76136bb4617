"""The village summary (一村一总结, DOMAIN.md §2 and the seeds' 五个落实).

For a village whose census is done, a stage summary of its basic situation, economic
features, income sources, financial needs and the services given. The figures are
read from the village's archive in a fixed number of grouped queries; the manager
writes the five notes beside them (VillageSummary). The page and the PDF show both.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from . import versions
from .choices import HOUSEHOLD_TYPES, CustomerType, EBankingProduct, MainIncome
from .models import Customer, FamilyMember, Village
from .summary_models import NOTE_FIELDS, VillageSummary

TOP = 5  # business items and places of work listed


def census_done(village: Village) -> bool:
    """Every registered household filed (建档面 100%); needs with_coverage().

    A village with no registered households has no census to finish.
    """
    return bool(village.registered_households) and (
        village.filed_households >= village.registered_households
    )


@dataclass
class Facts:
    households: int = 0
    by_type: list = field(default_factory=list)  # (label, count)
    customers: int = 0
    connected: int = 0  # with a deposit account, a deposit or a loan with us
    members: int = 0
    working_away: int = 0
    away_places: list = field(default_factory=list)  # (place, count)
    incomes: list = field(default_factory=list)  # (label, count, percent)
    average_income: Decimal | None = None
    average_expenses: Decimal | None = None
    business_items: list = field(default_factory=list)  # (item, count)
    deposits: Decimal = Decimal(0)
    loans: Decimal = Decimal(0)
    credit_need: Decimal = Decimal(0)
    with_credit_need: int = 0
    appointed_deposit: Decimal = Decimal(0)
    appointed_loan: Decimal = Decimal(0)
    ebanking: list = field(default_factory=list)  # (label, customers)
    seven_ones: dict = field(default_factory=dict)

    @property
    def connection_percent(self):
        return round(100 * self.connected / self.customers, 1) if self.customers else None


def _split_items(text: str) -> list[str]:
    for sep in "，,；;/ ":
        text = text.replace(sep, "、")
    return [part.strip() for part in text.split("、") if part.strip()]


def facts(village: Village) -> Facts:
    """The village's figures from its archive: five queries, whatever its size."""
    customers = Customer.objects.filter(village=village)
    households = customers.filter(customer_type__in=HOUSEHOLD_TYPES)
    out = Facts()
    counts = dict(customers.values_list("customer_type").annotate(n=Count("pk")).order_by())
    out.by_type = [(label, counts.get(value, 0)) for value, label in CustomerType.choices]
    totals = customers.aggregate(
        customers=Count("pk"),
        households=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES)),
        connected=Count(
            "pk",
            filter=Q(deposit_balance__gt=0) | Q(loan_balance__gt=0) | Q(has_deposit_account=True),
        ),
        deposits=Sum("deposit_balance"),
        loans=Sum("loan_balance"),
        credit_need_sum=Sum("credit_need"),
        with_credit_need=Count("pk", filter=Q(credit_need__gt=0)),
        appointed_deposit_sum=Sum("appointed_deposit"),
        appointed_loan_sum=Sum("appointed_loan"),
        average_income=Avg("household_income", filter=Q(household_income__gt=0)),
        average_expenses=Avg("household_expenses", filter=Q(household_expenses__gt=0)),
        letter=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES, letter_delivered=True)),
        card=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES, contact_card_delivered=True)),
        form=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES, form_collected=True)),
        gift=Count("pk", filter=Q(customer_type__in=HOUSEHOLD_TYPES, gift_delivered=True)),
    )
    out.customers, out.households, out.connected = (
        totals["customers"],
        totals["households"],
        totals["connected"],
    )
    for name, key in (
        ("deposits", "deposits"),
        ("loans", "loans"),
        ("credit_need", "credit_need_sum"),
        ("appointed_deposit", "appointed_deposit_sum"),
        ("appointed_loan", "appointed_loan_sum"),
    ):
        setattr(out, name, totals[key] or Decimal(0))
    out.with_credit_need = totals["with_credit_need"]
    for name in ("average_income", "average_expenses"):
        value = totals[name]
        setattr(out, name, None if value is None else Decimal(value).quantize(Decimal(1)))
    out.seven_ones = {key: totals[key] for key in ("letter", "card", "form", "gift")}

    incomes = dict(
        households.exclude(main_income="")
        .values_list("main_income")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answered = sum(incomes.values())
    out.incomes = [
        (label, incomes[value], round(100 * incomes[value] / answered, 1))
        for value, label in MainIncome.choices
        if incomes.get(value)
    ]

    # Business items and e-banking products are read row by row, two columns only.
    items, products = Counter(), Counter()
    for text, used in customers.values_list("business_items", "ebanking_products"):
        items.update(set(_split_items(text or "")))
        products.update(set(used or []))
    out.business_items = items.most_common(TOP)
    out.ebanking = [
        (label, products[value]) for value, label in EBankingProduct.choices if products[value]
    ]

    members = FamilyMember.objects.filter(customer__village=village)
    member_totals = members.aggregate(
        members=Count("pk"), away=Count("pk", filter=Q(works_away=True))
    )
    out.members, out.working_away = member_totals["members"], member_totals["away"]
    out.away_places = list(
        members.filter(works_away=True)
        .exclude(away_location="")
        .values_list("away_location")
        .annotate(n=Count("pk"))
        .order_by("-n", "away_location")[:TOP]
    )
    return out


# ---- The notes -----------------------------------------------------------------------------


def stored_values(summary: VillageSummary) -> versions.Values:
    return versions.model_values(summary, NOTE_FIELDS)


def version_of(summary: VillageSummary) -> str:
    return versions.version_of(stored_values(summary))


def summary_of(village: Village) -> VillageSummary:
    return VillageSummary.objects.filter(village=village).first() or VillageSummary(village=village)


def save_notes(*, village: Village, notes: dict, version: str, user) -> VillageSummary:
    """Write the five notes in one transaction; a stale page is refused (StaleEdit).

    The first save creates the row. Two first saves at once: the second one's insert
    meets the one-per-village constraint, reads the row that won and is checked
    against it like any stale page.
    """
    fields = {name: VillageSummary._meta.get_field(name) for name in NOTE_FIELDS}
    yours = {
        name: versions.value(fields[name].verbose_name, notes.get(name, ""), field=fields[name])
        for name in NOTE_FIELDS
    }
    with transaction.atomic():
        for _attempt in range(2):
            summary = VillageSummary.objects.select_for_update().filter(
                village=village
            ).first() or VillageSummary(village=village)
            versions.check(version, stored=stored_values(summary), yours=yours)
            for name in NOTE_FIELDS:
                setattr(summary, name, notes.get(name, ""))
            summary.updated_by = user
            summary.updated_at = timezone.now()
            try:
                with transaction.atomic():
                    summary.save()
            except IntegrityError:
                if summary.pk is not None:
                    raise
                continue  # another first save won: check against it
            return summary
    raise RuntimeError("unreachable: the second attempt finds the row")


def as_of(summary: VillageSummary) -> datetime.datetime | None:
    return summary.updated_at if summary.pk else None
