"""The corporate customer's form (one form per customer, DOMAIN.md §5.1) and its team's.

The form validates every field in Chinese and writes nothing: credit/archive.py saves
it in one transaction. A duplicate credit code never reveals another branch's record
(DOMAIN.md §7): inside the user's scope it links to the record, outside it says only
"已在其他网点建档，请联系总行".
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives import versions
from archives.forms import label_blank_choices
from archives.identity import validate_credit_code, validate_mobile
from archives.models import Branch, User

from ..archive import TEAM_ROLES, team_values
from ..models import CorporateCustomer, Group, Industry, TeamRole
from ..models.archive import POLICY_KINDS
from ..rules import PolicyKind

# The status flags, in the order of DOMAIN.md §5.1.
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
)
SECTIONS = (
    (
        gettext_lazy("Who"),
        ("branch", "name", "credit_code", "industry", "size", "group", "new_group"),
    ),
    (
        gettext_lazy("Contacts"),
        ("legal_representative", "finance_contact", "finance_phone", "relationship_since"),
    ),
    (gettext_lazy("Status"), FLAGS),
    (
        gettext_lazy("Strategic value"),
        ("strategic_agreement", "head_to_head_agreement", "strategic_judgement"),
    ),
    (
        gettext_lazy("Finances and credit"),
        ("sound_finances", "profit_margin", "industry_average_margin", "has_credit_line"),
    ),
    (
        gettext_lazy("Policy kinds (potential customers)"),
        ("tax_grade", "policy_kinds", "other_policy_reason"),
    ),
)
EDITED = tuple(
    name for _title, names in SECTIONS for name in names if name not in {"branch", "new_group"}
)
# Margins are per cent of revenue: a loss larger than the revenue, or a margin above it,
# is a typing error here, not a figure (Decision: -100 to 100).
MARGIN_LIMIT = Decimal(100)


def duplicate_message(existing: CorporateCustomer, user):
    """Who holds the credit code: a link inside the user's scope, nothing outside it (§7)."""
    if CorporateCustomer.objects.visible_to(user).filter(pk=existing.pk).exists():
        return format_html(
            '{} <a href="{}">{}</a>',
            _("This credit code is already on file:"),
            reverse("credit:customer", args=[existing.pk]),
            existing.name,
        )
    return _("Already on file at another branch; please contact head office.")


class CustomerForm(forms.ModelForm):
    """A corporate customer's record; `branches` offers a branch to a new record's creator."""

    credit_code = forms.CharField(label=gettext_lazy("unified social credit code"), max_length=30)
    finance_phone = forms.CharField(
        label=gettext_lazy("finance contact's mobile"), max_length=30, required=False
    )
    new_group = forms.CharField(
        label=gettext_lazy("or a new group's name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("When the group is not in the list yet."),
    )
    policy_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("policy kinds"),
        choices=POLICY_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = versions.VersionField()

    class Meta:
        model = CorporateCustomer
        fields = ("branch", *EDITED)
        widgets = {
            "relationship_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "strategic_judgement": forms.Textarea(attrs={"rows": 2}),
            "other_policy_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, today, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        if self.instance.pk is None and branches is not None and len(branches) > 1:
            self.fields["branch"].queryset = Branch.objects.filter(pk__in=[b.pk for b in branches])
        else:
            del self.fields["branch"]
            if self.instance.pk is None and branches:
                self.instance.branch = branches[0]
        self.fields["industry"].queryset = Industry.objects.order_by("code")
        self.fields["group"].queryset = Group.objects.order_by("name")
        for name in ("profit_margin", "industry_average_margin"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})
        self.fields["finance_phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "off"}
        )
        self.fields["credit_code"].widget.attrs.update({"autocapitalize": "characters"})
        label_blank_choices(self)
        if self.instance.pk is not None:
            self.initial["version"] = versions.version_of(self.stored_values(self.instance))

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in SECTIONS
        ]

    # ---- versions (stale edits refused) ---------------------------------------------

    def stored_values(self, customer) -> versions.Values:
        return versions.model_values(customer, EDITED, form=self)

    def submitted_values(self) -> versions.Values:
        values = versions.form_values(self, EDITED)
        name = self.cleaned_data.get("new_group")
        if name:
            label = CorporateCustomer._meta.get_field("group").verbose_name
            values["group"] = versions.Value(str(label), f"new:{name}", name)
        return values

    # ---- fields -----------------------------------------------------------------------

    def clean_credit_code(self):
        code = validate_credit_code(self.cleaned_data.get("credit_code", "").strip())
        existing = (
            CorporateCustomer.objects.filter(credit_code=code).exclude(pk=self.instance.pk).first()
        )
        if existing is not None:
            raise ValidationError(duplicate_message(existing, self.user), code="duplicate")
        return code

    def clean_finance_phone(self):
        value = self.cleaned_data.get("finance_phone", "").strip()
        return validate_mobile(value) if value else ""

    def clean_relationship_since(self):
        day = self.cleaned_data.get("relationship_since")
        if day is not None and day > self.today:
            raise ValidationError(
                _("The relationship cannot start in the future (today is %(today)s).")
                % {"today": self.today.isoformat()},
                code="future",
            )
        return day

    def _clean_margin(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not -MARGIN_LIMIT <= value <= MARGIN_LIMIT:
            raise ValidationError(
                _("A margin is a percentage between -100 and 100; got %(value)s.")
                % {"value": value},
                code="margin_range",
            )
        return value

    def clean_profit_margin(self):
        return self._clean_margin("profit_margin")

    def clean_industry_average_margin(self):
        return self._clean_margin("industry_average_margin")

    def clean_new_group(self):
        return " ".join(self.cleaned_data.get("new_group", "").split())

    def clean(self):
        data = super().clean()
        name = data.get("new_group")
        if name:
            if data.get("group") is not None:
                self.add_error(
                    "new_group",
                    _("Choose a group from the list or type a new one, not both."),
                )
            else:
                existing = Group.objects.filter(name=name).first()
                if existing is not None:  # typed a group that exists: it is that group
                    data["group"], data["new_group"] = existing, ""
        kinds = data.get("policy_kinds") or []
        reason = data.get("other_policy_reason", "").strip()
        if PolicyKind.OTHER in kinds and not reason:
            self.add_error(
                "other_policy_reason",
                _("Give the reason for another kind within the credit policy."),
            )
        if reason and PolicyKind.OTHER not in kinds:
            self.add_error(
                "other_policy_reason",
                _("A reason is only for another kind: tick it, or clear the reason."),
            )
        # A head-office-to-head-office agreement is a strategic agreement (总对总).
        if data.get("head_to_head_agreement"):
            data["strategic_agreement"] = True
        return data

    def _get_validation_exclusions(self):
        # clean_credit_code answers uniqueness with DOMAIN.md §7's message; the model's
        # unique check would add Django's own. A race past both is the service's.
        return {*super()._get_validation_exclusions(), "credit_code"}


# ---- the team (A/B角) -----------------------------------------------------------------


class TeamForm(forms.Form):
    """A, B1 and B2 among the branch's corporate managers; one role per person."""

    version = versions.VersionField()

    def __init__(self, *args, customer, team, **kwargs):
        super().__init__(*args, **kwargs)
        managers = User.objects.filter(
            corporate_manager=True, is_active=True, branches=customer.branch_id
        ).order_by("display_name", "username")
        for role in TEAM_ROLES:
            self.fields[role.value] = forms.ModelChoiceField(
                queryset=managers,
                label=role.label,
                required=role == TeamRole.A,
                error_messages={
                    "invalid_choice": _("Choose one of the branch's corporate account managers.")
                },
            )
            member = team.get(role.value)
            if member is not None:
                self.initial[role.value] = member.pk
        label_blank_choices(self)
        self.initial["version"] = versions.version_of(team_values(team))

    def clean(self):
        data = super().clean()
        seen = {}
        for role in TEAM_ROLES:
            user = data.get(role.value)
            if user is None:
                continue
            if user.pk in seen:
                self.add_error(
                    role.value,
                    _("%(name)s already holds role %(role)s: one role per person and customer.")
                    % {"name": user, "role": seen[user.pk]},
                )
            else:
                seen[user.pk] = role.label
        if data.get(TeamRole.B2.value) and not data.get(TeamRole.B1.value) and not self.errors:
            self.add_error(TeamRole.B1.value, _("Choose B1 before B2."))
        return data

    def chosen(self):
        return {role.value: self.cleaned_data.get(role.value) for role in TEAM_ROLES}
