"""Pages of the corporate figures: the core-banking import (head office and its two departments).

The import runs as a job of kind "credit_figures_import" (credit/tasks.py): its page is
the jobs app's, its upload page and its confirmation the archive import's
(archives/views/io.py), which ask the kind who may use them.
"""

from django import forms
from django.core.validators import FileExtensionValidator
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy

from archives.exports import xlsx_response
from archives.views.io import ImportForm, upload_page

from .. import import_template, tasks


class FiguresImportForm(ImportForm):
    file = forms.FileField(
        label=gettext_lazy("Core-banking figures file (.xlsx or .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def figures_import(request):
    return upload_page(
        request,
        kind=tasks.FIGURES_IMPORT,
        form_class=FiguresImportForm,
        template="credit/figures_import.html",
        show_new=True,
    )


def figures_template(request):
    if not tasks.may_import_figures(request.user):
        raise Http404
    return xlsx_response(import_template.build_template(), import_template.FILE_NAME)


urlpatterns = [
    path("figures/import/", figures_import, name="figures_import"),
    path("figures/template.xlsx", figures_template, name="figures_template"),
]
