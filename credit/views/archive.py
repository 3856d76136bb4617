"""Pages of the corporate archive: the customers in scope, a customer, its form and team."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import versions
from archives.identity import mask_phone
from archives.models import Branch
from archives.pagination import CappedPaginator

from .. import archive, cadences, rules
from ..facts import facts_for
from ..forms.archive import FLAGS, CustomerForm, TeamForm, duplicate_message
from ..models import CorporateCustomer, TeamMember

PAGE_SIZE = 50
FIGURES_SHOWN = 24  # two years of monthly periods


def customer_list(request):
    if not request.user.serves_corporate:
        raise Http404
    q = request.GET.get("q", "").strip()[:100]
    page = CappedPaginator(archive.listed(request.user, q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "credit/customers.html",
        {"page": page, "q": q, "can_create": bool(archive.creation_branches(request.user))},
    )


def customer_detail(request, pk):
    customer = get_object_or_404(
        CorporateCustomer.objects.visible_to(request.user).select_related(
            "branch", "industry", "group", "list_state"
        ),
        pk=pk,
    )
    today = timezone.localdate()
    state = getattr(customer, "list_state", None)  # absent: RelatedObjectDoesNotExist
    designations = {customer.pk: state.designation} if state is not None else None
    facts = facts_for(CorporateCustomer.objects.filter(pk=pk), on=today, designations=designations)
    proposal = rules.propose(facts[customer.pk], rules.thresholds_on(today))
    others = [
        (rules.LIST_LABELS[kind], met)
        for kind, met in proposal.met.items()
        if met and kind != proposal.list
    ]
    figures = list(customer.figures.order_by("-period")[:FIGURES_SHOWN])
    for row in figures:
        row.products_count = len(row.products or [])
    return render(
        request,
        "credit/customer.html",
        {
            "customer": customer,
            "today": today,
            "customer_flags": [
                CorporateCustomer._meta.get_field(name).verbose_name
                for name in FLAGS
                if getattr(customer, name)
            ],
            "policy_labels": [
                rules.POLICY_LABELS[rules.PolicyKind(kind)]
                for kind in customer.policy_kinds or ()
                if kind in rules.PolicyKind
            ],
            "masked_phone": mask_phone(customer.finance_phone),
            "team": TeamMember.objects.filter(customer=customer).select_related("user"),
            "figures": figures,
            "proposal": proposal,
            "proposed_label": rules.LIST_LABELS[proposal.list],
            "others": others,
            "history": archive.customer_history(customer),
            "activities": cadences.of_customer(customer),
            "may_log": cadences.may_log(request.user),
            "can_edit": archive.editable(request.user).filter(pk=pk).exists(),
            "can_edit_team": archive.team_editable(request.user).filter(pk=pk).exists(),
        },
    )


def customer_create(request):
    branches = archive.creation_branches(request.user)
    if not branches:
        raise Http404
    return _record(request, customer=CorporateCustomer(), branches=branches)


def customer_edit(request, pk):
    customer = get_object_or_404(archive.editable(request.user).select_related("branch"), pk=pk)
    return _record(request, customer=customer, branches=None)


def _record(request, *, customer, branches):
    """Bind the customer form, make the one service call, render or redirect."""
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(
        data,
        instance=customer,
        user=request.user,
        today=timezone.localdate(),
        branches=branches,
    )
    stale = None
    if data is not None:
        if form.is_valid():
            created = customer.pk is None
            try:
                customer = archive.save_customer(form=form, user=request.user)
            except versions.StaleEdit as refused:
                stale = refused
                versions.keep_input(form, refused)
            except archive.AlreadyOnFile as duplicate:
                form.add_error("credit_code", duplicate_message(duplicate.existing, request.user))
                messages.error(
                    request, _("Nothing was saved: please correct the fields marked below.")
                )
            else:
                messages.success(
                    request,
                    (_("Filed %(name)s.") if created else _("Saved the changes to %(name)s."))
                    % {"name": customer.name},
                )
                return redirect("credit:customer", customer.pk)
        else:
            messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(
        request,
        "credit/customer_form.html",
        {
            "customer": customer,
            "form": form,
            "stale": stale,
            "branch": _branch_of(customer, branches),
        },
        status=409 if stale else 200,
    )


def _branch_of(customer, branches) -> Branch | None:
    if customer.pk is not None:
        return customer.branch
    return branches[0] if len(branches) == 1 else None


def team_edit(request, pk):
    customer = get_object_or_404(
        archive.team_editable(request.user).select_related("branch"), pk=pk
    )
    team = {
        m.role: m.user for m in TeamMember.objects.filter(customer=customer).select_related("user")
    }
    form = TeamForm(request.POST or None, customer=customer, team=team)
    stale = None
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = archive.save_team(
                    customer=customer,
                    chosen=form.chosen(),
                    version=form.cleaned_data.get("version"),
                    user=request.user,
                )
            except versions.StaleEdit as refused:
                stale = refused
                versions.keep_input(form, refused)
            else:
                if changed:
                    messages.success(
                        request, _("Saved the team of %(name)s.") % {"name": customer.name}
                    )
                return redirect("credit:customer", customer.pk)
        else:
            messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(
        request,
        "credit/customer_team.html",
        {"customer": customer, "form": form, "team": team, "stale": stale},
        status=409 if stale else 200,
    )


urlpatterns = [
    path("customers/", customer_list, name="customers"),
    path("customers/new/", customer_create, name="customer_create"),
    path("customers/<int:pk>/", customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", customer_edit, name="customer_edit"),
    path("customers/<int:pk>/team/", team_edit, name="team_edit"),
]
