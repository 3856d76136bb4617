"""The client's address behind the reverse proxies of docs/deployment.md (django-axes uses it)."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the outermost trusted proxy saw, or the socket's when there is none.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with
    TRUSTED_PROXY_COUNT proxies the client is that many entries from the right; anything
    further left was written by the client and can be forged.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not count or not hops:
        return remote
    return hops[-count] if len(hops) >= count else hops[0]
