"""Job kinds: each app registers the work it runs in the background from its tasks module.

The jobs app knows no domain app; a kind brings what its pages need: who may follow
it, the fragment that shows its result, where its page leads back to, and the runner.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobFailed(Exception):
    """Raised by a runner to end its job as failed with this (Chinese) message for the user."""


@dataclass
class Outcome:
    """What a runner leaves on its job when it ends well."""

    result: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    problem_count: int = 0
    # (file name, content) of a file to download from the job's page.
    file: tuple[str, bytes] | None = None


# runner(job, progress) -> Outcome; progress(done, total) reports and keeps the heartbeat.
Runner = Callable[[Any, Callable[[int, int], None]], Outcome]


@dataclass(frozen=True)
class JobKind:
    key: str
    label: Any  # a lazy translation
    run: Runner
    can_view: Callable[[Any], bool]  # user -> may follow and download this kind's jobs
    result_template: str  # included on the job page once the job is done
    back_url: Callable[[Any], str]  # job -> the page to go back to
    back_label: Any = field(default_factory=lambda: _("Back"))
    # The progress line, formatted with done and total.
    unit: Any = field(default_factory=lambda: _("%(done)s of %(total)s done"))
    # job -> the page's heading, when the kind's label alone does not say enough.
    heading: Callable[[Any], str] | None = None
    # user -> a Q on Job narrowing which of the kind's jobs the user may follow (e.g. only
    # the ones they started); None: every job of the kind, for whoever passes can_view.
    scope: Callable[[Any], Q] | None = None


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.key)
    if existing is not None and _name(existing.run) != _name(kind.run):
        raise ValueError(f"Job kind {kind.key!r} is registered twice.")
    _KINDS[kind.key] = kind
    return kind


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def get(key: str) -> JobKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No job kind {key!r} is registered.") from None


def label_of(key: str):
    kind = _KINDS.get(key)
    return kind.label if kind else key


def kinds_visible_to(user) -> list[str]:
    if not (user.is_authenticated and user.is_active):
        return []
    return [key for key, kind in _KINDS.items() if kind.can_view(user)]


def visible_filter(user) -> Q:
    """The jobs a user may follow: of the kinds they may view, narrowed by a kind's `scope`."""
    whole, scoped = [], Q(pk__in=[])
    for key in kinds_visible_to(user):
        scope = _KINDS[key].scope
        if scope is None:
            whole.append(key)
        else:
            scoped |= Q(kind=key) & scope(user)
    return Q(kind__in=whole) | scoped
