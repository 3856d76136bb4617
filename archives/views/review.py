"""Pages of a survey's review (DOMAIN.md §7): the reviewer's list, return/confirm/reject on the
customer page, the author's resubmission and their returned surveys."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import survey_review, versions
from ..models import Customer, User, Village
from ..pagination import CappedPaginator

PAGE_SIZE = 50


class SurveyReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(value, value) for value in survey_review.DECISIONS],
        error_messages={"required": gettext_lazy("Choose return, confirm or reject.")},
    )
    note = forms.CharField(max_length=200, required=False)
    version = versions.VersionField()


def _refusal(stale) -> str:
    return f"{stale} " + "；".join(
        _("%(field)s: stored now %(theirs)s, you entered %(yours)s")
        % {"field": d.label, "theirs": d.theirs, "yours": d.yours}
        for d in stale.differences
    )


def survey_reviews(request):
    """The branch head's (or head office's) surveys to review, by village and by manager."""
    if not survey_review.reviews_surveys(request.user):
        raise Http404
    in_scope = survey_review.to_review(request.user)
    customers = survey_review.awaiting(in_scope)
    village = request.GET.get("village", "")
    if village.isdigit():
        customers = customers.filter(village_id=int(village))
    manager = request.GET.get("manager", "")
    if manager.isdigit():
        customers = customers.filter(filed_by_id=int(manager))
    customers = customers.select_related("village", "filed_by").order_by(
        "village__code", "archived_on", "pk"
    )
    page = CappedPaginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = Village.objects.filter(pk__in=in_scope.values("village")).order_by("code")
    managers = User.objects.filter(pk__in=in_scope.values("filed_by")).order_by(
        "display_name", "username"
    )
    return render(
        request,
        "archives/survey_reviews.html",
        {
            "page": page,
            "villages": villages,
            "managers": managers,
            "village": village,
            "manager": manager,
        },
    )


def returned_surveys(request):
    """The user's surveys returned to them for more."""
    return render(
        request,
        "archives/returned_surveys.html",
        {"customers": list(survey_review.returned_to(request.user))},
    )


def review_survey(request, pk):
    if not survey_review.reviews_surveys(request.user):
        raise Http404
    customer = get_object_or_404(survey_review.to_review(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SurveyReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose return, confirm or reject."))
        return redirect(customer)
    try:
        review = survey_review.review_survey(
            customer=customer, reviewer=request.user, now=timezone.now(), **form.cleaned_data
        )
    except survey_review.ReviewRefused as refused:
        messages.error(request, str(refused))
    except versions.StaleEdit as stale:
        messages.error(request, _refusal(stale))
    else:
        messages.success(
            request,
            _("Survey of %(name)s: %(status)s.")
            % {"name": customer.name, "status": review.get_status_display()},
        )
    return redirect(customer)


def resubmit_survey(request, pk):
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).filter(filed_by=request.user), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        survey_review.resubmit_survey(
            customer=customer,
            person=request.user,
            now=timezone.now(),
            version=request.POST.get("version", "")[:64],
        )
    except survey_review.ReviewRefused as refused:
        messages.error(request, str(refused))
    except versions.StaleEdit as stale:
        messages.error(request, _refusal(stale))
    else:
        messages.success(
            request,
            _("Survey of %(name)s resubmitted; it awaits review again.") % {"name": customer.name},
        )
    return redirect(customer)


def review_context(user, customer) -> dict:
    """What the customer page shows of the survey's review, and the forms the user may use."""
    if customer.filed_by_id is None:
        return {"survey_review": None}
    status = survey_review.status_of(customer)
    return {
        "survey_review": {
            "status": status,
            "label": survey_review.Status(status).label,
            "note": survey_review.note_of(customer),
            "states": survey_review.states_of(customer),
            "version": survey_review.version_of(customer),
            "can_review": status != survey_review.Status.REJECTED
            and survey_review.may_review(user, customer),
            "can_resubmit": status == survey_review.Status.RETURNED
            and customer.filed_by_id == user.pk,
        }
    }
