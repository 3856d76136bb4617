"""Organisation, staff and the six-type customer archive of every administrative village."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator
from django.db import connections, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (  # noqa: F401  (re-exported: archives.models is where callers look)
    BUSINESS_TYPES,
    HOUSEHOLD_TYPES,
    ORGANISATION_TYPES,
    PERSON_HOUSEHOLD_TYPES,
    CreditRecord,
    CustomerType,
    EBankingProduct,
    MainIncome,
    Relation,
)
from .identity import mask_id, mask_phone
from .positions import Positioned, position_constraints

ZERO = Decimal("0")
NON_NEGATIVE = [MinValueValidator(ZERO, message=_("This cannot be negative."))]


def money(verbose_name, **kwargs):
    """A yuan amount: Decimal with fen precision, never negative."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name, max_digits=16, decimal_places=2, validators=NON_NEGATIVE, **kwargs
    )


def entered_money(verbose_name):
    """A yuan amount a person enters on the survey: empty (None) when it is not known,
    so that unknown is not zero. No default: a form or a file that leaves it out has
    not given it."""
    return models.DecimalField(
        verbose_name,
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )


class Role(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    BRANCH_HEAD = "branch_head", _("Branch head")
    SECTION_CHIEF = "section_chief", _("Section chief")
    LEADER = "leader", _("Leader")
    HEAD_OFFICE = "head_office", _("Head office")
    # Corporate credit customers (DOMAIN.md §5): the branch's deputy head in charge of
    # corporate business, and head office's two departments that confirm the lists.
    DEPUTY_HEAD = "deputy_head", _("Deputy head in charge of corporate business")
    CORPORATE_FINANCE = "corporate_finance", _("Head office corporate finance")
    CREDIT_MANAGEMENT = "credit_management", _("Head office credit management")


# Who oversees a branch's village work (its archive, weeks and field days) beside its
# account managers. Every other role sees none of it, so a new role starts with nothing.
VILLAGE_OVERSIGHT_ROLES = (Role.BRANCH_HEAD, Role.SECTION_CHIEF, Role.LEADER)


# Roles that see corporate customers by their role (beside account managers flagged
# corporate_manager, who see their teams' customers).
CORPORATE_ROLES = (
    Role.BRANCH_HEAD,
    Role.DEPUTY_HEAD,
    Role.CORPORATE_FINANCE,
    Role.CREDIT_MANAGEMENT,
)


CORPORATE_ONLY_ROLES = (Role.DEPUTY_HEAD, Role.CORPORATE_FINANCE, Role.CREDIT_MANAGEMENT)


class BranchKind(models.TextChoices):
    """Sets the corporate team threshold (DOMAIN.md §5.3); values as credit.rules.BranchKind."""

    PREFECTURE = "prefecture", _("Prefecture-level branch")
    WUHAN = "wuhan", _("Wuhan city first-level branch")


class BranchQuerySet(models.QuerySet):
    def overseen_by(self, user):
        """Branches whose whole archive and dashboard a user reads: head office every one;
        branch heads, assigned chiefs and leaders their own; any other role none."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_head_office:
            return self
        if user.role in VILLAGE_OVERSIGHT_ROLES:
            return self.filter(pk__in=user.branches.values("pk"))
        return self.none()


class Branch(models.Model):
    code = models.CharField(_("branch code"), max_length=20, unique=True)
    name = models.CharField(_("branch name"), max_length=60, unique=True)
    kind = models.CharField(
        _("branch kind"), max_length=12, choices=BranchKind.choices, default=BranchKind.PREFECTURE
    )

    history = HistoricalRecords()
    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A member of staff. Scope comes from the role and the branches/villages assigned."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    staff_no = models.CharField(
        _("staff number"), max_length=20, unique=True, null=True, blank=True
    )
    display_name = models.CharField(_("name"), max_length=30, blank=True)
    # A staff member may serve corporate customers (A or B role) beside village work.
    corporate_manager = models.BooleanField(_("corporate account manager"), default=False)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    # Set when head office gives someone a password (a new account, a reset); the person
    # then chooses their own before any other page (accounts.middleware).
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )
    branches = models.ManyToManyField(
        Branch,
        verbose_name=_("branches"),
        blank=True,
        related_name="staff",
        help_text=_(
            "Own branch for managers and branch heads; assigned branches for chiefs and leaders."
        ),
    )

    objects = UserManager()
    # Roles and branches decide what a person may see: every change of them is kept.
    # The password hash and the login time are not history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[branches])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, update_fields=None, **kwargs):
        # A login (last_login) or a new password changes nothing the history keeps:
        # no history row for them, or every login would add one.
        if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, update_fields=update_fields, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_head_office(self):
        return self.role == Role.HEAD_OFFICE or self.is_superuser

    @property
    def does_village_work(self) -> bool:
        """Whether the village pages belong in this user's menu: not for the deputy head in
        charge of corporate business nor head office's corporate departments."""
        return self.is_superuser or self.role not in CORPORATE_ONLY_ROLES

    @property
    def serves_corporate(self) -> bool:
        """Whether the corporate credit pages are this user's (DOMAIN.md §5)."""
        return self.corporate_manager or self.role in CORPORATE_ROLES

    # Head office maintains organisation and staff in the admin: the role grants it,
    # so nobody has to keep a permission group in step with the roles.
    def has_perm(self, perm, obj=None):
        return (self.is_active and self.role == Role.HEAD_OFFICE) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        return (self.is_active and self.role == Role.HEAD_OFFICE) or super().has_module_perms(
            app_label
        )


class Township(models.Model):
    branch = models.ForeignKey(
        Branch, models.PROTECT, related_name="townships", verbose_name=_("branch")
    )
    name = models.CharField(_("township"), max_length=60)

    class Meta:
        ordering = ["branch__code", "name"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"], name="township_unique_name_per_branch"
            ),
        ]

    def __str__(self):
        return self.name


class VillageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Villages a user may see: the start of every query about places."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_head_office:
            return self
        if user.role == Role.ACCOUNT_MANAGER:
            return self.filter(owners=user)
        if user.role in VILLAGE_OVERSIGHT_ROLES:
            return self.filter(township__branch__in=user.branches.all())
        return self.none()

    def editable_by(self, user):
        """Villages whose archive a user may change (chiefs and leaders only read)."""
        if user.is_authenticated and user.role in (Role.SECTION_CHIEF, Role.LEADER):
            return self.none()
        return self.visible_to(user)

    def with_coverage(self):
        """Annotate households filed (the household types) next to those registered."""
        return self.annotate(
            filed_households=models.Count(
                "customers", filter=Q(customers__customer_type__in=HOUSEHOLD_TYPES)
            )
        )


class Village(models.Model):
    """An administrative village (行政村) with its seven-ones village items."""

    township = models.ForeignKey(
        Township, models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    code = models.CharField(_("village code"), max_length=20, unique=True)
    name = models.CharField(_("village"), max_length=60)
    registered_households = models.PositiveIntegerField(_("registered households"), default=0)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    owners = models.ManyToManyField(
        User,
        verbose_name=_("account managers in charge"),
        related_name="villages",
        blank=True,
        limit_choices_to={"role": Role.ACCOUNT_MANAGER},
    )
    informant_name = models.CharField(_("informant"), max_length=30, blank=True)
    informant_phone = models.CharField(_("informant mobile"), max_length=20, blank=True)
    has_board = models.BooleanField(_("publicity board put up"), default=False)
    has_service_point = models.BooleanField(_("service point set up"), default=False)

    # The owners are the managers' scope: who changed them, when, from whom to whom.
    history = HistoricalRecords(m2m_fields=[owners])
    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative village")
        verbose_name_plural = _("administrative villages")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="village_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="village_longitude_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archives:village", args=[self.pk])

    @property
    def branch(self):
        return self.township.branch

    @property
    def coverage_percent(self):
        """Households filed as a share of those registered; needs with_coverage()."""
        if not self.registered_households:
            return None
        return round(100 * self.filed_households / self.registered_households, 1)


class VillageGroup(models.Model):
    """A village group (村民小组) inside an administrative village."""

    village = models.ForeignKey(
        Village, models.CASCADE, related_name="groups", verbose_name=_("village")
    )
    name = models.CharField(_("village group"), max_length=30)
    registered_households = models.PositiveIntegerField(_("registered households"), default=0)

    class Meta:
        ordering = ["village", "name"]
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="village_group_unique_name"),
        ]

    def __str__(self):
        return self.name


PATTERN_OPS = "varchar_pattern_ops"
# PostgreSQL only (migration 0007): the characters of the name, as a GIN-indexed array.
NAME_CHARS = "archives_customer.name_chars"


def last4(value: str) -> str:
    """The last four characters of an identifier, as masked lists show them; empty if shorter."""
    value = (value or "").upper()
    return value[-4:] if len(value) >= 4 else ""


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Customers a user may see; every customer page starts here, so out of scope is a 404."""
        return self.filter(village__in=Village.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(village__in=Village.objects.editable_by(user))

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit() or (text.upper().endswith("X") and text[:-1].isdigit()):
            found = (
                Q(id_number__startswith=text.upper())
                | Q(phone__startswith=text)
                | Q(credit_code__startswith=text.upper())
            )
            if len(text) == 4:
                # The four characters a masked list shows (****1234): the stored suffixes.
                found |= Q(id_last4=text.upper()) | Q(phone_last4=text)
            return self.filter(found)
        found = self.filter(name__contains=text)
        if connections[self.db].vendor == "postgresql":
            # A name is two to four characters: too short for trigrams. Every character
            # searched for is looked up in the GIN index of the name's characters first.
            chars = sorted(set(text))
            has_chars = RawSQL(f"{NAME_CHARS} @> %s::text[]", (chars,), BooleanField())
            found = found.alias(has_chars=has_chars).filter(has_chars=True)
        return found


class Customer(Positioned, models.Model):
    """One archive entry: a household, a business or an organisation, with its survey form."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="customers", verbose_name=_("village")
    )
    group = models.ForeignKey(
        VillageGroup,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("village group"),
    )
    customer_type = models.CharField(
        _("customer type"), max_length=24, choices=CustomerType.choices
    )
    name = models.CharField(_("name"), max_length=80)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, editable=False)
    contact_person = models.CharField(_("contact person"), max_length=30, blank=True)
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    # The last four characters of the ID number and the mobile, as the masked lists show
    # them (****1234): searched by equality through their indexes. Kept by set_last4()
    # on every write, the imports' bulk writes included.
    id_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    contact_method = models.CharField(_("other contact method"), max_length=60, blank=True)
    address = models.CharField(_("home address"), max_length=120, blank=True)
    # A business (个体工商户, 家庭农场) belongs to its operator's household (DOMAIN.md §7).
    household = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="businesses",
        verbose_name=_("operator's household"),
    )
    credit_record = models.CharField(
        _("credit record"), max_length=8, choices=CreditRecord.choices, default=CreditRecord.NONE
    )
    main_income = models.CharField(
        _("main income source"), max_length=16, choices=MainIncome.choices, blank=True
    )

    # Business items and where (common to all types).
    business_items = models.CharField(_("business items"), max_length=200, blank=True)
    business_address = models.CharField(_("business address"), max_length=120, blank=True)

    # Business with this bank and others.
    has_deposit_account = models.BooleanField(_("has a deposit account with us"), default=False)
    deposit_balance = money(_("deposit balance (yuan)"))
    loan_balance = money(_("loan balance (yuan)"))
    deposit_maturity = models.DateField(_("fixed deposit matures on"), null=True, blank=True)
    loan_maturity = models.DateField(_("loan falls due on"), null=True, blank=True)
    interest_due_on = models.DateField(_("next interest payment on"), null=True, blank=True)
    balances_as_of = models.DateField(_("balances as of"), null=True, blank=True)
    ebanking_products = models.JSONField(_("e-banking products used"), default=list, blank=True)
    bank_business = models.CharField(_("business with our bank"), max_length=200, blank=True)
    other_bank_business = models.CharField(_("business at other banks"), max_length=200, blank=True)

    # Needs, and appointments made during the visit.
    credit_need = entered_money(_("credit need (yuan)"))
    service_needs = models.CharField(
        _("deposit and e-banking service needs"), max_length=200, blank=True
    )
    appointed_deposit = entered_money(_("appointed deposit (yuan)"))
    appointed_loan = entered_money(_("appointed loan (yuan)"))
    appointed_products = models.JSONField(
        _("appointed e-banking products"), default=list, blank=True
    )

    # Household collection form (一户一张采集表).
    household_income = entered_money(_("household income per year (yuan)"))
    household_expenses = entered_money(_("household expenses per year (yuan)"))

    # Type-specific survey fields.
    scale = models.CharField(_("scale"), max_length=100, blank=True)
    area_mu = models.DecimalField(
        _("area (mu)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    operating_income = entered_money(_("operating income per year (yuan)"))
    total_investment = entered_money(_("total investment (yuan)"))
    registered_capital = entered_money(_("registered capital (yuan)"))
    member_count = models.PositiveIntegerField(_("member count"), null=True, blank=True)
    total_assets = entered_money(_("total assets (yuan)"))
    total_liabilities = entered_money(_("total liabilities (yuan)"))
    credit_rating = models.CharField(_("credit rating"), max_length=10, blank=True)
    financing = models.CharField(_("financing"), max_length=200, blank=True)

    # Seven-ones, per household.
    letter_delivered = models.BooleanField(_("letter delivered"), default=False)
    contact_card_delivered = models.BooleanField(_("contact card delivered"), default=False)
    form_collected = models.BooleanField(_("collection form filled"), default=True)
    gift_delivered = models.BooleanField(_("gift delivered"), default=False)

    archived_on = models.DateField(_("archived on"))
    filed_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("filed by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The searched suffixes are derived from the ID number and mobile, which history keeps.
    history = HistoricalRecords(excluded_fields=["updated_at", "id_last4", "phone_last4"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["village", "name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["village", "customer_type"], name="customer_village_type"),
            models.Index(fields=["name"], name="customer_name"),
            # Possible duplicates are looked for inside one village (archives/dupes.py).
            models.Index(fields=["village", "name"], name="customer_village_name"),
            models.Index(fields=["village", "phone"], name="customer_village_phone"),
            # Searches match these by prefix (LIKE '…%'): pattern_ops lets PostgreSQL use
            # the index whatever the database's collation (other databases ignore it).
            models.Index(fields=["phone"], name="customer_phone_prefix", opclasses=[PATTERN_OPS]),
            models.Index(
                fields=["id_number"], name="customer_id_number_prefix", opclasses=[PATTERN_OPS]
            ),
            models.Index(
                fields=["credit_code"], name="customer_credit_code_prefix", opclasses=[PATTERN_OPS]
            ),
            models.Index(fields=["id_last4"], name="customer_id_last4"),
            models.Index(fields=["phone_last4"], name="customer_phone_last4"),
        ]
        constraints = [
            # One household-type record per ID number, and one record of each business
            # type; a cooperative's or enterprise's legal representative is not a key.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number="") & Q(customer_type__in=PERSON_HOUSEHOLD_TYPES),
                name="customer_unique_household_id",
            ),
            models.UniqueConstraint(
                fields=["id_number", "customer_type"],
                condition=~Q(id_number="") & Q(customer_type__in=BUSINESS_TYPES),
                name="customer_unique_business_id",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True) | Q(customer_type__in=BUSINESS_TYPES),
                name="customer_household_only_for_business",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="customer_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=~Q(id_number="") | ~Q(credit_code=""), name="customer_has_an_identifier"
            ),
            models.CheckConstraint(
                # The entered amounts may be unknown (NULL): said here, not left to SQL's
                # three-valued logic.
                condition=Q(deposit_balance__gte=0)
                & Q(loan_balance__gte=0)
                & (Q(household_income__isnull=True) | Q(household_income__gte=0))
                & (Q(household_expenses__isnull=True) | Q(household_expenses__gte=0))
                & (Q(operating_income__isnull=True) | Q(operating_income__gte=0))
                & (Q(area_mu__isnull=True) | Q(area_mu__gte=0)),
                name="customer_amounts_not_negative",
            ),
            *position_constraints("customer"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.set_last4()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"id_number", "phone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "id_last4", "phone_last4"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archives:customer", args=[self.pk])

    def set_last4(self):
        """Derive the searched suffixes; bulk writes call this themselves (save() is not run)."""
        self.id_last4 = last4(self.id_number)
        self.phone_last4 = last4(self.phone)

    @property
    def masked_id(self):
        return mask_id(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_credit_code(self):
        return self.credit_code  # a business's registration code is public

    @property
    def ebanking_labels(self):
        return [
            EBankingProduct(code).label
            for code in self.ebanking_products
            if code in EBankingProduct.values
        ]

    @property
    def appointed_labels(self):
        return [
            EBankingProduct(code).label
            for code in self.appointed_products
            if code in EBankingProduct.values
        ]

    @property
    def business_total(self):
        return self.deposit_balance + self.loan_balance


# Models kept in their own modules, imported here so Django finds them.
from .audit import PersonalDataAccess  # noqa: E402, F401
from .family_models import FamilyMember  # noqa: E402, F401
from .merge_models import CustomerMerge  # noqa: E402, F401
from .movement_models import Movement, MovementRules  # noqa: E402, F401
from .review_models import SurveyReview  # noqa: E402, F401
from .submission_models import Submission  # noqa: E402, F401
from .summary_models import VillageSummary  # noqa: E402, F401
