"""manage.py plan_messages [--month 2026-12]: plan a month's text messages to key customers."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from classification import contact


def parse_month(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(
            _("Enter a month as year-month, e.g. 2026-12; got %(v)s.") % {"v": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Plan the month's text messages to key customers: product news, maturity and interest "
        "reminders, holiday and birthday greetings. Safe to run again: it adds only what is "
        "missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: the current month")

    def handle(self, *args, month, **options):
        today = timezone.localdate()
        first = parse_month(month) if month else today.replace(day=1)
        result = contact.plan_month(year=first.year, month=first.month, today=today)
        self.stdout.write(
            _(
                "%(month)s planned for %(customers)d key customers: %(queued)d new messages "
                "queued, %(skipped)d skipped."
            )
            % {
                "month": f"{first:%Y-%m}",
                "customers": result.customers,
                "queued": result.queued,
                "skipped": result.skipped,
            }
        )
