"""The corporate archive (DOMAIN.md §5.1): customers, industries, groups, teams, figures.

Scope: a customer is seen by its team (A, B1, B2), the head and the deputy head in
charge of its branch, and head office's corporate finance and credit management
departments. Nobody else: `CorporateCustomer.objects.visible_to(user)` is where every
page starts, so out of scope is a 404.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.identity import validate_credit_code
from archives.models import Branch, Role

from .. import rules

HEAD_OFFICE_ROLES = (Role.CORPORATE_FINANCE, Role.CREDIT_MANAGEMENT)
BRANCH_ROLES = (Role.BRANCH_HEAD, Role.DEPUTY_HEAD)
MONEY = {"max_digits": 16, "decimal_places": 2}
PERCENT = {"max_digits": 6, "decimal_places": 2}


class Size(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class TeamRole(models.TextChoices):
    A = rules.Role.A.value, _("A (responsible manager)")
    B1 = rules.Role.B1.value, _("B1")
    B2 = rules.Role.B2.value, _("B2")


TAX_GRADES = [(g.value, g.value) for g in rules.TaxGrade]
POLICY_KINDS = [(k.value, label) for k, label in rules.POLICY_LABELS.items()]


class Industry(models.Model):
    """An industry with head office's flags (§5.1)."""

    code = models.CharField(_("industry code"), max_length=20, unique=True)
    name = models.CharField(_("industry"), max_length=60)
    key_supported = models.BooleanField(
        _("key supported or strategic emerging industry"), default=False
    )
    two_up_two_control = models.BooleanField(_("两增两控 supported industry"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return self.name


class Group(models.Model):
    """A group (集团): its members' exposure is counted together for the team (§5.3)."""

    name = models.CharField(_("group"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name


class CorporateQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role in HEAD_OFFICE_ROLES:
            return self
        if user.role in BRANCH_ROLES:
            return self.filter(branch__in=user.branches.all())
        if user.corporate_manager:
            return self.filter(
                Exists(TeamMember.objects.filter(customer=OuterRef("pk"), user=user))
            )
        return self.none()


class CorporateCustomer(models.Model):
    """A corporate customer's record (对公客户档案)."""

    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="corporate_customers", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    industry = models.ForeignKey(
        Industry, models.PROTECT, null=True, blank=True, verbose_name=_("industry")
    )
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    group = models.ForeignKey(
        Group,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("group"),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=30, blank=True)
    finance_contact = models.CharField(_("finance contact"), max_length=30, blank=True)
    finance_phone = models.CharField(_("finance contact's phone"), max_length=20, blank=True)
    relationship_since = models.DateField(_("customer since"), null=True, blank=True)
    # Status flags (§5.1); the first seven are strategic criterion (1).
    central_soe = models.BooleanField(_("central SOE group under SASAC"), default=False)
    provincial_soe_leader = models.BooleanField(
        _("provincial-SASAC controlled leading enterprise"), default=False
    )
    provincial_monopoly = models.BooleanField(
        _("provincial monopoly-type large enterprise or institution"), default=False
    )
    china_top_500 = models.BooleanField(_("China top 500"), default=False)
    industry_top_100 = models.BooleanField(_("industry top 100"), default=False)
    large_hq_group_chain = models.BooleanField(
        _("large headquarters, group or chain customer"), default=False
    )
    listed_well_performing = models.BooleanField(_("well-performing listed company"), default=False)
    bank_shareholder = models.BooleanField(_("shareholder of the bank"), default=False)
    government_related_group = models.BooleanField(
        _("government-related large group"), default=False
    )
    strategic_agreement = models.BooleanField(
        _("strategic cooperation agreement signed"), default=False
    )
    head_to_head_agreement = models.BooleanField(
        _("agreement signed head office to head office"), default=False
    )
    strategic_judgement = models.CharField(
        _("branch's reason for strategic value (industry advantage, monopoly, brand, resources)"),
        max_length=300,
        blank=True,
    )
    sound_finances = models.BooleanField(_("sound finances (branch's judgement)"), default=False)
    profit_margin = models.DecimalField(_("profit margin %"), null=True, blank=True, **PERCENT)
    industry_average_margin = models.DecimalField(
        _("industry average margin %"), null=True, blank=True, **PERCENT
    )
    has_credit_line = models.BooleanField(_("has a credit line with the bank"), default=False)
    tax_grade = models.CharField(_("tax grade"), max_length=1, choices=TAX_GRADES, blank=True)
    policy_kinds = models.JSONField(_("policy kinds"), default=list, blank=True)
    other_policy_reason = models.CharField(
        _("reason for another policy kind"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CorporateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["branch", "name", "pk"]
        verbose_name = _("corporate customer")
        verbose_name_plural = _("corporate customers")

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    """Who serves a customer, in which role (A/B角, §5.3)."""

    customer = models.ForeignKey(CorporateCustomer, models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="corporate_roles",
        limit_choices_to={"corporate_manager": True},
        verbose_name=_("account manager"),
    )
    role = models.CharField(_("team role"), max_length=2, choices=TeamRole.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "role"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["customer", "role"], name="team_one_per_role"),
            models.UniqueConstraint(fields=["customer", "user"], name="team_one_role_per_user"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.role} {self.user_id}"


class Figures(models.Model):
    """A period's figures from core banking (§5.1), imported; one row per customer and period."""

    customer = models.ForeignKey(CorporateCustomer, models.CASCADE, related_name="figures")
    period = models.DateField(
        _("period"), help_text=_("The first day of the month the figures are for.")
    )
    exposure = models.DecimalField(
        _("last year's daily average credit exposure"), null=True, blank=True, **MONEY
    )
    deposits = models.DecimalField(_("daily average deposits"), null=True, blank=True, **MONEY)
    settlement_share = models.DecimalField(
        _("settlement share through the bank %"), null=True, blank=True, **PERCENT
    )
    funds_return_rate = models.DecimalField(
        _("funds-return rate %"), null=True, blank=True, **PERCENT
    )
    online_banking_opened = models.BooleanField(_("corporate online banking opened"), default=False)
    online_banking_settlement = models.BooleanField(
        _("corporate online banking used for settlement"), default=False
    )
    payroll_headcount = models.PositiveIntegerField(_("payroll headcount"), null=True, blank=True)
    payroll_monthly = models.DecimalField(_("payroll a month"), null=True, blank=True, **MONEY)
    pos_monthly = models.DecimalField(_("POS settlement a month"), null=True, blank=True, **MONEY)
    credit_cards = models.PositiveIntegerField(_("credit cards issued"), null=True, blank=True)
    products = models.JSONField(_("products used"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "-period"]
        verbose_name = _("core-banking figures")
        verbose_name_plural = _("core-banking figures")
        constraints = [
            models.UniqueConstraint(fields=["customer", "period"], name="figures_one_per_period")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.period:%Y-%m}"
