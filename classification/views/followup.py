"""Pages of layered maintenance: my customers, revisits due, the branch revisit rate, a visit."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from archives import movement_rules, submissions
from archives.models import Customer
from archives.pagination import OnePassPaginator

from .. import figures, movements, visits
from ..forms.followup import VisitForm
from ..models import Rulebook, branches_reviewed_by

PAGE_SIZE = 50


def my_customers(request):
    """Every customer the user maintains, with duty, tier, last visit and next visit due."""
    overdue_only = request.GET.get("overdue") == "1"
    return _follow_up_page(
        request,
        template="classification/my_customers.html",
        narrow=visits.overdue if overdue_only else None,
        extra={"overdue_only": overdue_only, "key_movements": _key_movement_count(request.user)},
    )


def _key_movement_count(user) -> int:
    """How many large movements of the user's key customers today's notice has (§5.5)."""
    start, end = movement_rules.notice_window(timezone.localdate())
    return len(movements.key_movements(user, start=start, end=end))


def revisits_due(request):
    """The user's customers whose next visit is due within a week, or overdue."""
    return _follow_up_page(
        request,
        template="classification/revisits_due.html",
        narrow=visits.due_soon,
        extra={"soon_days": visits.DUE_SOON_DAYS},
    )


def _follow_up_page(request, *, template, narrow, extra):
    today = timezone.localdate()
    cadence = Rulebook.objects.in_force(today).cadence
    customers = visits.follow_up_of(request.user, cadence=cadence)
    if narrow is not None:
        customers = narrow(customers, today)
    page = OnePassPaginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = visits.describe(page.object_list, cadence=cadence, today=today)
    return render(request, template, {"page": page, "rows": rows, "today": today, **extra})


def revisit_rate(request):
    """Branch heads and head office: key customers revisited within their cadence, per branch."""
    branches = branches_reviewed_by(request.user)
    if not branches.exists():
        raise Http404
    today = timezone.localdate()
    rulebook = Rulebook.objects.in_force(today)
    table = figures.revisit_rates(branches.order_by("code"), today=today, rulebook=rulebook)
    return render(
        request,
        "classification/revisit_rate.html",
        {"table": table, "today": today, "cadence": rulebook.cadence},
    )


@submissions.once
def visit_create(request, pk):
    """Log a visit from the customer's page: anyone who can see the customer may."""
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("village__township"), pk=pk
    )
    if request.method != "POST":  # after the scope check: out of scope stays a 404
        return HttpResponseNotAllowed(["POST"])
    today = timezone.localdate()
    form = VisitForm(request.POST, customer=customer, visitor=request.user, today=today)
    if form.is_valid():
        visit = visits.record_visit(
            customer=customer, visitor=request.user, today=today, **form.cleaned_data
        )
        messages.success(
            request,
            _("Recorded the visit of %(date)s.") % {"date": date_format(visit.visited_on, "Y-m-d")},
        )
        return redirect(customer.get_absolute_url() + "#visits")
    messages.error(request, _("The visit was not saved: please correct the fields marked below."))
    return render(request, "classification/visit_form.html", {"customer": customer, "form": form})
