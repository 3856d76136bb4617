"""Pages of field work: log a field day, my field days, a field day, its photos, head office review."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from archives import submissions, versions

from .. import fieldwork
from ..forms.fieldwork import FieldDayForm, FieldDayReviewForm, FindingRulingForm
from ..models.fieldwork import EvidenceSettings, FieldDay, Finding, Photo

REVIEW_PAGE_SIZE = 20


def not_post(request):
    """Out-of-scope is checked first (404), then the method (405): scope never leaks."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def month_of(request, today: datetime.date) -> datetime.date:
    """The month asked for as ?month=2026-11 (first day), this month otherwise."""
    try:
        return datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()  # noqa: DTZ007
    except ValueError:
        return today.replace(day=1)


def month_links(month: datetime.date) -> dict:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return {"month": month, "previous_month": previous, "next_month": following}


def photos_with_findings():
    # Every ruling a finding was given, oldest first: ruling again never hides an earlier one.
    rulings = (
        Finding.history.exclude(status=Finding.Status.OPEN)
        .select_related("ruled_by")
        .order_by("history_date", "history_id")
    )
    findings = Finding.objects.select_related(
        "related_photo__field_day__person", "ruled_by"
    ).prefetch_related(Prefetch("rulings", rulings))
    return Prefetch(
        "photos", queryset=Photo.objects.prefetch_related(Prefetch("findings", findings))
    )


def my_field_days(request):
    """The user's own field days (trips, for leaders and chiefs) of a month."""
    today = timezone.localdate()
    month = month_of(request, today)
    days = list(
        FieldDay.objects.filter(person=request.user)
        .in_month(month)
        .with_photo_counts()
        .prefetch_related("villages")
        .order_by("date")
    )
    totals = {
        "logged": len(days),
        "confirmed": sum(day.status == FieldDay.Status.CONFIRMED for day in days),
        "households": sum(day.households_visited for day in days),
    }
    return render(
        request,
        "assessment/my_field_days.html",
        {"days": days, "totals": totals, **month_links(month)},
    )


@submissions.once
def log_field_day(request):
    """The phone form: date, villages, partner, households, diary and photos, all or nothing."""
    today = timezone.localdate()
    settings = EvidenceSettings.current()
    form = FieldDayForm(
        request.POST or None,
        request.FILES or None,
        person=request.user,
        today=today,
        evidence_settings=settings,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                field_day = fieldwork.log_field_day(
                    person=request.user,
                    thresholds=fieldwork.thresholds_of(settings),
                    now=timezone.now(),
                    **form.cleaned_data,
                )
            except fieldwork.MonthClosed as closed:
                messages.error(request, str(closed))
            except fieldwork.AlreadyLogged as logged:
                messages.error(request, str(logged))
                return _go_to(request, logged.field_day)
            else:
                messages.success(
                    request,
                    _(
                        "Field day %(date)s logged with %(count)s photos; head office will review it."
                    )
                    % {
                        "date": field_day.date.isoformat(),
                        "count": len(form.cleaned_data["photos"]),
                    },
                )
                return _go_to(request, field_day)
        else:
            messages.error(request, _("The field day was not saved: see the marked fields."))
    return render(
        request,
        "assessment/field_day_form.html",
        {"form": form, "max_upload_mb": settings.max_upload_mb},
    )


def _go_to(request, field_day):
    """The redirect after filing (the submission key's record keeps where it led)."""
    return redirect(field_day)  # archives.submissions.answer tells the script as JSON


def field_day_detail(request, pk):
    field_day = get_object_or_404(
        FieldDay.objects.visible_to(request.user)
        .select_related("person", "partner", "branch", "reviewed_by")
        .prefetch_related("villages", photos_with_findings(), decisions()),
        pk=pk,
    )
    return render(
        request,
        "assessment/field_day.html",
        {**_review_context(request, [field_day]), "show_decisions": True},
    )


def decisions():
    """Every review decision the day was given, oldest first (its history rows)."""
    return Prefetch(
        "decisions",
        FieldDay.history.filter(reviewed_at__isnull=False)
        .select_related("reviewed_by")
        .order_by("history_date", "history_id"),
    )


def photo(request, pk):
    """A visit photo without EXIF (no GPS), for whoever may see its field day.

    Served from the copies made when it was stored; a photo from before those copies
    gets them made once, here, and kept.
    """
    photo = get_object_or_404(
        Photo.objects.filter(field_day__in=FieldDay.objects.visible_to(request.user)), pk=pk
    )
    try:
        if not (photo.served and photo.thumbnail):
            fieldwork.make_copies(photo)
        copy = photo.thumbnail if request.GET.get("size") == "thumb" else photo.served
        response = FileResponse(copy.open("rb"), content_type="image/jpeg")
    except OSError:  # its file is missing or damaged (Pillow's errors are OSErrors)
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=86400"
    return response


STATUS_FILTERS = {
    "submitted": Q(status=FieldDay.Status.SUBMITTED),
    "findings": Q(photos__findings__status=Finding.Status.OPEN),
    "confirmed": Q(status=FieldDay.Status.CONFIRMED),
    "rejected": Q(status=FieldDay.Status.REJECTED),
    "all": Q(),
}


def review(request):
    """Head office: a month's field days by person, with photos, diary and findings."""
    if not request.user.is_head_office:
        raise Http404
    today = timezone.localdate()
    month = month_of(request, today)
    show = request.GET.get("show", "submitted")
    if show not in STATUS_FILTERS:
        show = "submitted"
    in_month = FieldDay.objects.in_month(month)
    person = request.GET.get("person", "")
    if person.isdigit():  # one person's days, from the month close's checklist
        in_month = in_month.filter(person_id=int(person))
    counts = in_month.aggregate(
        **{
            name: Count("pk", filter=condition, distinct=True)
            for name, condition in STATUS_FILTERS.items()
        }
    )
    pks = in_month.filter(STATUS_FILTERS[show]).values("pk")
    days = (
        FieldDay.objects.filter(pk__in=pks)
        .select_related("person", "partner", "branch", "reviewed_by")
        .prefetch_related("villages", photos_with_findings())
        .order_by("branch__code", "person__username", "date")
    )
    page = Paginator(days, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        ("submitted", FieldDay.Status.SUBMITTED.label),
        ("findings", _("With open findings")),
        ("confirmed", FieldDay.Status.CONFIRMED.label),
        ("rejected", FieldDay.Status.REJECTED.label),
        ("all", _("All")),
    ]
    return render(
        request,
        "assessment/review.html",
        {
            **_review_context(request, page.object_list),
            "page": page,
            "show": show,
            "person": person if person.isdigit() else "",
            "tabs": [(value, label, counts[value]) for value, label in tabs],
            **month_links(month),
        },
    )


def _review_context(request, days) -> dict:
    can_review = request.user.is_head_office
    days = list(days)
    if can_review:  # each decision form carries the version of what it decides on
        for day in days:
            day.version = fieldwork.review_version(day)
            for photo in day.photos.all():
                for finding in photo.findings.all():
                    finding.version = fieldwork.ruling_version(finding)
    return {
        "days": days,
        "can_review": can_review,
        "review_form": FieldDayReviewForm() if can_review else None,
        "ruling_form": FindingRulingForm() if can_review else None,
        "here": request.get_full_path(),
    }


def review_field_day(request, pk):
    if not request.user.is_head_office:
        raise Http404
    field_day = get_object_or_404(FieldDay, pk=pk)
    if response := not_post(request):
        return response
    form = FieldDayReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or do not count."))
        return _back(request, field_day)
    decide = (
        fieldwork.confirm_field_day
        if form.cleaned_data["decision"] == FieldDay.Status.CONFIRMED
        else fieldwork.reject_field_day
    )
    try:
        field_day = decide(
            field_day=field_day,
            reviewer=request.user,
            note=form.cleaned_data["note"],
            now=timezone.now(),
            version=form.cleaned_data["version"],
        )
    except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
        messages.error(request, str(refused))
    except versions.StaleEdit as stale:
        messages.error(request, stale_message(stale))
    else:
        messages.success(
            request,
            _("%(person)s's field day %(date)s: %(status)s.")
            % {
                "person": field_day.person,
                "date": field_day.date.isoformat(),
                "status": field_day.get_status_display(),
            },
        )
    return _back(request, field_day)


def rule_finding(request, pk):
    if not request.user.is_head_office:
        raise Http404
    finding = get_object_or_404(Finding.objects.select_related("photo__field_day"), pk=pk)
    if response := not_post(request):
        return response
    form = FindingRulingForm(request.POST)
    field_day = finding.photo.field_day
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, field_day)
    try:
        finding = fieldwork.rule_on_finding(
            finding=finding, reviewer=request.user, now=timezone.now(), **form.cleaned_data
        )
    except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
        messages.error(request, str(refused))
    except versions.StaleEdit as stale:
        messages.error(request, stale_message(stale))
    else:
        messages.success(
            request,
            _("Finding on %(photo)s: %(status)s.")
            % {"photo": finding.photo.original_name, "status": finding.get_status_display()},
        )
    return _back(request, field_day)


def stale_message(stale) -> str:
    """A refused decision in one line: the form was small, its input is all in the message."""
    return f"{stale} " + "；".join(
        _("%(field)s: stored now %(theirs)s, you entered %(yours)s")
        % {"field": d.label, "theirs": d.theirs, "yours": d.yours}
        for d in stale.differences
    )


def _back(request, field_day):
    """To the page the form was on (the review list or the field day), never off-site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(field_day)
