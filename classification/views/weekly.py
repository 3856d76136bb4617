"""Pages of the weekly classification: the branch list, the weekly queue and its decisions."""

from django.contrib import messages
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from archives.models import Customer, Role, Village
from archives.pagination import CountedPaginator

from .. import services
from ..forms.weekly import DECIDED_TIERS, TierDecisionForm
from ..models import (
    Classification,
    Override,
    Proposal,
    Week,
    branches_reviewed_by,
    branches_visible_to,
)
from ..rules import TIER_LABELS, Tier

PAGE_SIZE = 100


def week_list(request):
    latest = Week.objects.filter(branch=OuterRef("pk")).order_by("-week_start")
    branches = branches_visible_to(request.user).annotate(
        latest_week=Subquery(latest.values("pk")[:1]),
        latest_start=Subquery(latest.values("week_start")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
    )
    reviewable = set(branches_reviewed_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "classification/week_list.html",
        {
            "branches": branches,
            "reviewable": reviewable,
            "this_week": services.week_start_of(timezone.localdate()),
            "statuses": dict(Week.Status.choices),
        },
    )


def not_post(request):
    """Out-of-scope is checked first (404), then the method (405): scope never leaks."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def run(request, branch_pk):
    branch = get_object_or_404(branches_reviewed_by(request.user), pk=branch_pk)
    if response := not_post(request):
        return response
    try:
        week = services.run_week(branch=branch, today=timezone.localdate(), now=timezone.now())
    except services.WeekLocked as locked:
        messages.error(request, str(locked))
        return redirect("classification:weeks")
    messages.success(
        request, _("The rules have classified %(branch)s for this week.") % {"branch": branch}
    )
    return redirect(week)


def week_detail(request, pk):
    week = get_object_or_404(
        Week.objects.visible_to(request.user).select_related("branch", "confirmed_by"), pk=pk
    )
    return _week_page(request, week)


def _week_page(request, week, *, failed=None, status=200):
    """The queue; `failed` is a decision refused (its form keeps the tier chosen)."""
    rows = week.rows.filter(customer__village__in=Village.objects.visible_to(request.user))
    pending = Exists(
        Proposal.objects.filter(customer=OuterRef("customer_id"), status=Proposal.Status.PENDING)
    )
    queued = Q(tier=Tier.UNDECIDED) | ~Q(tier=F("previous_tier")) | Q(pending)
    # Every count of the page in one grouped pass over the week's rows: the tabs' counts
    # and the queue's, which is also the paginator's (no second COUNT of the list).
    counts, in_queue = {}, 0
    for tier, n, q in (
        rows.values_list("tier").annotate(n=Count("pk"), q=Count("pk", filter=queued)).order_by()
    ):
        counts[tier] = n
        in_queue += q
    show = request.GET.get("show", "queue")
    if show in {t.value for t in Tier}:
        selected, how_many = rows.filter(tier=show), counts.get(show, 0)
    elif show == "queue":
        selected, how_many = rows.filter(queued), in_queue
    elif show == "key":
        selected, how_many = rows.filter(tier=Tier.KEY_FOLLOW_UP), counts.get(Tier.KEY_FOLLOW_UP, 0)
    else:
        selected, how_many = rows, sum(counts.values())
    selected = selected.select_related("customer__village").order_by(
        "rank", "customer__village__name", "customer__name", "pk"
    )
    page = CountedPaginator(selected, PAGE_SIZE, count=how_many).get_page(request.GET.get("page"))
    customer_ids = [row.customer_id for row in page.object_list]
    proposals = {
        p.customer_id: p
        for p in Proposal.objects.filter(
            customer_id__in=customer_ids, status=Proposal.Status.PENDING
        ).select_related("proposed_by")
    }
    overrides = {
        o.customer_id: o
        for o in Override.objects.filter(
            customer_id__in=customer_ids, lifted_at__isnull=True
        ).select_related("set_by")
    }
    for row in page.object_list:
        row.proposal = proposals.get(row.customer_id)
        row.override = overrides.get(row.customer_id)
        row.failed = failed[1] if failed is not None and failed[0] == row.customer_id else None
    _with_tier_options(page.object_list)
    context = _row_context(request, week, show)
    context.update(
        {
            "page": page,
            "tiers": [(t.value, label, counts.get(t.value, 0)) for t, label in TIER_LABELS.items()],
            "total": sum(counts.values()),
            "undecided": counts.get(Tier.UNDECIDED, 0),
            "pending": (services.undecided_rows(week)[1].count() if context["can_review"] else 0),
            "past_weeks": Week.objects.filter(branch=week.branch)
            .order_by("-week_start")
            .only("pk", "week_start", "status")[:PAST_WEEKS],
        }
    )
    return render(request, "classification/week.html", context, status=status)


PAST_WEEKS = 12


def _row_context(request, week, show):
    can_review = (
        not week.is_locked and branches_reviewed_by(request.user).filter(pk=week.branch_id).exists()
    )
    return {
        "week": week,
        "show": show,
        "can_review": can_review,
        "can_propose": not week.is_locked and request.user.role == Role.ACCOUNT_MANAGER,
        "form": TierDecisionForm(),
        "propose_options": _tier_options(None),
    }


def _with_tier_options(rows):
    """Each row's <option>s of its decision form, the tier to show chosen marked: the tier a
    refused decision asked for, else the one proposed, else the row's own. Built once per
    chosen tier for the page; rendering them per row in the template was a third of the
    queue's time (100 rows, five tiers each)."""
    built = {}
    for row in rows:
        if row.failed is not None:
            chosen = row.failed.data.get("tier")
        elif row.proposal is not None:
            chosen = row.proposal.tier
        else:
            chosen = row.tier
        if chosen not in built:
            built[chosen] = _tier_options(chosen)
        row.tier_options = built[chosen]


def _tier_options(chosen):
    return format_html('<option value="">{}</option>', _("Choose…")) + format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == chosen else "", label) for value, label in DECIDED_TIERS),
    )


def _in_place(request) -> bool:
    """A decision sent by static/js/week_queue.js: answer with the row alone."""
    return request.headers.get("X-Queue-Row") == "1"


def _row_response(request, week, customer, *, failed=None, status=200):
    """The decided row as the queue shows it (template partial `queue-row`)."""
    row = (
        Classification.objects.filter(week=week, customer=customer)
        .select_related("customer__village")
        .get()
    )
    row.proposal = Proposal.objects.filter(
        customer=customer, status=Proposal.Status.PENDING
    ).first()
    row.override = Override.objects.filter(customer=customer, lifted_at__isnull=True).first()
    row.failed = failed
    _with_tier_options([row])
    context = _row_context(request, week, request.GET.get("show", "queue"))
    context["row"] = row
    return render(request, "classification/week.html#queue-row", context, status=status)


def _reviewable_week(request, pk):
    return get_object_or_404(
        Week.objects.filter(branch__in=branches_reviewed_by(request.user)).select_related("branch"),
        pk=pk,
    )


def _week_customer(week, user, customer_pk):
    row = get_object_or_404(
        Classification.objects.filter(
            week=week, customer__in=Customer.objects.visible_to(user)
        ).select_related("customer"),
        customer_id=customer_pk,
    )
    return row.customer


def override(request, pk, customer_pk):
    week = _reviewable_week(request, pk)
    customer = _week_customer(week, request.user, customer_pk)
    if response := not_post(request):
        return response
    form = TierDecisionForm(request.POST)
    if not form.is_valid():
        # The tier chosen stays chosen: the row comes back with the error beside it.
        failed = (customer.pk, form)
        if _in_place(request):
            return _row_response(request, week, customer, failed=form, status=422)
        return _week_page(request, week, failed=failed, status=422)
    try:
        services.override_tier(
            week=week,
            customer=customer,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            now=timezone.now(),
        )
    except (services.WeekLocked, services.DecidedMeanwhile) as refused:
        if _in_place(request):
            form.add_error(None, str(refused))
            return _row_response(request, week, customer, failed=form, status=409)
        messages.error(request, str(refused))
        return redirect(week)
    if _in_place(request):
        return _row_response(request, week, customer)
    messages.success(
        request,
        _("%(name)s is now %(tier)s.")
        % {"name": customer.name, "tier": TIER_LABELS[Tier(form.cleaned_data["tier"])]},
    )
    return redirect(f"{week.get_absolute_url()}?{request.GET.urlencode()}")


def lift(request, pk, customer_pk):
    week = _reviewable_week(request, pk)
    customer = _week_customer(week, request.user, customer_pk)
    if response := not_post(request):
        return response
    try:
        services.lift_override(week=week, customer=customer, user=request.user, now=timezone.now())
    except services.WeekLocked as locked:
        messages.error(request, str(locked))
        return redirect(week)
    messages.success(request, _("%(name)s is back with the rules.") % {"name": customer.name})
    return redirect(week)


def confirm(request, pk):
    week = _reviewable_week(request, pk)
    if response := not_post(request):
        return response
    undecided, proposals = services.undecided_rows(week)
    if not week.is_locked and request.POST.get("despite") != "1":
        undecided, proposals = list(undecided[:200]), list(proposals[:200])
        if undecided or proposals:
            # Say what is still open and ask: confirming leaves them 待认定 / rejected.
            return render(
                request,
                "classification/week_confirm.html",
                {"week": week, "undecided": undecided, "proposals": proposals},
            )
    try:
        services.confirm_week(
            week=week, user=request.user, today=timezone.localdate(), now=timezone.now()
        )
    except services.WeekLocked as locked:
        messages.error(request, str(locked))
        return redirect(week)
    messages.success(
        request, _("The week is confirmed; the people responsible for each customer are updated.")
    )
    return redirect(week)


def propose(request, pk, customer_pk):
    if request.user.role != Role.ACCOUNT_MANAGER:
        raise Http404
    week = get_object_or_404(Week.objects.visible_to(request.user), pk=pk)
    customer = _week_customer(week, request.user, customer_pk)
    if response := not_post(request):
        return response
    if week.is_locked:
        messages.error(
            request,
            _("The week of %(date)s is confirmed and cannot change.") % {"date": week.week_start},
        )
        return redirect(week)
    form = TierDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{customer.name}：{error}")
        return redirect(week)
    try:
        services.propose_tier(
            customer=customer,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            now=timezone.now(),
        )
    except services.DecidedMeanwhile as refused:
        messages.error(request, str(refused))
        return redirect(week)
    messages.success(
        request,
        _("Your proposal for %(name)s goes to the weekly meeting.") % {"name": customer.name},
    )
    return redirect(week)


def accept_proposals(request, pk):
    week = _reviewable_week(request, pk)
    if response := not_post(request):
        return response
    try:
        n = services.accept_proposals(week=week, user=request.user, now=timezone.now())
    except (services.WeekLocked, services.DecidedMeanwhile) as refused:
        messages.error(request, str(refused))
        return redirect(week)
    messages.success(request, _("%(n)s proposals taken up.") % {"n": n})
    return redirect(week)
