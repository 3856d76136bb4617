"""Classification's scheduled work (jobs/schedule.py): the weekly run, the contact plan's
planning and sending, and head office's figures computed after midnight."""

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archives.models import Branch
from jobs.registry import JobFailed
from jobs.schedule import Scheduled, register

from . import contact, figures, senders, services
from .models import Rulebook


def classify_week(now: datetime.datetime) -> str:
    """Every branch classified for the week of today; a confirmed week is left as it is."""
    today = timezone.localdate(now)
    done, locked, failed = 0, 0, []
    for branch in Branch.objects.order_by("code"):
        try:
            services.run_week(branch=branch, today=today, now=now)
        except services.WeekLocked:
            locked += 1
        except Exception as error:  # one branch's failure must not stop the others
            failed.append(f"{branch.name}: {type(error).__name__}: {error}")
        else:
            done += 1
    summary = _(
        "%(done)d branches classified; %(locked)d whose week is confirmed left as they are."
    ) % {"done": done, "locked": locked}
    if failed:
        raise JobFailed(
            _("%(summary)s Failed: %(failed)s") % {"summary": summary, "failed": "; ".join(failed)}
        )
    return summary


def plan_messages(now: datetime.datetime) -> str:
    """This month's messages planned (again: only what is missing is added)."""
    today = timezone.localdate(now)
    result = contact.plan_month(year=today.year, month=today.month, today=today)
    return _(
        "%(month)s planned for %(customers)d key customers: %(queued)d new messages "
        "queued, %(skipped)d skipped."
    ) % {
        "month": f"{today:%Y-%m}",
        "customers": result.customers,
        "queued": result.queued,
        "skipped": result.skipped,
    }


def send_messages(now: datetime.datetime) -> str:
    """The due messages sent; a sender set up wrongly fails the run (tried again later),
    the default outbox sender only keeps them (and says so)."""
    try:
        senders.get_sender()
    except (ImproperlyConfigured, ImportError) as error:
        raise JobFailed(
            _("The SMS sender is not set up correctly: %(error)s") % {"error": error}
        ) from None
    report = contact.send_due(today=timezone.localdate(now), now=now)
    if report.reason:
        return _("%(n)d due messages are kept in the outbox: %(reason)s") % {
            "n": report.kept,
            "reason": report.reason,
        }
    return _("%(sent)d sent, %(retrying)d to retry, %(failed)d failed.") % {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
    }


def branch_figures(now: datetime.datetime) -> str:
    today = timezone.localdate(now)
    computed = figures.refresh(
        Branch.objects.all(), today=today, rulebook=Rulebook.objects.in_force(today)
    )
    return _("Figures of %(n)d branches computed.") % {"n": computed}


register(
    Scheduled(
        "classify_week",
        gettext_lazy("Weekly classification"),
        classify_week,
        at=datetime.time(6, 0),
        weekday=0,
        description=gettext_lazy(
            "Ranks and classifies every branch's customers for the week, "
            "ready for the branch head's weekly meeting."
        ),
    )
)
register(
    Scheduled(
        "plan_messages",
        gettext_lazy("Text messages planned"),
        plan_messages,
        at=datetime.time(1, 0),
        description=gettext_lazy(
            "Plans this month's text messages to key customers; each day adds only what "
            "is missing (new key customers, new product news)."
        ),
    )
)
register(
    Scheduled(
        "send_messages",
        gettext_lazy("Text messages sent"),
        send_messages,
        at=datetime.time(9, 0),
        description=gettext_lazy(
            "Sends the queued text messages whose day has come through the SMS gateway."
        ),
    )
)
register(
    Scheduled(
        "branch_figures",
        gettext_lazy("Head office's figures computed"),
        branch_figures,
        at=datetime.time(0, 30),
        description=gettext_lazy(
            "Computes every branch's figures for the new day, so head office's dashboard "
            "and revisit rate open fast at the first look."
        ),
    )
)
