"""A job's page, the status fragment its page polls, and its result file."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import registry, services
from .models import Job


def _job(request, pk):
    """The job if its kind is in the user's scope; anything else is a 404."""
    job = get_object_or_404(
        Job.objects.visible_to(request.user).select_related("created_by", "started_from"), pk=pk
    )
    if not job.is_finished and services.reap_stale(
        now=timezone.now(), jobs=Job.objects.filter(pk=job.pk)
    ):
        job.refresh_from_db()
    return job


def _context(job):
    kind = registry.get(job.kind)
    return {
        "job": job,
        "kind": kind,
        "progress_line": kind.unit % {"done": job.done, "total": job.total},
        "back_url": kind.back_url(job),
        "heading": kind.heading(job) if kind.heading else job.kind_label,
        "follower": job.followers.order_by("pk").first(),
    }


def job_page(request, pk):
    return render(request, "jobs/job.html", _context(_job(request, pk)))


def job_status(request, pk):
    """The job's progress and result alone, for its page to poll while it runs."""
    return render(request, "jobs/job.html#job-status", _context(_job(request, pk)))


def job_file(request, pk):
    job = _job(request, pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_file.name.rsplit("/", 1)[-1],
    )
