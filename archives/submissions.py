"""Forms sent from the phone's outbox: each send files once, and its answer says what happened.

A form marked `data-outbox` (static/js/outbox.js) carries a `submission_key`, a UUID
made on the phone when the form was opened. `once` wraps the view that saves it:

- a key this user sent before and that was saved answers with a redirect to what it
  filed, and writes nothing;
- otherwise the Submission row is inserted first, in one transaction with everything
  the view (its service) writes: a second send of the same key waits on the unique
  index and then finds the first one's result (never a 500, archives.unique);
- the view's answer decides: a redirect is a save (the row keeps where it led), any
  other answer (the form shown again: errors, or a stale edit's 409) rolls everything
  back, so the corrected form can be sent again with the same key.

A send made by outbox.js has the header `X-Outbox: 1` and gets a small JSON answer,
`{"status": "saved" | "invalid" | "conflict", "url": ...}`, instead of the page:
the one place where the outbox learns what became of a send.
"""

import functools
import uuid

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import unique
from .submission_models import Submission

KEY_FIELD = "submission_key"
HEADER = "X-Outbox"
CONFLICT = 409  # the stale-edit answer of archives.versions' pages


def once(view):
    """Make a POST view that saves through a redirect idempotent by its submission key."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = key_of(request)
        if key is None:
            return answer(request, view(request, *args, **kwargs))
        done = Submission.objects.filter(user=request.user, key=key).first()
        if done is not None:
            return answer(request, sent_before(request, done))
        with transaction.atomic():
            try:
                with unique.violations(Submission):
                    record = Submission.objects.create(
                        user=request.user, key=key, created_at=timezone.now()
                    )
            except unique.Violation:  # the same key sent at the same moment, and saved
                done = Submission.objects.get(user=request.user, key=key)
                return answer(request, sent_before(request, done))
            response = view(request, *args, **kwargs)
            if is_saved(response):
                record.url = response["Location"]
                record.save(update_fields=["url"])
            else:
                transaction.set_rollback(True)
        return answer(request, response)

    return wrapper


def key_of(request) -> uuid.UUID | None:
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    try:
        return uuid.UUID(request.POST.get(KEY_FIELD, ""))
    except ValueError:
        return None


def is_saved(response) -> bool:
    return 300 <= response.status_code < 400 and response.has_header("Location")


def sent_before(request, done: Submission):
    messages.info(request, _("This form had already been sent and saved; nothing was filed twice."))
    return HttpResponseRedirect(done.url)


def answer(request, response):
    """The page, or for the outbox a JSON answer: saved (and where), invalid or conflict."""
    if (
        request.method == "POST"
        and request.headers.get("X-Requested-With") == "XMLHttpRequest"
        and is_saved(response)
    ):
        # A page's own script (static/js/field_day.js, which sends by XMLHttpRequest for
        # its upload progress) would follow a redirect itself and take the success
        # message with it; told the address instead, it navigates there.
        return JsonResponse({"location": response["Location"]})
    if request.headers.get(HEADER) != "1" or request.method != "POST":
        return response
    if is_saved(response):
        return JsonResponse({"status": "saved", "url": response["Location"]})
    if response.status_code in (CONFLICT, 200):
        # The page's own notices ("nothing was saved") belong to the page not shown.
        for _notice in messages.get_messages(request):
            pass
    if response.status_code == CONFLICT:
        return JsonResponse({"status": "conflict", "url": request.get_full_path()})
    if response.status_code == 200:
        return JsonResponse({"status": "invalid", "url": request.get_full_path()})
    return response
