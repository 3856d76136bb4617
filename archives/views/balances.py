"""Pages for balances: the core-banking import (head office), the one source of balances.

The import runs as a job of kind "balances_import" (archives/tasks.py): its page is the
jobs app's, its confirmation the archive import's (archives/views/io.py).
"""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy

from .. import balances_template, movements, movements_template, tasks
from ..exports import xlsx_response
from .archive import require_head_office
from .io import ImportForm, upload_page


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
    return xlsx_response(balances_template.build_template(), "余额导入模板.xlsx")


class MovementsImportForm(ImportForm):
    file = forms.FileField(
        label=gettext_lazy("Core-banking movement file (.xlsx or .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def movements_import(request):
    return upload_page(
        request,
        kind=tasks.MOVEMENTS,
        form_class=MovementsImportForm,
        template="archives/movements_import.html",
        show_new=True,
    )


def movements_template_download(request):
    require_head_office(request.user)
    return xlsx_response(movements_template.build_template(), movements.FILE_NAME)
