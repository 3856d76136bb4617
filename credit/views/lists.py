"""Pages of the four lists: a branch's lists, the rules' run, declarations, head office's
queue (confirm, refuse, designate), the yearly review and the export."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.exports import xlsx_response
from archives.models import Branch

from .. import exports, lists, movements, rules
from ..models import CorporateCustomer, ListState

SEARCH_LIMIT = 20


# --- who may do what: every query starts from the user's scope (out of scope is a 404) ---


def _leads(user) -> bool:
    return user.is_authenticated and user.role in lists.BRANCH_LEADERS


def _department(user) -> bool:
    return user.is_authenticated and user.role in lists.DEPARTMENTS


def branches_of(user):
    """Branches whose lists a user looks at as a whole: their own, or all for head office."""
    if _department(user):
        return Branch.objects.all()
    if _leads(user):
        return user.branches.all()
    return Branch.objects.none()


def declarable(user):
    """Customers whose list the user may declare: the branch head's and deputy's branch."""
    if not _leads(user):
        return CorporateCustomer.objects.none()
    return CorporateCustomer.objects.visible_to(user)


def decidable(user):
    """Customers head office's departments decide on (confirm, refuse, designate)."""
    if not _department(user):
        return CorporateCustomer.objects.none()
    return CorporateCustomer.objects.visible_to(user)


def not_post(request):
    """Out of scope is checked first (404), then the method (405): scope never leaks."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _selected_branch(request, branches):
    """The branch chosen in ?branch=, else the first; 404 for one out of scope."""
    chosen = request.GET.get("branch")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        return get_object_or_404(branches, pk=chosen)
    return branches.first()


# --- the lists of a branch ---------------------------------------------------------


def home(request):
    user = request.user
    if not user.serves_corporate:
        raise Http404
    branches = branches_of(user)
    customers = CorporateCustomer.objects.visible_to(user)
    branch = None
    if branches.exists():
        branch = _selected_branch(request, branches)
        customers = customers.filter(branch=branch)
    today = timezone.localdate()
    rows = lists.list_rows(customers, today=today)
    tab = request.GET.get("show", "all")
    if tab not in lists.TABS:
        tab = "all"
    tabs = [
        (value, _tab_label(value), sum(1 for row in rows if row.in_tab(value)))
        for value in lists.TABS
    ]
    return render(
        request,
        "credit/lists.html",
        {
            "branch": branch,
            "branches": list(branches) if branch else [],
            "rows": [row for row in rows if row.in_tab(tab)],
            "tab": tab,
            "tabs": tabs,
            "today": today,
            "can_declare": _leads(user),
            "can_run": bool(branch) and _leads(user),
            "can_designate": _department(user),
            "can_export": bool(branch),
            "choices": [(k.value, label) for k, label in rules.LIST_LABELS.items()],
            "notice_count": movements.notice_count(user, today=today),
        },
    )


def _tab_label(value):
    labels = {
        "all": _("All"),
        "awaiting": _("Awaiting head office"),
        "moved": _("Moved since the last review"),
        "due": _("Review due"),
    }
    return labels.get(value) or rules.LIST_LABELS[rules.CreditList(value)]


def _back_to_lists(customer):
    return redirect(f"{reverse('credit:home')}?branch={customer.branch_id}#c{customer.pk}")


def run_lists(request, branch_pk):
    branch = get_object_or_404(
        branches_of(request.user) if _leads(request.user) else Branch.objects.none(), pk=branch_pk
    )
    if response := not_post(request):
        return response
    run = lists.run_lists(
        branch=branch, user=request.user, today=timezone.localdate(), now=timezone.now()
    )
    messages.success(
        request,
        _("The rules have proposed a list for each of the %(n)s customers of %(branch)s.")
        % {"n": run.proposals.count(), "branch": branch},
    )
    return redirect(f"{reverse('credit:home')}?branch={branch.pk}")


def declare(request, customer_pk):
    customer = get_object_or_404(declarable(request.user), pk=customer_pk)
    if response := not_post(request):
        return response
    try:
        state = lists.declare(
            customer=customer,
            list=request.POST.get("list", ""),
            reason=request.POST.get("reason", ""),
            user=request.user,
            now=timezone.now(),
            version=request.POST.get("version"),
        )
    except lists.ListRefused as refused:
        messages.error(request, f"{customer.name}：{refused}")
        return _back_to_lists(customer)
    if state.status == ListState.Status.DECLARED:
        text = _("%(name)s: %(list)s declared; it goes to head office's corporate finance.")
        shown = state.requested
    else:
        text = _("%(name)s: %(list)s, the branch's decision, is confirmed.")
        shown = state.list
    messages.success(request, text % {"name": customer.name, "list": lists.label(shown)})
    return _back_to_lists(customer)


# --- head office ---------------------------------------------------------------------


def queue(request):
    user = request.user
    if not _department(user):
        raise Http404
    waiting = lists.CONFIRMS[user.role]
    customers = decidable(user).filter(list_state__status=waiting)
    rows = lists.list_rows(customers, today=timezone.localdate())
    q = request.GET.get("q", "").strip()[:50]
    found = []
    if q:
        matches = decidable(user).filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
        first = list(matches.order_by("name", "pk").values_list("pk", flat=True)[:SEARCH_LIMIT])
        found = lists.list_rows(
            CorporateCustomer.objects.filter(pk__in=first), today=timezone.localdate()
        )
    return render(
        request,
        "credit/queue.html",
        {"rows": rows, "waiting": waiting, "q": q, "found": found, "limit": SEARCH_LIMIT},
    )


def _decided(request, customer, step):
    try:
        step()
    except lists.ListRefused as refused:
        messages.error(request, f"{customer.name}：{refused}")
        return False
    return True


def confirm(request, customer_pk):
    customer = get_object_or_404(decidable(request.user), pk=customer_pk)
    if response := not_post(request):
        return response
    if _decided(
        request,
        customer,
        lambda: lists.confirm(
            customer=customer,
            user=request.user,
            now=timezone.now(),
            version=request.POST.get("version"),
        ),
    ):
        messages.success(request, _("%(name)s: confirmed.") % {"name": customer.name})
    return redirect("credit:queue")


def refuse(request, customer_pk):
    customer = get_object_or_404(decidable(request.user), pk=customer_pk)
    if response := not_post(request):
        return response
    if _decided(
        request,
        customer,
        lambda: lists.refuse(
            customer=customer,
            reason=request.POST.get("reason", ""),
            user=request.user,
            now=timezone.now(),
            version=request.POST.get("version"),
        ),
    ):
        messages.success(
            request,
            _("%(name)s: the declaration is refused; the list in force stays.")
            % {"name": customer.name},
        )
    return redirect("credit:queue")


def designate(request, customer_pk):
    customer = get_object_or_404(decidable(request.user), pk=customer_pk)
    if response := not_post(request):
        return response
    if _decided(
        request,
        customer,
        lambda: lists.designate_strategic(
            customer=customer,
            reason=request.POST.get("reason", ""),
            user=request.user,
            now=timezone.now(),
            version=request.POST.get("version"),
        ),
    ):
        messages.success(
            request,
            _("%(name)s is designated strategic by head office.") % {"name": customer.name},
        )
    if request.POST.get("back") == "lists":
        return _back_to_lists(customer)
    return redirect("credit:queue")


# --- the yearly review and the export ----------------------------------------------


def review_due(request):
    branches = branches_of(request.user)
    if not branches.exists():
        raise Http404
    branch = _selected_branch(request, branches)
    today = timezone.localdate()
    rows = lists.review_due_list(
        branch=branch, today=today, customers=CorporateCustomer.objects.visible_to(request.user)
    )
    return render(
        request,
        "credit/lists_review_due.html",
        {"branch": branch, "branches": list(branches), "rows": rows, "today": today},
    )


def lists_export(request, branch_pk):
    branch = get_object_or_404(branches_of(request.user), pk=branch_pk)
    today = timezone.localdate()
    rows = lists.list_rows(
        CorporateCustomer.objects.visible_to(request.user).filter(branch=branch), today=today
    )
    data = exports.lists_workbook(rows, today=today)
    filename = _("%(branch)s credit customer lists %(date)s") % {
        "branch": branch.name,
        "date": today.strftime("%Y%m%d"),
    }
    return xlsx_response(data, filename + ".xlsx")


urlpatterns = [
    path("", home, name="home"),
    path("lists/run/<int:branch_pk>/", run_lists, name="run_lists"),
    path("lists/declare/<int:customer_pk>/", declare, name="declare"),
    path("lists/queue/", queue, name="queue"),
    path("lists/confirm/<int:customer_pk>/", confirm, name="confirm"),
    path("lists/refuse/<int:customer_pk>/", refuse, name="refuse"),
    path("lists/designate/<int:customer_pk>/", designate, name="designate"),
    path("lists/review-due/", review_due, name="review_due"),
    path("lists/export/<int:branch_pk>/", lists_export, name="lists_export"),
]
