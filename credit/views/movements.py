"""Pages of large fund movements (DOMAIN.md §5.5): the morning notice (每日通报), the
follow-ups of large cross-bank outflows (稳存跟踪) and recording one.

Every page starts from the user's notice scope (credit.movements.notice_customers): the
branch head and deputy of the customer's branch, its A manager, head office's two
departments; anyone else gets 404.
"""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import movement_rules
from archives.models import Movement

from .. import movements
from ..forms.movements import FollowUpForm


def _serves(user):
    if not user.serves_corporate:
        raise Http404


def _chosen_day(request):
    text = request.GET.get("day")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def notice(request):
    """The morning notice: by default today's (the previous working day to yesterday),
    or the movements of a chosen day."""
    _serves(request.user)
    today = timezone.localdate()
    day = _chosen_day(request)
    start, end = (day, day) if day else movement_rules.notice_window(today)
    items = movements.notice(request.user, start=start, end=end, today=today)
    return render(
        request,
        "credit/movements.html",
        {
            "items": items,
            "start": start,
            "end": end,
            "day": day or end,
            "today": today,
            "previous": start - datetime.timedelta(days=1),
            "next": end + datetime.timedelta(days=1) if end < today else None,
        },
    )


def follow_ups(request):
    """Open and overdue follow-ups first, then those recorded (the last three months)."""
    _serves(request.user)
    today = timezone.localdate()
    items = movements.follow_ups(request.user, today=today)
    counts = {s: sum(1 for i in items if i.state == s) for s in ("overdue", "open", "recorded")}
    return render(
        request,
        "credit/movement_follow_ups.html",
        {"items": items, "counts": counts, "today": today},
    )


def follow_up(request, pk):
    """The A manager records the follow-up of one large cross-bank outflow, once."""
    movement = get_object_or_404(Movement, pk=pk)
    customer = movements.may_record(request.user, movement)
    if customer is None:
        raise Http404
    recorded = getattr(movement, "credit_follow_up", None)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and recorded is None and form.is_valid():
        try:
            _follow_up, created = movements.record_follow_up(
                movement_pk=movement.pk,
                user=request.user,
                now=timezone.now(),
                **form.cleaned_data,
            )
        except movements.Refused as error:
            raise Http404 from error
        if created:
            messages.success(request, _("Follow-up recorded."))
        else:
            messages.info(request, _("This follow-up was already recorded; it is kept as it was."))
        return redirect(reverse("credit:movement_follow_ups"))
    if request.method == "POST" and recorded is not None:
        messages.info(request, _("This follow-up was already recorded; it is kept as it was."))
        return redirect(reverse("credit:movement_follow_ups"))
    return render(
        request,
        "credit/movement_follow_up.html",
        {
            "movement": movement,
            "customer": customer,
            "form": form,
            "recorded": recorded,
            "due": movement_rules.follow_up_due(movement.date),
        },
    )


urlpatterns = [
    path("movements/", notice, name="movements"),
    path("movements/follow-ups/", follow_ups, name="movement_follow_ups"),
    path("movements/<int:pk>/follow-up/", follow_up, name="movement_follow_up"),
]
