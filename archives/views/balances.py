"""Pages for balances: the core-banking import (head office) and one customer's balance form.

The import runs as a job of kind "balances_import" (archives/tasks.py): its page is the
jobs app's, its confirmation the archive import's (archives/views/io.py).
"""

from django import forms
from django.contrib import messages
from django.core.validators import FileExtensionValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import balances, balances_template, tasks
from ..models import Customer
from .archive import require_head_office
from .io import ImportForm, _xlsx, upload_page


class BalancesImportForm(ImportForm):
    file = forms.FileField(
        label=gettext_lazy("Core-banking balance file (.xlsx or .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def balances_import(request):
    return upload_page(
        request,
        kind=tasks.BALANCES,
        form_class=BalancesImportForm,
        template="archives/balances_import.html",
        show_new=False,
    )


def balances_template_download(request):
    require_head_office(request.user)
    return _xlsx(balances_template.build_template(), "余额导入模板.xlsx")


def customer_balances(request, pk):
    """Correct one customer's balances and dates; whoever may edit the customer may do it."""
    customer = get_object_or_404(
        Customer.objects.editable_by(request.user).select_related("village"), pk=pk
    )
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = balances.BalancesForm(
        data, instance=customer, today=today, initial={"balances_as_of": today}
    )
    if data is not None:
        if form.is_valid():
            balances.save_balances(form=form, user=request.user)
            messages.success(
                request, _("Saved the balances of %(name)s.") % {"name": customer.name}
            )
            return redirect(customer)
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(request, "archives/customer_balances.html", {"customer": customer, "form": form})
