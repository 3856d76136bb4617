"""The page "large movements of my key customers" (DOMAIN.md §5.5), for their maintainers
and the branch head: the movements of the chosen day, by default of today's notice."""

import datetime

from django.shortcuts import render
from django.utils import timezone

from archives import movement_rules

from .. import movements


def key_movements(request):
    today = timezone.localdate()
    day = None
    if text := request.GET.get("day"):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            day = None
    start, end = (day, day) if day else movement_rules.notice_window(today)
    return render(
        request,
        "classification/key_movements.html",
        {
            "movements": movements.key_movements(request.user, start=start, end=end),
            "start": start,
            "end": end,
            "day": day or end,
            "today": today,
        },
    )
