"""The installable app: its manifest, the service worker at the site's root, the outbox page."""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

# What every page needs, fetched when the worker is installed: a page opened before the
# signal went keeps its look and its scripts.
SHELL = (
    "css/app.css",
    "js/outbox.js",
    "js/family.js",
    "js/field_day.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
)


@login_not_required  # the login page registers the worker too (and clears the pages kept)
@never_cache
def service_worker(request):
    shell = [static(path) for path in SHELL]
    context = {
        "shell": json.dumps(shell),
        "pending": json.dumps(reverse("archives:pending")),
        "login": json.dumps(reverse("login")),
        "offline_page": json.dumps(offline_page(shell[0])),
    }
    body = render_to_string("archives/sw.js", context)
    # The shell's hashed names are in the body, so a new stylesheet makes a new worker;
    # the version names its caches.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    body = body.replace("__VERSION__", version)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline_page(stylesheet: str) -> str:
    """What a page not kept on the phone shows when there is no signal."""
    return render_to_string(
        "archives/offline.html", {"stylesheet": stylesheet, "pending": reverse("archives:pending")}
    )


@login_not_required  # the browser fetches it without the session cookie
def manifest(request):
    data = {
        "name": _("Hong'an village visits"),
        "short_name": _("Village visits"),
        "lang": "zh-CN",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {
                "src": static(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def pending(request):
    """The outbox (待发送): what this phone keeps to send; the list is drawn by outbox.js."""
    return render(request, "archives/pending.html")
