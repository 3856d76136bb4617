"""Pages of field work: log a field day, my field days, a field day, its photos, head office review."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from archives import submissions, versions
from archives.models import Role

from .. import fieldwork
from ..forms.fieldwork import (
    RETURN_REASONS,
    RULING_REASONS,
    FieldDayCorrectionForm,
    FieldDayForm,
    FieldDayReturnForm,
    FieldDayReviewForm,
    FindingRulingForm,
)
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
    returned = list(fieldwork.returned_to(request.user).select_related("reviewed_by"))
    naming_me = list(
        FieldDay.objects.naming_partner(request.user)
        .filter(partner_answer=FieldDay.PartnerAnswer.PENDING)
        .select_related("person", "branch")
        .prefetch_related("villages")
        .order_by("date", "pk")
    )
    return render(
        request,
        "assessment/my_field_days.html",
        {
            "days": days,
            "totals": totals,
            "returned": returned,
            "naming_me": naming_me,
            **month_links(month),
        },
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
    field_day.states = history_states(field_day)
    field_day.asks_me = (
        field_day.partner_id == request.user.pk
        and field_day.partner_answer == FieldDay.PartnerAnswer.PENDING
    )
    return render(
        request,
        "assessment/field_day.html",
        {**_review_context(request, [field_day]), "show_decisions": True},
    )


@dataclass(frozen=True)
class State:
    """One line of a day's history: when, who, what it became, with the comment given."""

    at: datetime.datetime | None
    by: object
    label: str
    note: str = ""
    status: str = ""


def history_states(field_day) -> list[State]:
    """The day's states from its history rows: submitted, returned, resubmitted, decided, and
    the partner's answer; a save that changed none of these (a ruling's) adds no line."""
    states, previous = [], None
    for row in field_day.decisions.all():
        who = row.history_user or row.reviewed_by
        if previous is None:
            states.append(
                State(row.submitted_at, field_day.person, _("Submitted"), status=row.status)
            )
        elif row.submitted_at != previous.submitted_at:
            states.append(State(row.submitted_at, who, _("Resubmitted"), status=row.status))
        elif (row.status, row.reviewed_at) != (previous.status, previous.reviewed_at):
            states.append(
                State(
                    row.reviewed_at or row.history_date,
                    row.reviewed_by or who,
                    row.get_status_display(),
                    row.review_note,
                    row.status,
                )
            )
        if previous is not None and row.partner_answer != previous.partner_answer:
            states.append(State(row.partner_answered_at, who, row.get_partner_answer_display()))
        previous = row
    return states


def decisions():
    """Every state the day was in, oldest first: submitted, returned, resubmitted, decided.

    Its history rows; the template shows a row where the state changed (a partner's answer
    or a finding ruled on saves the day too, without changing its state).
    """
    return Prefetch(
        "decisions",
        FieldDay.history.select_related("reviewed_by", "history_user").order_by(
            "history_date", "history_id"
        ),
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
    "returned": Q(status=FieldDay.Status.RETURNED),
    "rejected": Q(status=FieldDay.Status.REJECTED),
    "all": Q(),
}


def reviews_field_days(user) -> bool:
    """Head office decides every day; a branch head sees their branches' days to return them."""
    return user.is_head_office or user.role == Role.BRANCH_HEAD


def review(request):
    """A month's field days by person, with photos, diary and findings.

    Head office confirms, returns or does not count them; a branch head sees the days of
    their branches (not their own) and may return one to its person for more.
    """
    if not reviews_field_days(request.user):
        raise Http404
    today = timezone.localdate()
    month = month_of(request, today)
    show = request.GET.get("show", "submitted")
    if show not in STATUS_FILTERS:
        show = "submitted"
    in_month = FieldDay.objects.in_month(month)
    if not request.user.is_head_office:
        in_month = in_month.filter(branch__in=request.user.branches.all()).exclude(
            person=request.user
        )
    # The month's branches and people before filtering by them: the filters' choices.
    choices = (
        in_month.order_by()
        .values_list(
            "branch_id", "branch__name", "person_id", "person__username", "person__display_name"
        )
        .distinct()
    )
    person = request.GET.get("person", "")
    if person.isdigit():  # one person's days, from the month close's checklist
        in_month = in_month.filter(person_id=int(person))
    branch = request.GET.get("branch", "")
    if branch.isdigit():
        in_month = in_month.filter(branch_id=int(branch))
    kind = request.GET.get("kind", "")
    if kind in Finding.Kind.values:  # days with an open finding of that kind
        in_month = in_month.filter(
            Exists(
                Finding.objects.filter(
                    photo__field_day=OuterRef("pk"), kind=kind, status=Finding.Status.OPEN
                )
            )
        )
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
        ("returned", FieldDay.Status.RETURNED.label),
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
            "branch": branch if branch.isdigit() else "",
            "kind": kind if kind in Finding.Kind.values else "",
            "filters": _filter_choices(choices),
            "kinds": Finding.Kind.choices,
            "ruling_reasons": RULING_REASONS,
            "return_reasons": RETURN_REASONS,
            "tabs": [(value, label, counts[value]) for value, label in tabs],
            **month_links(month),
        },
    )


def _filter_choices(rows) -> dict:
    branches, people = {}, {}
    for branch_id, branch_name, person_id, username, display_name in rows:
        branches[branch_id] = branch_name
        people[person_id] = display_name or username
    return {
        "branches": sorted(branches.items(), key=lambda kv: kv[1]),
        "people": sorted(people.items(), key=lambda kv: kv[1]),
    }


def _review_context(request, days) -> dict:
    can_review = request.user.is_head_office
    days = list(days)
    for day in days:
        day.can_return = day.status == FieldDay.Status.SUBMITTED and fieldwork.may_return(
            request.user, day
        )
        if can_review or day.can_return:  # each decision form carries its version
            day.version = fieldwork.review_version(day)
        if can_review:
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


def return_field_day(request, pk):
    """Head office or the day's branch head sends a day back to its person with a comment."""
    if not reviews_field_days(request.user):
        raise Http404
    field_day = get_object_or_404(
        FieldDay.objects.visible_to(request.user).exclude(person=request.user), pk=pk
    )
    if response := not_post(request):
        return response
    form = FieldDayReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, field_day)
    try:
        field_day = fieldwork.return_field_day(
            field_day=field_day, reviewer=request.user, now=timezone.now(), **form.cleaned_data
        )
    except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
        messages.error(request, str(refused))
    except versions.StaleEdit as stale:
        messages.error(request, stale_message(stale))
    else:
        messages.success(
            request,
            _("%(person)s's field day %(date)s is returned to them for more.")
            % {"person": field_day.person, "date": field_day.date.isoformat()},
        )
    return _back(request, field_day)


def correct_field_day(request, pk):
    """The person corrects a day returned to them and sends it for review again."""
    field_day = get_object_or_404(
        FieldDay.objects.filter(person=request.user)
        .select_related("person", "reviewed_by", "branch")
        .prefetch_related("villages", "photos", decisions()),
        pk=pk,
    )
    if field_day.status != FieldDay.Status.RETURNED:
        messages.info(
            request,
            _("This field day is %(status)s: only a day returned to you is corrected.")
            % {"status": field_day.get_status_display()},
        )
        return redirect(field_day)
    settings = EvidenceSettings.current()
    form = FieldDayCorrectionForm(
        request.POST or None,
        request.FILES or None,
        field_day=field_day,
        evidence_settings=settings,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                field_day = fieldwork.resubmit_field_day(
                    field_day=field_day,
                    person=request.user,
                    thresholds=fieldwork.thresholds_of(settings),
                    now=timezone.now(),
                    **form.cleaned_data,
                )
            except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
                messages.error(request, str(refused))
                return redirect(field_day)
            except versions.StaleEdit as stale:
                messages.error(request, stale_message(stale))
                versions.keep_input(form, stale)
            else:
                messages.success(
                    request,
                    _("Field day %(date)s resubmitted; it awaits review again.")
                    % {"date": field_day.date.isoformat()},
                )
                return redirect(field_day)
        else:
            messages.error(request, _("The field day was not saved: see the marked fields."))
    return render(
        request,
        "assessment/field_day_correct.html",
        {"form": form, "day": field_day, "max_upload_mb": settings.max_upload_mb},
    )


def answer_as_partner(request, pk):
    """The partner named on a day says whether they were there."""
    field_day = get_object_or_404(
        FieldDay.objects.naming_partner(request.user).select_related("person"), pk=pk
    )
    if response := not_post(request):
        return response
    answer = request.POST.get("answer", "")
    if answer not in fieldwork.PARTNER_ANSWERS:
        messages.error(request, _("Choose whether you were on this day."))
        return _back(request, field_day)
    try:
        field_day = fieldwork.answer_as_partner(
            field_day=field_day, partner=request.user, answer=answer, now=timezone.now()
        )
    except (fieldwork.ReviewRefused, fieldwork.MonthClosed) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(person)s's field day %(date)s: %(answer)s.")
            % {
                "person": field_day.person,
                "date": field_day.date.isoformat(),
                "answer": field_day.get_partner_answer_display(),
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
