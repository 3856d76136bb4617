"""The work diary (DOMAIN.md §5.4): today's summary and tomorrow's plan, every working day.

One entry per person and day, written and edited on that day only; a stale edit (the
entry changed since the form was shown, say on another phone) is refused. `diary_gaps`
gives, for each person of a branch who keeps a diary, the working days without one.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from archives import unique, versions, workdays

from .cadences import bound_users
from .models import DiaryEntry

FIELDS = ("summary", "plan")


class DiaryClosed(Exception):
    """The day's entry can no longer be changed."""


def entry_of(user, day: datetime.date) -> DiaryEntry:
    """The user's entry of the day, or an unsaved empty one."""
    return DiaryEntry.objects.filter(user=user, day=day).first() or DiaryEntry(user=user, day=day)


def values_of(entry: DiaryEntry) -> versions.Values:
    if entry.pk is None:
        return {}
    return versions.model_values(entry, FIELDS)


def version_of(entry: DiaryEntry) -> str:
    return versions.version_of(values_of(entry)) if entry.pk is not None else ""


def save_entry(user, *, day, today, summary, plan, version) -> DiaryEntry:
    """Write the user's entry of `day` (which must be `today`); StaleEdit when it changed."""
    if day != today:
        raise DiaryClosed(_("A diary entry can only be written or changed on its own day."))
    with transaction.atomic():
        entry = DiaryEntry.objects.select_for_update().filter(user=user, day=day).first()
        yours = {
            "summary": versions.value(_("today's summary"), summary),
            "plan": versions.value(_("tomorrow's plan"), plan),
        }
        if entry is None:
            try:
                with unique.violations(DiaryEntry):
                    return DiaryEntry.objects.create(user=user, day=day, summary=summary, plan=plan)
            except unique.Violation:
                entry = DiaryEntry.objects.select_for_update().get(user=user, day=day)
                version = version or "new"  # another tab wrote it first: compare
        versions.check(version, stored=values_of(entry), yours=yours)
        entry.summary, entry.plan = summary, plan
        entry.save(update_fields=["summary", "plan", "updated_at"])
        return entry


def diary_gaps(branch, start: datetime.date, end: datetime.date):
    """dict[user, list[date]]: the branch's diary keepers and their working days in
    [start, end] without an entry (two queries)."""
    days = workdays.working_days(start, end)
    people = list(bound_users([branch]))
    written = set(
        DiaryEntry.objects.filter(
            user__in=[u.pk for u in people], day__range=(start, end)
        ).values_list("user", "day")
    )
    return {u: [d for d in days if (u.pk, d) not in written] for u in people}
