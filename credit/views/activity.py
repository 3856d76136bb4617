"""Pages of contacts and visits (DOMAIN.md §5.4): log one, one's own recent ones, and
"my cadences": what is due this period and what is overdue, each a tap from its log."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import User

from .. import cadence_rules as cr
from .. import cadences
from ..forms.activity import ActivityForm
from ..models import CorporateCustomer


def _logger(request):
    if not cadences.may_log(request.user):
        raise Http404
    return request.user


def activity_new(request):
    user = _logger(request)
    today = timezone.localdate()
    initial = {}
    if request.GET.get("kind") in cr.Kind.__members__.values():
        initial["kind"] = request.GET["kind"]
    customer = request.GET.get("customer", "")
    if customer.isdigit():
        initial["customers"] = cadences.loggable_customers(user).filter(pk=customer)
    form = ActivityForm(request.POST or None, user=user, today=today, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            cadences.log_activity(
                user,
                kind=data["kind"],
                day=data["day"],
                participants=data["participants"],
                customers=data["customers"],
                notes=data["notes"],
                plan=data["plan"],
                next_step=data["next_step"],
            )
            messages.success(request, _("Logged the activity."))
            return redirect("credit:activities")
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(request, "credit/activity_form.html", {"form": form})


def my_activities(request):
    user = _logger(request)
    return render(request, "credit/activities.html", {"activities": cadences.recent_of(user)})


def log_link(obligation: cr.Obligation) -> str:
    query = {"kind": obligation.cadence.kind.value}
    if obligation.customer_id is not None:
        query["customer"] = obligation.customer_id
    return f"{reverse('credit:activity_new')}?{urlencode(query)}"


def my_cadences(request):
    user = _logger(request)
    today = timezone.localdate()
    # Project-library targets (the manager's visits) join when the project library is wired.
    owed = cadences.obligations_for(User.objects.filter(pk=user.pk), today)
    names = dict(
        CorporateCustomer.objects.filter(
            pk__in={o.customer_id for o in owed if o.customer_id}
        ).values_list("pk", "name")
    )
    rows = [
        {
            "o": o,
            "title": names.get(o.customer_id) or cr.KIND_LABELS[o.cadence.kind],
            "what": o.cadence.label,
            "link": log_link(o),
        }
        for o in owed
    ]
    return render(
        request,
        "credit/my_cadences.html",
        {
            "today": today,
            # Overdue: the last complete period ended unmet; due: the rest not met yet.
            "overdue": [r for r in rows if r["o"].overdue],
            "due": [r for r in rows if r["o"].due and not r["o"].overdue],
            "met": sum(r["o"].met for r in rows),
            "total": len(rows),
        },
    )


urlpatterns = [
    path("activities/", my_activities, name="activities"),
    path("activities/new/", activity_new, name="activity_new"),
    path("cadences/", my_cadences, name="my_cadences"),
]
