"""manage.py send_messages [--limit N]: send the queued text messages whose day has come."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from classification import contact


class Command(BaseCommand):
    help = (
        "Send queued text messages scheduled for today or earlier through settings.SMS_SENDER. "
        "Failures stay queued for the next run until SMS_MAX_ATTEMPTS, then they are failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=contact.SEND_BATCH)

    def handle(self, *args, limit, **options):
        report = contact.send_due(today=timezone.localdate(), now=timezone.now(), limit=limit)
        if report.reason:
            self.stdout.write(
                _("%(n)d due messages are kept in the outbox: %(reason)s")
                % {"n": report.kept, "reason": report.reason}
            )
            return
        self.stdout.write(
            _("%(sent)d sent, %(retrying)d to retry, %(failed)d failed.")
            % {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
        )
