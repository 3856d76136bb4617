"""Pages of the contact plan: the outbox for everyone, planning and sending for head office."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.views import require_head_office

from .. import contact
from ..forms.contact import OutboxFilterForm, PlanForm, ProductNewsForm, plannable_months
from ..models import Message, ProductNews
from ..senders import why_not_sending

PAGE_SIZE = 50


def outbox(request):
    return _render_outbox(request)


def _render_outbox(request, *, news_form=None, status=200):
    form = OutboxFilterForm(request.GET or None)
    selected = Message.objects.visible_to(request.user)
    if form.is_valid():
        selected = form.filter(selected)
    totals = selected.aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in Message.Status.values}
    )
    page = Paginator(
        selected.select_related("customer__village").order_by(
            "-scheduled_for", "customer__name", "pk"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": [(label, totals[value]) for value, label in Message.Status.choices],
    }
    if request.user.is_head_office:
        month = (form.is_valid() and form.cleaned_data["month"]) or timezone.localdate().replace(
            day=1
        )
        context.update(
            month=month,
            news=ProductNews.objects.filter(month=month).select_related("created_by"),
            news_form=news_form or ProductNewsForm(initial={"month": month}),
            plannable=plannable_months(timezone.localdate()),
        )
    # Why due messages are not going out (no gateway, or one set up wrongly), per row.
    context.update(not_sending=why_not_sending(), today=timezone.localdate())
    return render(request, "classification/outbox.html", context, status=status)


def _post_only(request):
    """Head office's actions: 404 for everyone else (before the method check), POST only."""
    require_head_office(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _outbox_of(month):
    return f"{reverse('classification:outbox')}?month={month:%Y-%m}"


def product_news_add(request):
    if refused := _post_only(request):
        return refused
    form = ProductNewsForm(request.POST)
    if not form.is_valid():
        return _render_outbox(request, news_form=form, status=400)
    news = contact.add_product_news(
        month=form.cleaned_data["month"], text=form.cleaned_data["text"], user=request.user
    )
    messages.success(
        request,
        _("Product news for %(month)s saved. Plan the month to send it to key customers.")
        % {"month": f"{news.month:%Y-%m}"},
    )
    return redirect(_outbox_of(news.month))


def plan_month(request):
    if refused := _post_only(request):
        return refused
    today = timezone.localdate()
    form = PlanForm(request.POST, today=today)
    if not form.is_valid():
        for error in form.errors.get("month", [_("Choose the month to plan.")]):
            messages.error(request, error)
        return redirect("classification:outbox")
    month = form.cleaned_data["month"]
    result = contact.plan_month(year=month.year, month=month.month, today=today)
    messages.success(
        request,
        _(
            "%(month)s planned for %(customers)d key customers: %(queued)d new messages queued, "
            "%(skipped)d skipped."
        )
        % {
            "month": f"{month:%Y-%m}",
            "customers": result.customers,
            "queued": result.queued,
            "skipped": result.skipped,
        },
    )
    return redirect(_outbox_of(month))


def send_due(request):
    if refused := _post_only(request):
        return refused
    result = contact.send_due_messages.enqueue()
    if not result.is_finished:
        messages.success(request, _("Sending has started. Refresh the page to see the outcome."))
    elif result.status == TaskResultStatus.FAILED:
        messages.error(
            request, _("Sending stopped on an error. The details are in the server log.")
        )
    elif result.return_value["reason"]:
        messages.warning(
            request,
            _("%(n)d due messages are kept in the outbox: %(reason)s")
            % {"n": result.return_value["kept"], "reason": result.return_value["reason"]},
        )
    else:
        messages.success(
            request,
            _("%(sent)d sent, %(retrying)d to retry, %(failed)d failed.") % result.return_value,
        )
    return redirect("classification:outbox")
