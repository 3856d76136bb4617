"""Pages for moving archives in and out: import jobs (head office) and export jobs."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.validators import FileExtensionValidator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.models import Job

from .. import exports, tasks
from ..audit import client_address
from ..imports.template import build_template
from ..models import Branch, Village
from .archive import require_head_office

RECENT_JOBS = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Archive file (.xlsx or .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and count what would change, write nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        """Refuse a file above IMPORT_MAX_UPLOAD_MB before anything is stored or read."""
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                code="too_large",
                params={
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": settings.IMPORT_MAX_UPLOAD_MB,
                },
            )
        return upload


def upload_page(request, *, kind, form_class, template, show_new):
    """The upload page every import kind shares: a file and a dry-run box, then its job page.

    Who may upload is the kind's `can_view` (archives.tasks.register_import): head office
    unless the kind says otherwise; anyone else gets 404.
    """
    if not tasks.may_import(request.user, kind):
        raise Http404
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        job = tasks.start_import(
            file=upload,
            original_name=upload.name,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            kind=kind,
        )
        return redirect(job)
    jobs = Job.objects.filter(kind=kind).select_related("created_by")[:RECENT_JOBS]
    return render(request, template, {"form": form, "jobs": jobs, "show_new": show_new})


def import_upload(request):
    return upload_page(
        request,
        kind=tasks.ARCHIVE,
        form_class=ImportForm,
        template="archives/import.html",
        show_new=True,
    )


def import_confirm(request, pk):
    """Import for real the file of a dry run that found no problem.

    Whoever may upload files of the job's kind may confirm it (its `can_view`); anyone
    else gets 404, before the method check, not 405.
    """
    job = get_object_or_404(Job.objects.filter(kind__in=tasks.IMPORT_KINDS), pk=pk)
    if not tasks.may_import(request.user, job.kind):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    confirmation = job.followers.order_by("pk").first()
    if confirmation is not None:  # a second click: show the import already started
        return redirect(confirmation)
    if not tasks.can_be_confirmed(job):
        messages.error(request, _("Only a finished dry run without problems can be imported."))
        return redirect(job)
    confirmation = tasks.start_import(
        file=job.input_file.name,
        original_name=job.subject,
        user=request.user,
        dry_run=False,
        confirms=job,
        kind=job.kind,
    )
    return redirect(confirmation)


def import_template_download(request):
    require_head_office(request.user)
    example = Village.objects.order_by("code").values_list("code", flat=True).first() or ""
    return exports.xlsx_response(build_template(village_code=example), "导入模板.xlsx")


def village_export(request, pk):
    """Start the export of a village's archive (POST) and show its job."""
    village = get_object_or_404(Village.objects.visible_to(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return redirect(
        tasks.start_export(user=request.user, village=village, address=client_address(request))
    )


def branch_export(request, pk):
    """Start the export of a branch's archive (POST) and show its job."""
    branch = get_object_or_404(Branch.objects.overseen_by(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return redirect(
        tasks.start_export(user=request.user, branch=branch, address=client_address(request))
    )
