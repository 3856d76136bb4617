"""The marketing ledger (营销台账): what each person marketed in a month, as quantities to price."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models import NON_NEGATIVE, ZERO

from .. import pricing

__all__ = [
    "COUNTED_KINDS",
    "MONEY_KINDS",
    "NEEDS_AVG_AMOUNT",
    "PER_ITEM_KINDS",
    "LedgerEntry",
    "LedgerEntryQuerySet",
    "LedgerKind",
]


class LedgerKind(models.TextChoices):
    """What a ledger line counts; the values are assessment/pricing.py's Kind."""

    FIXED_DEPOSIT = "fixed_deposit", _("Fixed deposits organised")
    DEMAND_DEPOSIT = "demand_deposit", _("Demand deposits (accumulated daily balance)")
    LOAN_PRINCIPAL = "loan_principal_recovered", _("Loan principal recovered")
    LOAN_INTEREST = "loan_interest_recovered", _("Loan interest recovered")
    NPL_RECOVERED = "npl_recovered", _("Non-performing loans recovered")
    FUKA = "fuka_cards", _("Fuka debit cards")
    VIP_CARD = "vip_cards", _("VIP cards")
    PERSONAL_EBANKING = "personal_ebanking", _("Personal online and mobile banking")
    CORPORATE_EBANKING = "corporate_ebanking", _("Corporate online banking")
    SMS_THIRDPARTY = "sms_thirdparty", _("SMS banking and third-party payment")
    POS = "pos", _("POS")
    KALEFU = "kalefu", _("Kalefu terminals")
    SPECIAL_MERCHANT = "special_merchant", _("Special merchants")


# Kinds whose quantity is `amount` (yuan; yuan·days for demand deposits); the rest use `count`.
MONEY_KINDS = frozenset(
    {
        LedgerKind.FIXED_DEPOSIT,
        LedgerKind.DEMAND_DEPOSIT,
        LedgerKind.LOAN_PRINCIPAL,
        LedgerKind.LOAN_INTEREST,
        LedgerKind.NPL_RECOVERED,
    }
)
COUNTED_KINDS = frozenset(set(LedgerKind) - MONEY_KINDS)
# Kinds paid only when the item's own monthly activity qualifies: one row per household or
# terminal (count 1, item_ref says which), with its monthly average transactions.
PER_ITEM_KINDS = frozenset(
    {
        LedgerKind.CORPORATE_EBANKING,
        LedgerKind.SMS_THIRDPARTY,
        LedgerKind.KALEFU,
        LedgerKind.SPECIAL_MERCHANT,
    }
)
# ... of which these also qualify by the monthly average transaction amount.
NEEDS_AVG_AMOUNT = frozenset({LedgerKind.KALEFU, LedgerKind.SPECIAL_MERCHANT})

# The unit of each kind's quantity, as the pages show it.
UNITS = {
    LedgerKind.FIXED_DEPOSIT: _("yuan"),
    LedgerKind.DEMAND_DEPOSIT: _("yuan·days"),
    LedgerKind.LOAN_PRINCIPAL: _("yuan"),
    LedgerKind.LOAN_INTEREST: _("yuan"),
    LedgerKind.NPL_RECOVERED: _("yuan"),
    LedgerKind.FUKA: _("cards"),
    LedgerKind.VIP_CARD: _("cards"),
    LedgerKind.PERSONAL_EBANKING: _("households"),
    LedgerKind.CORPORATE_EBANKING: _("households"),
    LedgerKind.SMS_THIRDPARTY: _("households"),
    LedgerKind.POS: _("households"),
    LedgerKind.KALEFU: _("terminals"),
    LedgerKind.SPECIAL_MERCHANT: _("households"),
}


class LedgerEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Head office sees every line; anyone else only their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_head_office:
            return self
        return self.filter(person=user)

    def of_month(self, month):
        return self.filter(month=month.replace(day=1))

    def in_kind_order(self, *first):
        """Ordered by `first`, then the items in the order of the rulebook, then item."""
        order = models.Case(
            *(models.When(kind=kind, then=n) for n, kind in enumerate(LedgerKind)),
            output_field=models.IntegerField(),
        )
        return self.order_by(*first, order, "item_ref", "pk")


class LedgerEntry(models.Model):
    """One ledger line of a person's month: an amount or a count of one kind, maybe of one item.

    Imported lines are keyed on (person, month, kind, item_ref): importing the month's
    extract again replaces them. Head office may add a line or correct one by hand with
    a reason; a corrected line is then "manual" and an import no longer overwrites it.
    """

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        MANUAL = "manual", _("Entered by head office")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("staff member"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    kind = models.CharField(
        _("item"),
        max_length=30,
        choices=LedgerKind.choices,
        help_text=_(
            "Units: fixed deposits, loan principal and interest recovered and non-performing "
            "loans recovered in yuan; demand deposits as the month's accumulated daily balance "
            "(积数) in yuan·days; 福卡 and VIP cards in cards; 卡乐付 in terminals; the other "
            "e-banking products in households."
        ),
    )
    item_ref = models.CharField(
        _("number or account name"),
        max_length=60,
        blank=True,
        help_text=_(
            "The terminal number, account or household name. Required for corporate online "
            "banking, SMS banking or third-party payment, 卡乐付 and special merchants, which "
            "are one line per household or terminal."
        ),
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=ZERO,
        validators=NON_NEGATIVE,
        help_text=_(
            "Money items only: yuan organised or recovered; for demand deposits the "
            "accumulated daily balance in yuan·days."
        ),
    )
    count = models.IntegerField(
        _("quantity"),
        default=0,
        validators=[MinValueValidator(0, message=_("This cannot be negative."))],
        help_text=_(
            "Counted items only: cards, households or terminals; 1 for a line of one "
            "household or terminal."
        ),
    )
    avg_tx_count = models.DecimalField(
        _("monthly average transactions"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Transactions per month on average of this household or terminal."),
    )
    avg_tx_amount = models.DecimalField(
        _("monthly average transaction amount (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Yuan transacted per month on average by this household or terminal."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.IMPORT
    )
    reason = models.CharField(
        _("reason"),
        max_length=200,
        blank=True,
        help_text=_("Why head office entered or corrected the line by hand."),
    )
    import_job = models.ForeignKey(
        "jobs.Job",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("import"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"))

    history = HistoricalRecords()
    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["month", "person", "kind", "item_ref", "pk"]
        verbose_name = _("ledger line")
        verbose_name_plural = _("marketing ledger")
        indexes = [models.Index(fields=["month", "kind"], name="ledger_month_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month", "kind", "item_ref"],
                name="ledger_one_line_per_item",
                violation_error_message=_(
                    "This person already has a line of this item and number for the month: "
                    "correct that line instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(count__gte=0)
                & (Q(avg_tx_count__isnull=True) | Q(avg_tx_count__gte=0))
                & (Q(avg_tx_amount__isnull=True) | Q(avg_tx_amount__gte=0)),
                name="ledger_not_negative",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="ledger_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(source="import") | ~Q(reason=""), name="ledger_manual_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.get_kind_display()} {self.item_ref}".strip()

    @property
    def is_money(self):
        return self.kind in MONEY_KINDS

    @property
    def quantity(self):
        """The amount for money items, the count for counted ones."""
        return self.amount if self.is_money else self.count

    @property
    def unit(self):
        return UNITS.get(self.kind, "")

    def as_pricing_item(self):
        """This line as assessment/pricing.py's LedgerItem, for the statements."""
        return pricing.LedgerItem(
            kind=pricing.Kind(self.kind),
            amount=self.amount,
            count=self.count,
            avg_transactions=self.avg_tx_count or ZERO,
            avg_amount=self.avg_tx_amount or ZERO,
            ref=self.item_ref,
            source_id=self.pk,
        )
