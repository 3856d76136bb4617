"""How text messages leave the bank: chosen by settings.SMS_SENDER (a dotted path).

A sender has `delivers` and `send(message)`; `send` returns when the gateway has taken
the message and raises SendFailed otherwise. The default, OutboxSender, delivers
nothing: until head office configures a gateway, every planned message stays queued in
the outbox, where staff can read it.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GATEWAY_TIMEOUT = 10  # seconds; a send run must not hang on a gateway that does not answer
# Client errors that retrying will not cure (a wrong number, a refused template), as
# opposed to 408 (timeout) and 429 (rate limited), which are worth another attempt.
RETRYABLE_CLIENT_ERRORS = {408, 429}


class SendFailed(Exception):
    """The gateway did not take the message. `permanent`: retrying will not help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


class OutboxSender:
    """Keeps messages in the outbox: nothing is sent, nothing is marked sent."""

    delivers = False
    reason = gettext_lazy(
        "No SMS gateway is configured (the default sender keeps every message in the "
        "outbox): head office must set SMS_SENDER to the bank's gateway."
    )

    def send(self, message) -> None:
        raise SendFailed("OutboxSender does not send messages")


class HttpGatewaySender:
    """Posts each message as JSON to the bank's SMS gateway (SMS_GATEWAY_URL).

    Body: {"phone", "template_id", "text", "reference"}; the key goes in an
    `Authorization: Bearer` header. Any 2xx answer means the gateway took the message.
    `reference` is the same on every attempt of a message, so a gateway that honours it
    does not send twice when an answer is lost.
    """

    delivers = True

    def __init__(self, *, url=None, key=None, template_id=None, timeout=GATEWAY_TIMEOUT):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SMS_GATEWAY_KEY
        self.template_id = (
            template_id if template_id is not None else settings.SMS_GATEWAY_TEMPLATE_ID
        )
        self.timeout = timeout
        # urllib also opens file:// and ftp:// addresses; a gateway is only ever http(s).
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) address.")
        if not self.key:
            raise ImproperlyConfigured("SMS_GATEWAY_KEY must be set to use the SMS gateway.")

    def send(self, message) -> None:
        body = json.dumps(
            {
                "phone": message.phone,
                "template_id": self.template_id,
                "text": message.text,
                "reference": f"hongan-message-{message.pk}",
            },
            ensure_ascii=False,
        ).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read(200).decode("utf-8", "replace")
            permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS
            raise SendFailed(f"HTTP {error.code} {detail}".strip(), permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SendFailed(f"{type(error).__name__}: {reason}") from None


def get_sender():
    """The sender settings.SMS_SENDER names, ready to use."""
    return import_string(settings.SMS_SENDER)()


def why_not_sending() -> str:
    """Why the configured sender sends nothing, in words for head office; "" when it sends.

    Not configured (the default outbox), or configured wrongly (no key, an address that is
    not http(s), a sender that cannot be loaded): either way every due message waits.
    """
    try:
        sender = get_sender()
    except (ImproperlyConfigured, ImportError) as error:
        return _("The SMS sender is not set up correctly: %(error)s") % {"error": error}
    if sender.delivers:
        return ""
    return str(getattr(sender, "reason", "")) or _("The configured SMS sender sends nothing.")
