"""A job's page, the status fragment its page polls, its result file; the schedule page."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry, schedule, scheduler, services
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


def _require_head_office(user):
    """The schedule is head office's: a 404 for everyone else, like any page out of scope."""
    if not (user.is_authenticated and user.is_active and getattr(user, "is_head_office", False)):
        raise Http404


def schedule_page(request):
    """Each scheduled entry: when it runs, its last run and outcome, its next run, failures."""
    _require_head_office(request.user)
    scheduler.ensure_rows(now=timezone.now())
    return render(request, "jobs/schedule.html", {"rows": scheduler.rows()})


def schedule_run(request, key):
    """Head office's "run now": the worker's next tick (within a minute) runs it."""
    _require_head_office(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        entry = schedule.get(key)
    except LookupError:
        raise Http404 from None
    scheduler.request_run(key=entry.key, user=request.user, now=timezone.now())
    messages.success(
        request,
        _("%(label)s will run at the worker's next tick, within a minute.")
        % {"label": entry.label},
    )
    return redirect("jobs:schedule")
