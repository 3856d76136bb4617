"""Staff changes: the branch head (or head office) hands a leaving manager's work over."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import handover
from ..models import Handover, branches_reviewed_by


class HandoverForm(forms.Form):
    leaving = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Account manager leaving"))
    successor = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Taken over by"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        managers = handover.managers_of(branch)
        self.fields["leaving"].queryset = managers
        self.fields["successor"].queryset = managers.filter(is_active=True)


def handover_page(request, branch_pk):
    branch = get_object_or_404(branches_reviewed_by(request.user), pk=branch_pk)
    form = HandoverForm(request.POST or request.GET or None, branch=branch)
    preview = None
    if form.is_bound and form.is_valid():
        leaving = form.cleaned_data["leaving"]
        if request.method == "POST":
            try:
                done = handover.hand_over(
                    branch=branch,
                    leaving=leaving,
                    successor=form.cleaned_data["successor"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                    now=timezone.now(),
                )
            except handover.HandoverError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request,
                    _(
                        "%(villages)s villages and %(customers)s maintained customers moved from %(from)s to %(to)s."
                    )
                    % {
                        "villages": len(done.villages),
                        "customers": done.customers,
                        "from": done.leaving,
                        "to": done.successor,
                    },
                )
                return redirect("classification:handover", branch_pk=branch.pk)
        preview = handover.plan(branch=branch, leaving=leaving)
    return render(
        request,
        "classification/handover.html",
        {
            "branch": branch,
            "form": form,
            "preview": preview,
            "history": Handover.objects.filter(branch=branch).select_related(
                "leaving", "successor", "done_by"
            )[:50],
        },
    )
