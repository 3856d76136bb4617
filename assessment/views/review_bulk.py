"""Reviewing at speed: several findings ruled with one reason, presets for the reasons."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from archives import versions

from .. import fieldwork
from ..forms.fieldwork import FindingRulingForm
from ..models import Finding
from .fieldwork import not_post, stale_message


def rule_findings(request):
    if not request.user.is_head_office:
        raise Http404
    if response := not_post(request):
        return response
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("assessment:review")
    form = FindingRulingForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("finding") if v.isdigit()]
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    chosen = [(pk, request.POST.get(f"version-{pk}", "")) for pk in ids]
    # Only findings that exist: an id from a tampered page is a 404, not a 500.
    if Finding.objects.filter(pk__in=ids).count() != len(set(ids)):
        raise Http404
    try:
        ruled = fieldwork.rule_on_findings(
            chosen=chosen,
            reviewer=request.user,
            ruling=form.cleaned_data["ruling"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        )
    except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
        messages.error(request, _("Nothing was ruled: %(reason)s") % {"reason": refused})
    except versions.StaleEdit as stale:
        messages.error(
            request, _("Nothing was ruled: %(reason)s") % {"reason": stale_message(stale)}
        )
    else:
        messages.success(
            request,
            _("%(n)s findings ruled: %(status)s.")
            % {"n": len(ruled), "status": Finding.Status(form.cleaned_data["ruling"]).label},
        )
    return redirect(back)
