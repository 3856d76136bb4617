"""Responses to a signed-in user are never stored by a browser or a proxy cache."""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Add Cache-Control: no-store to every response for a signed-in user.

    Pages with full ID numbers and downloaded archives must not stay in a shared
    computer's browser cache or a proxy's. A response that already says how it may be
    cached (a photo's `private, max-age`) keeps what its view decided.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
