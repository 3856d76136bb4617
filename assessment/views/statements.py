"""Pages of the monthly statements: months and their close, head office's inputs, statements, exports."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.models import Role
from archives.views import require_head_office

from .. import exports, fieldwork, months, quotas, statements, tasks
from ..forms.statements import AdjustmentForm, JudgementForm, RewardForm
from ..models import (
    Adjustment,
    BranchJudgement,
    FieldDay,
    Finding,
    LedgerEntry,
    Month,
    Reward,
)
from ..pricing import Section

RECENT_JOBS = 10
# Statement lines whose records are the person's field days, findings, or the branch's figures.
FIELD_DAY_CODES = {"subsidy", "missing_field_days"}
FINDING_CODES = {"falsification"}
BRANCH_CODES = {"branch_falsification", "branch_average_days", "slow_branch"}


def _first_day(year, month) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _require_post(request):
    """After the scope check, so out-of-scope stays a 404 whatever the method."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


# ---- Head office: months --------------------------------------------------------------------


def month_list(request):
    require_head_office(request.user)
    rows = {m.month: m for m in Month.objects.select_related("closed_by")}
    for first in _recent_months():
        rows.setdefault(first, Month(month=first))
    months = sorted(rows.values(), key=lambda m: m.month, reverse=True)
    return render(request, "assessment/months.html", {"months": months})


def _recent_months() -> tuple[datetime.date, datetime.date]:
    """This month and the last: shown even before anything was recorded about them."""
    this_month = timezone.localdate().replace(day=1)
    return this_month, (this_month - datetime.timedelta(days=1)).replace(day=1)


def census_phase(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    if refused := _require_post(request):
        return refused
    try:
        row = statements.set_census_phase(
            month=first, census_phase=request.POST.get("census_phase") == "1"
        )
    except statements.MonthClosed as error:
        messages.error(request, str(error))
    else:
        if row.census_phase:
            messages.success(request, _("%(month)s is in the census phase.") % {"month": row})
        else:
            messages.success(request, _("%(month)s is not in the census phase.") % {"month": row})
    return redirect("assessment:months")


def month_detail(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    result = statements.month_statements(first)
    blockers = [] if result.is_closed else months.close_blockers(first)
    context = {
        "result": result,
        "month": result.month,
        "branches": result.by_branch(),
        "totals": result.totals,
        "blockers": blockers,
        "awaiting_review": sum(b.awaiting_review for b in blockers),
        "open_findings": sum(b.open_findings for b in blockers),
        "returned": sum(b.returned for b in blockers),
        "judgements": BranchJudgement.objects.filter(month=first).select_related("branch", "by"),
        "rewards": Reward.objects.filter(month=first).select_related("person", "created_by"),
        "adjustments": Adjustment.objects.filter(month=first).select_related(
            "person", "created_by"
        ),
        "jobs": tasks.jobs_of_month(first).select_related("created_by")[:RECENT_JOBS],
        "next_month": _next_month(first),
        "can_close": first < timezone.localdate().replace(day=1),
    }
    return render(request, "assessment/month.html", context)


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def close_month(request, year, month):
    """The close's confirmation: the month, its people, field days and payout; then the job.

    A POST that does not repeat the month it confirms (the confirmation's hidden field)
    starts nothing: the close is never one click away from the month's page.
    """
    require_head_office(request.user)
    first = _first_day(year, month)
    result = statements.month_statements(first)
    if result.is_closed:
        messages.error(request, str(statements.MonthClosed(first)))
        return redirect("assessment:month", first.year, first.month)
    blockers = months.close_blockers(first)
    if blockers:
        return redirect("assessment:month", first.year, first.month)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == f"{first:%Y-%m}":
            return _start(request, tasks.CLOSE, first)
        messages.error(request, _("Confirm the close of the month on this page."))
        status = 400
    context = {
        "month": result.month,
        "people": len(result.rows),
        "field_days": sum(row.field_days for row in result.rows),
        "totals": result.totals,
        "can_close": first < timezone.localdate().replace(day=1),
    }
    return render(request, "assessment/close_month.html", context, status=status)


def confirm_days(request, year, month):
    """Head office confirms every day of the month awaiting review without a finding, in one step."""
    require_head_office(request.user)
    first = _first_day(year, month)
    if refused := _require_post(request):
        return refused
    try:
        days = fieldwork.confirm_days_without_findings(
            month=first, reviewer=request.user, now=timezone.now()
        )
    except (statements.MonthClosed, fieldwork.ReviewRefused) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(count)d field days without findings confirmed.") % {"count": len(days)}
        )
    back = request.POST.get("next", "")  # the review page, when it was sent from there
    if back.startswith(reverse("assessment:review")) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return redirect(back)
    return redirect("assessment:month", first.year, first.month)


def export_xlsx(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    if refused := _require_post(request):
        return refused
    return _start(request, tasks.EXPORT_XLSX, first)


def export_pdf(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    if refused := _require_post(request):
        return refused
    return _start(request, tasks.EXPORT_PDF, first)


def _start(request, kind, first):
    try:
        job = tasks.start_job(kind=kind, month=first, user=request.user)
    except (statements.MonthClosed, statements.StatementError) as error:
        messages.error(request, str(error))
        return redirect("assessment:month", first.year, first.month)
    return redirect(job)


# ---- Head office: rewards, judgements, adjustments -------------------------------------------


def reward_create(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    return _month_form(
        request,
        first,
        form=RewardForm(request.POST or None),
        title=gettext_lazy("Reward"),
        write=lambda data: statements.add_reward(
            month=first, user=request.user, now=timezone.now(), **data
        ),
        saved=gettext_lazy("The reward was recorded."),
    )


def judgement_create(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    return _month_form(
        request,
        first,
        form=JudgementForm(request.POST or None, initial={"branch": request.GET.get("branch")}),
        title=gettext_lazy("Branch judgement"),
        write=lambda data: statements.judge_branch(
            month=first, user=request.user, now=timezone.now(), **data
        ),
        saved=gettext_lazy("The branch judgement was recorded."),
    )


def adjustment_create(request, year, month):
    require_head_office(request.user)
    first = _first_day(year, month)
    initial = {"corrects_month": request.GET.get("corrects"), "person": request.GET.get("person")}
    return _month_form(
        request,
        first,
        form=AdjustmentForm(request.POST or None, initial=initial, month=first),
        title=gettext_lazy("Adjustment of a closed month"),
        write=lambda data: statements.add_adjustment(
            month=first, user=request.user, now=timezone.now(), **data
        ),
        saved=gettext_lazy("The adjustment was recorded."),
    )


def _month_form(request, first, *, form, title, write, saved):
    """A head-office form on an open month: bind, one write, back to the month's page."""
    closed = statements.month_is_closed(first)
    if request.method == "POST":
        if closed:
            messages.error(request, str(statements.MonthClosed(first)))
            return redirect("assessment:month", first.year, first.month)
        if form.is_valid():
            try:
                write(form.cleaned_data)
            except (statements.MonthClosed, statements.StatementError) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, saved)
                return redirect("assessment:month", first.year, first.month)
    return render(
        request,
        "assessment/month_form.html",
        {"form": form, "title": title, "month": Month.objects.of(first), "closed": closed},
    )


# ---- Statements: a person's, a branch's, my own --------------------------------------------


def _can_read(user, person_id, branch) -> bool:
    if user.is_head_office or user.pk == person_id:
        return True
    return branch is not None and statements.statement_branches(user).filter(pk=branch.pk).exists()


def person_statement(request, year, month, person_pk):
    first = _first_day(year, month)
    row, result = _statement_row(request.user, first, person_pk)
    user = request.user
    field_days = (
        FieldDay.objects.visible_to(user).filter(person=row.person).in_month(first).order_by("date")
    )
    ledger = list(
        LedgerEntry.objects.visible_to(user)
        .of_month(first)
        .filter(person=row.person)
        .order_by("kind", "item_ref", "pk")
    )
    findings = (
        Finding.objects.confirmed_falsifications(first)
        .filter(photo__field_day__in=field_days)
        .select_related("photo__field_day")
    )
    rewards = Reward.objects.filter(month=first, person=row.person).order_by("pk")
    adjustments = Adjustment.objects.filter(month=first, person=row.person).order_by("pk")
    branch_url = None
    if row.branch and statements.statement_branches(user).filter(pk=row.branch.pk).exists():
        branch_url = reverse("assessment:branch_statements", args=[year, month, row.branch.pk])
    ledger_ids = {entry.pk: entry for entry in ledger}
    lines = [
        {
            "line": line,
            "section": statements.SECTION_LABELS[line.section],
            "quantity": exports.quantity(line.quantity),
            "rate": exports.plain(line.rate),
            "links": _links(line, ledger_ids, branch_url),
        }
        for line in row.statement.lines
    ]
    return render(
        request,
        "assessment/statement.html",
        {
            "row": row,
            "month": result.month,
            "lines": lines,
            "quota": quotas.quota_of(row.person, first),
            "field_days": field_days,
            "ledger": ledger,
            "findings": findings,
            "rewards": rewards,
            "adjustments": adjustments,
            "branch_url": branch_url,
            "next_month": _next_month(first),
        },
    )


def _links(line, ledger_ids, branch_url):
    """Where the records behind a line are: anchors on the statement page, or the branch's page."""
    if line.code in FIELD_DAY_CODES:
        return [(_("field days"), "#field-days")]
    if line.code in FINDING_CODES:
        return [(_("findings"), "#findings")]
    if line.code in BRANCH_CODES:
        return [(_("branch"), branch_url)] if branch_url else []
    if line.section == Section.REWARD:
        return [(_("reward"), f"#reward-{ref}") for ref in line.refs]
    if line.section == Section.ADJUSTMENT:
        return [(_("adjustment"), f"#adjustment-{ref}") for ref in line.refs]
    return [
        (ledger_ids[ref].item_ref or _("ledger line"), f"#ledger-{ref}")
        for ref in line.refs
        if ref in ledger_ids
    ]


def person_statement_pdf(request, year, month, person_pk):
    first = _first_day(year, month)
    row, result = _statement_row(request.user, first, person_pk)
    data = exports.statements_pdf(result, rows=[row])
    filename = f"{first:%Y-%m}-考核报表-{row.person}.pdf"
    return HttpResponse(
        data,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _statement_row(user, first, person_pk):
    """The person's statement of the month, or 404 when there is none or it is out of scope."""
    if not (user.is_head_office or user.pk == person_pk or user.role == Role.BRANCH_HEAD):
        raise Http404
    result = statements.month_statements(first, persons=[person_pk])
    row = result.row_of(person_pk)
    if row is None or not _can_read(user, person_pk, row.branch):
        raise Http404
    return row, result


def branch_statements(request, year, month, branch_pk):
    first = _first_day(year, month)
    branch = get_object_or_404(statements.statement_branches(request.user), pk=branch_pk)
    result = statements.month_statements(first, branch=branch)
    return render(
        request,
        "assessment/branch_statements.html",
        {
            "branch": branch,
            "month": result.month,
            "rows": result.rows,
            "average_days": result.branch_average_days.get(branch.pk),
            "falsifications": result.branch_falsifications.get(branch.pk, 0),
            "judgement": BranchJudgement.objects.filter(month=first, branch=branch)
            .select_related("by")
            .first(),
        },
    )


def my_statements(request):
    """The user's statements: open months as they stand today, closed ones as locked."""
    user = request.user
    months = {m.month: m for m in Month.objects.all()}
    for first in _recent_months():
        months.setdefault(first, Month(month=first))
    entries = [
        {"month": months[first], "row": row}
        for first, row in statements.locked_statements_of(user)
        if first in months
    ]
    for month in months.values():
        if not month.is_closed:
            row = statements.month_statements(month.month, persons=[user]).row_of(user.pk)
            if row is not None:
                entries.append({"month": month, "row": row})
    entries.sort(key=lambda e: e["month"].month, reverse=True)
    branches = []
    if user.role == Role.BRANCH_HEAD:
        branches = list(statements.statement_branches(user).order_by("code"))
    return render(
        request,
        "assessment/my_statements.html",
        {
            "entries": entries,
            "branches": branches,
            "months": sorted(months.values(), key=lambda m: m.month, reverse=True),
        },
    )


def quota_list(request, year, month):
    """Leaders', section chiefs' and branch heads' minimums of the month, in the user's scope."""
    first = _first_day(year, month)
    user = request.user
    if not (user.is_head_office or user.role in quotas.QUOTA_ROLES):
        raise Http404
    rows = quotas.month_quotas(quotas.quota_people(user), first)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "assessment/quotas.html",
        {"rows": rows, "first": first, "previous": previous, "next_month": _next_month(first)},
    )


def my_quotas(request):
    """This month's quotas: where the dashboard and the menu lead."""
    if not (request.user.is_head_office or request.user.role in quotas.QUOTA_ROLES):
        raise Http404
    today = timezone.localdate()
    return redirect("assessment:quotas", year=today.year, month=today.month)
