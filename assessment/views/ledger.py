"""Pages of the marketing ledger: a month's ledger, lines by hand and the import (head office), my ledger.

The import is a job of kind "ledger_import" (assessment/tasks.py): it shows and polls on
the jobs app's page and is confirmed like the archive import (archives/views/io.py).
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import FileExtensionValidator
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives import versions
from archives.exports import xlsx_response
from archives.views import require_head_office
from archives.views.io import ImportForm, upload_page

from .. import import_template, ledger, tasks
from ..models.ledger import LedgerEntry
from ..months import MonthClosed

PAGE_SIZE = 50


def ledger_month(request):
    """A month's ledger, person by person, with filters; the latest month with lines by default."""
    require_head_office(request.user)
    form = ledger.LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    month = filters.get("month") or _latest_month(LedgerEntry.objects.all())
    entries = LedgerEntry.objects.of_month(month)
    lines = ledger.lines_of(
        entries,
        branch=filters.get("branch"),
        kind=filters.get("kind", ""),
        source=filters.get("source", ""),
        q=filters.get("q", ""),
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/ledger_month.html",
        {
            "form": form,
            "month": month,
            "page": page,
            "closed": ledger.month_is_closed(month),
            "add_url": reverse("assessment:ledger_add")
            + "?"
            + urlencode({"month": f"{month:%Y-%m}"}),
        },
    )


def ledger_add(request):
    """Head office adds a line by hand, with the reason."""
    require_head_office(request.user)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = ledger.ManualLineForm(
        data, today=today, initial={"month": request.GET.get("month") or today}
    )
    if data is not None:
        if form.is_valid():
            try:
                entry = ledger.save_by_hand(form=form, user=request.user, now=timezone.now())
            except (ledger.LineExists, MonthClosed) as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("Added the line to %(person)s's ledger.") % {"person": entry.person}
                )
                return redirect(_month_url(entry.month))
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(request, "assessment/ledger_line_form.html", {"form": form, "entry": None})


def ledger_correct(request, pk):
    """Head office corrects a line's quantities, with the reason; an imported line becomes manual."""
    require_head_office(request.user)
    entry = get_object_or_404(
        LedgerEntry.objects.visible_to(request.user).select_related("person"), pk=pk
    )
    data = request.POST if request.method == "POST" else None
    form = ledger.CorrectionForm(data, instance=entry)
    stale = None
    if data is not None:
        if form.is_valid():
            try:
                ledger.save_by_hand(form=form, user=request.user, now=timezone.now())
            except versions.StaleEdit as refused:
                stale = refused
                versions.keep_input(form, refused)
            except MonthClosed as closed:
                form.add_error(None, str(closed))
            else:
                messages.success(
                    request, _("Corrected the line of %(person)s.") % {"person": entry.person}
                )
                return redirect(_month_url(entry.month))
        else:
            messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(
        request,
        "assessment/ledger_line_form.html",
        {"form": form, "entry": entry, "stale": stale},
        status=409 if stale else 200,
    )


def my_ledger(request):
    """Anyone's own ledger lines, read only, month by month."""
    form = ledger.LedgerFilterForm(request.GET or None)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    mine = LedgerEntry.objects.visible_to(request.user).filter(person=request.user)
    month = month or _latest_month(mine)
    lines = mine.of_month(month).in_kind_order()
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/my_ledger.html",
        {"form": form, "month": month, "page": page},
    )


class LedgerImportForm(ImportForm):
    file = forms.FileField(
        label=gettext_lazy("Marketing ledger file (.xlsx or .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def ledger_import(request):
    return upload_page(
        request,
        kind=tasks.LEDGER_IMPORT,
        form_class=LedgerImportForm,
        template="assessment/ledger_import.html",
        show_new=True,
    )


def ledger_template_download(request):
    require_head_office(request.user)
    return xlsx_response(import_template.build_template(), import_template.FILENAME)


def _latest_month(entries):
    """The latest month with lines, else the current month."""
    latest = entries.aggregate(latest=Max("month"))["latest"]
    return latest or ledger.first_of_month(timezone.localdate())


def _month_url(month):
    return reverse("assessment:ledger") + "?" + urlencode({"month": f"{month:%Y-%m}"})
