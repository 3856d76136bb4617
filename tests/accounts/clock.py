"""A clock the tests move: every reader of the time in sessions, axes and accounts follows it."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


class Clock:
    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += datetime.timedelta(**delta)


@contextmanager
def moving_clock():
    clock = Clock(timezone.now())
    with (
        mock.patch("django.utils.timezone.now", clock),
        mock.patch("axes.attempts.now", clock),
        mock.patch("axes.handlers.proxy.now", clock),
    ):
        yield clock
