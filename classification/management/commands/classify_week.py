"""Run the weekly classification (客户初分) of every branch, or of one: for a weekly cron."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from archives.models import Branch
from classification import services


class Command(BaseCommand):
    help = "Classify every branch's customers for the week of a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--branch", help="branch code; default every branch")

    def handle(self, *args, date=None, branch=None, **options):
        today = date or timezone.localdate()
        branches = Branch.objects.all()
        if branch:
            branches = branches.filter(code=branch)
            if not branches.exists():
                raise CommandError(f"没有编码为 {branch} 的支行。")
        for b in branches:
            try:
                week = services.run_week(branch=b, today=today, now=timezone.now())
            except services.WeekLocked as locked:
                self.stdout.write(f"{b.name}: {locked}")
                continue
            self.stdout.write(f"{b.name}: {week.week_start} {week.rows.count()}")
