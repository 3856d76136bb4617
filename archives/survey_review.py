"""Send back a survey (退回补充, DOMAIN.md §7): the branch head returns it to its author with a
comment, the author corrects and resubmits it, the reviewer confirms or rejects it.

Each write is one transaction on the survey's SurveyReview row, locked; a rejection is
final. The archive itself is edited as before (the survey form); its review state changes
no coverage count, import or classification.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import unique, versions
from .models import Customer, Role, SurveyReview

Status = SurveyReview.Status
DECISIONS = (Status.RETURNED, Status.CONFIRMED, Status.REJECTED)
REVIEW_FIELDS = ("status", "note")


class ReviewRefused(Exception):
    """A review step that cannot be taken; the message says why."""


def reviewer_branches(user):
    """The branches whose surveys a user reviews: every one for head office, a head's own."""
    if user.is_head_office:
        return None
    if user.role == Role.BRANCH_HEAD:
        return user.branches.all()
    return ()


def reviews_surveys(user) -> bool:
    return user.is_head_office or user.role == Role.BRANCH_HEAD


def to_review(user):
    """Surveys a reviewer may decide: filed by someone else, in their branches (or every one)."""
    customers = Customer.objects.visible_to(user).filter(filed_by__isnull=False)
    branches = reviewer_branches(user)
    if branches is not None:
        customers = customers.filter(village__township__branch__in=branches)
    return customers.exclude(filed_by=user)


def awaiting(customers):
    return customers.filter(Q(review__isnull=True) | Q(review__status=Status.SUBMITTED))


def may_review(user, customer) -> bool:
    return reviews_surveys(user) and to_review(user).filter(pk=customer.pk).exists()


def returned_to(user):
    """The user's surveys returned to them for more, oldest return first (for their "today")."""
    return (
        Customer.objects.visible_to(user)
        .filter(filed_by=user, review__status=Status.RETURNED)
        .select_related("village", "review__reviewed_by")
        .order_by("review__reviewed_at", "pk")
    )


def status_of(customer) -> str:
    return customer.review.status if _has_review(customer) else Status.SUBMITTED


def note_of(customer) -> str:
    return customer.review.note if _has_review(customer) else ""


def _has_review(customer) -> bool:
    try:
        customer.review  # noqa: B018
    except SurveyReview.DoesNotExist:
        return False
    return True


def version_of(customer) -> str:
    review = customer.review if _has_review(customer) else SurveyReview(customer=customer)
    return versions.version_of(versions.model_values(review, REVIEW_FIELDS))


def _locked(customer) -> SurveyReview:
    """The customer's review row, created if missing, locked until the transaction ends."""
    try:
        with unique.violations(SurveyReview):
            SurveyReview.objects.get_or_create(customer_id=customer.pk)
    except unique.Violation:  # created by another request meanwhile: it is there now
        pass
    return SurveyReview.objects.select_for_update().get(customer_id=customer.pk)


def _check(review, version, **yours) -> None:
    after = SurveyReview(**{name: getattr(review, name) for name in REVIEW_FIELDS} | yours)
    versions.check(
        version,
        stored=versions.model_values(review, REVIEW_FIELDS),
        yours=versions.model_values(after, REVIEW_FIELDS),
    )


@transaction.atomic
def review_survey(
    *,
    customer,
    reviewer,
    decision: str,
    note: str,
    now: datetime.datetime,
    version: str | None = None,
) -> SurveyReview:
    """Return a survey to its author (a comment required), confirm it, or reject it (a reason)."""
    if decision not in DECISIONS:
        raise ValueError(f"not a decision: {decision!r}")
    note = note.strip()
    if not may_review(reviewer, customer):
        raise ReviewRefused(_("Only the branch head or head office reviews this survey."))
    review = _locked(customer)
    _check(review, version, status=decision, note=note)
    if review.status == Status.REJECTED:
        raise ReviewRefused(_("This survey was rejected: that decision is final."))
    if review.status == decision and review.note == note:
        return review  # the same decision sent twice: already so
    if decision == Status.RETURNED and review.status != Status.SUBMITTED:
        raise ReviewRefused(
            _("This survey is %(status)s: only a survey awaiting review can be returned.")
            % {"status": review.get_status_display()}
        )
    if decision == Status.RETURNED and not note:
        raise ReviewRefused(_("Say what the survey needs before returning it."))
    if decision == Status.REJECTED and not note:
        raise ReviewRefused(_("Say why the survey is rejected."))
    review.status = decision
    review.note = note
    review.reviewed_by = reviewer
    review.reviewed_at = now
    review._history_user = reviewer
    review.save()
    return review


@transaction.atomic
def resubmit_survey(
    *, customer, person, now: datetime.datetime, version: str | None = None
) -> SurveyReview:
    """The author sends a returned survey, corrected on its form, for review again."""
    if customer.filed_by_id != person.pk:
        raise ReviewRefused(_("Only its author resubmits a survey."))
    review = _locked(customer)
    _check(review, version, status=Status.SUBMITTED, note="")
    if review.status != Status.RETURNED:
        raise ReviewRefused(
            _("This survey is %(status)s: only a survey returned to you is resubmitted.")
            % {"status": review.get_status_display()}
        )
    review.status = Status.SUBMITTED
    review.note = ""
    review.submitted_at = now
    review._history_user = person
    review.save()
    return review


def states_of(customer) -> list:
    """The survey's review history, oldest first: (time, who, state, comment)."""
    if not _has_review(customer):
        return []
    rows = customer.review.states.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    out = []
    for row in rows:
        if row.status == Status.SUBMITTED and row.submitted_at is None:
            continue  # the row made before the first decision: the filing itself
        label = _("Resubmitted") if row.status == Status.SUBMITTED else row.get_status_display()
        out.append((row.history_date, row.history_user, label, row.note, row.status))
    return out
