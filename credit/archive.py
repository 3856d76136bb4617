"""The corporate archive's writes (customer, team) and reads (who may edit, the history).

Each write is one transaction with the change history kept (simple_history, with who).
Reads start from `CorporateCustomer.objects.visible_to(user)`, so out of scope is a 404.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from archives import versions
from archives.identity import mask_phone
from archives.services import Change

from .models import CorporateCustomer, Figures, Group, Industry, TeamMember, TeamRole
from .models.archive import BRANCH_ROLES
from .rules import POLICY_LABELS

# ---- who may do what -------------------------------------------------------------------


def creation_branches(user):
    """The branches where `user` may file a corporate customer (none: the page is a 404).

    The branch head and the deputy head in their branches; a corporate account manager
    in theirs too, and becomes the new customer's A role (Decision: a manager finds most
    new customers, the project library names prospects; the branch head may reassign
    the team afterwards).
    """
    if not (user.is_authenticated and user.is_active):
        return []
    if user.role in BRANCH_ROLES or user.corporate_manager:
        return list(user.branches.order_by("code"))
    return []


def editable(user):
    """Customers `user` may edit: the A role's, and their branch's head and deputy head's."""
    customers = CorporateCustomer.objects.visible_to(user)
    if user.role in BRANCH_ROLES:
        return customers
    if user.corporate_manager:
        return customers.filter(team__user=user, team__role=TeamRole.A)
    return customers.none()


def team_editable(user):
    """Customers whose team `user` may set: the head and deputy head of their branch."""
    if user.is_authenticated and user.role in BRANCH_ROLES:
        return CorporateCustomer.objects.visible_to(user)
    return CorporateCustomer.objects.none()


def listed(user, q=""):
    """The customers of `user`'s scope for the list: A manager and latest exposure annotated.

    `q` is a name (contains) or a credit code prefix; a credit code is not personal data.
    """
    a_manager = TeamMember.objects.filter(customer=OuterRef("pk"), role=TeamRole.A)
    latest = Figures.objects.filter(customer=OuterRef("pk")).order_by("-period")
    customers = (
        CorporateCustomer.objects.visible_to(user)
        .select_related("branch", "industry")
        .annotate(
            a_manager=Subquery(a_manager.values("user__display_name")[:1]),
            a_username=Subquery(a_manager.values("user__username")[:1]),
            latest_exposure=Subquery(latest.values("exposure")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
    )
    if q:
        customers = customers.filter(Q(name__icontains=q) | Q(credit_code__startswith=q.upper()))
    return customers.order_by("branch__code", "name", "pk")


# ---- the team as a version (stale team edits refused) ----------------------------------

TEAM_ROLES = (TeamRole.A, TeamRole.B1, TeamRole.B2)


def team_values(chosen) -> versions.Values:
    """A team as a version: role -> who holds it (a user, or None)."""
    values = {}
    for role in TEAM_ROLES:
        user = chosen.get(role.value)
        values[role.value] = versions.Value(
            str(role.label), str(user.pk) if user else "", str(user) if user else "—"
        )
    return values


# ---- writes ------------------------------------------------------------------------------


class AlreadyOnFile(Exception):
    """Another customer holds the credit code (filed at the same moment)."""

    def __init__(self, existing: CorporateCustomer):
        self.existing = existing
        super().__init__(existing.pk)


@transaction.atomic
def save_customer(*, form, user) -> CorporateCustomer:
    """Save a valid CustomerForm: create or edit, with history, or nothing.

    An edit locks the row and refuses with versions.StaleEdit when the record changed
    since the form was shown; an edit that changes nothing writes nothing (a double
    submit adds no history). A new group typed on the form is created here. The
    creator who is a corporate account manager becomes the A role.
    """
    stored = None
    if form.instance.pk is not None:
        stored = CorporateCustomer.objects.select_for_update().get(pk=form.instance.pk)
        stored_values = form.stored_values(stored)
        yours = form.submitted_values()
        versions.check(form.cleaned_data.get("version"), stored=stored_values, yours=yours)
        if {k: v.canonical for k, v in stored_values.items()} == {
            k: v.canonical for k, v in yours.items()
        }:
            return stored
    customer = form.save(commit=False)
    if form.cleaned_data.get("new_group"):
        customer.group = group_named(form.cleaned_data["new_group"], user=user)
    if stored is not None:
        customer.branch_id = stored.branch_id  # the form never moves a customer
    customer._history_user = user
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        existing = (
            CorporateCustomer.objects.filter(credit_code=customer.credit_code)
            .exclude(pk=customer.pk)
            .first()
        )
        if existing is None:
            raise
        raise AlreadyOnFile(existing) from None
    if stored is None and user.corporate_manager and user.role not in BRANCH_ROLES:
        member = TeamMember(customer=customer, user=user, role=TeamRole.A)
        member._history_user = user
        member.save()
    return customer


def group_named(name: str, *, user) -> Group:
    """The group of this name, created if new (two people typing it at once get one)."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    group = Group(name=name)
    group._history_user = user
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        return Group.objects.get(name=name)
    return group


@transaction.atomic
def save_team(*, customer, chosen, version: str | None, user) -> bool:
    """Set the team (role -> user or None) of `customer`; whether anything changed.

    Locks the customer, so two saves of one team queue; a stale page is refused with
    versions.StaleEdit. Changed roles are deleted and written again (a swap of A and B1
    never meets the one-role-per-person constraint half done), each with its history.
    """
    CorporateCustomer.objects.select_for_update().get(pk=customer.pk)
    current = {
        m.role: m for m in TeamMember.objects.filter(customer=customer).select_related("user")
    }
    versions.check(
        version,
        stored=team_values({role: m.user for role, m in current.items()}),
        yours=team_values(chosen),
    )
    changed = False
    for role, member in current.items():
        if chosen.get(role) != member.user:
            member._history_user = user
            member.delete()
            changed = True
    for role, person in chosen.items():
        if person is not None and (role not in current or current[role].user != person):
            member = TeamMember(customer=customer, user=person, role=role)
            member._history_user = user
            member.save()
            changed = True
    return changed


# ---- the change history ------------------------------------------------------------------

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
SKIPPED = {"created_at", "updated_at"}


def customer_history(customer) -> list[Change]:
    """Every change to the record and its team, newest first: who, when, field, old → new.

    Four queries whatever the length: the record's history, the team's, and the names
    of the industries and groups the history mentions.
    """
    records = list(customer.history.select_related("history_user").order_by("history_date", "pk"))
    team = list(
        TeamMember.history.filter(customer_id=customer.pk)
        .select_related("history_user", "user")
        .order_by("history_date", "pk")
    )
    names = _names(records)
    changes = _record_changes(customer, records, names) + _team_changes(team)
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def _who(record):
    return str(record.history_user) if record.history_user else _("system")


def _names(records):
    industries = {r.industry_id for r in records if r.industry_id}
    groups = {r.group_id for r in records if r.group_id}
    return {
        "industry": dict(Industry.objects.filter(pk__in=industries).values_list("pk", "name")),
        "group": dict(Group.objects.filter(pk__in=groups).values_list("pk", "name")),
    }


def _record_changes(customer, records, names):
    out = []
    previous = None
    for record in records:
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=SKIPPED)
            for change in delta.changes:
                field = CorporateCustomer._meta.get_field(change.field)
                out.append(
                    Change(
                        when=record.history_date,
                        who=_who(record),
                        what=customer.name,
                        action="changed",
                        field=str(field.verbose_name),
                        old=_display(field, change.old, names),
                        new=_display(field, change.new, names),
                    )
                )
        else:
            out.append(
                Change(
                    record.history_date,
                    _who(record),
                    customer.name,
                    ACTIONS[record.history_type],
                    "",
                    "",
                    "",
                )
            )
        previous = record
    return out


def _team_changes(records):
    out = []
    for record in records:
        label = _("Team role %(role)s") % {"role": TeamRole(record.role).label}
        person = str(record.user) if record.user_id else "—"
        joined = record.history_type != "-"
        out.append(
            Change(
                when=record.history_date,
                who=_who(record),
                what=_("Team"),
                action="changed",
                field=label,
                old="—" if joined else person,
                new=person if joined else "—",
            )
        )
    return out


def _display(field, value, names) -> str:
    if value is None or value == "":
        return "—"
    if field.name == "finance_phone":  # history is a list: a mobile stays masked there
        return mask_phone(value)
    if field.name in names:
        return names[field.name].get(value, str(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.name == "policy_kinds":
        return "、".join(str(POLICY_LABELS.get(v, v)) for v in value) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
