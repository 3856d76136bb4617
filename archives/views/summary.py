"""The village summary (一村一总结): page, notes and PDF."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import versions, village_summary
from ..models import Village
from ..summary_models import NOTE_FIELDS, VillageSummary
from ..summary_pdf import summary_pdf


class NotesForm(forms.ModelForm):
    version = versions.VersionField()

    class Meta:
        model = VillageSummary
        fields = NOTE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in NOTE_FIELDS}
        help_texts = {
            "situation": gettext_lazy("Households, groups, population, roads and the like."),
            "economy": gettext_lazy("What the village lives on: crops, breeding, trades."),
            "income_sources": gettext_lazy("Where households' income comes from."),
            "financial_needs": gettext_lazy("Credit, deposit and e-banking needs heard."),
            "services": gettext_lazy(
                "What the bank has done here: accounts, cards, service point."
            ),
        }


def _village(request, pk):
    return get_object_or_404(
        Village.objects.visible_to(request.user).with_coverage().select_related("township__branch"),
        pk=pk,
    )


def village_summary_page(request, pk):
    village = _village(request, pk)
    summary = village_summary.summary_of(village)
    can_edit = Village.objects.editable_by(request.user).filter(pk=village.pk).exists()
    stale = None
    if request.method == "POST" and can_edit:
        form = NotesForm(request.POST, instance=VillageSummary(village=village))
        if form.is_valid():
            try:
                village_summary.save_notes(
                    village=village,
                    notes={name: form.cleaned_data[name] for name in NOTE_FIELDS},
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except versions.StaleEdit as refused:
                stale = refused
                versions.keep_input(form, refused)
            else:
                messages.success(request, _("The village summary was saved."))
                return redirect("archives:village_summary", pk=village.pk)
    else:
        form = NotesForm(instance=summary, initial={"version": village_summary.version_of(summary)})
    return render(
        request,
        "archives/village_summary.html",
        {
            "village": village,
            "done": village_summary.census_done(village),
            "facts": village_summary.facts(village),
            "summary": summary,
            "form": form if can_edit else None,
            "stale": stale,
        },
    )


def village_summary_download(request, pk):
    village = _village(request, pk)
    if not village_summary.census_done(village):
        messages.error(
            request,
            _("The summary is made once the village's census is done (every household filed)."),
        )
        return redirect("archives:village_summary", pk=village.pk)
    data = summary_pdf(
        village,
        village_summary.facts(village),
        village_summary.summary_of(village),
        today=timezone.localdate(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="village-summary-{village.code}.pdf"'
    return response
