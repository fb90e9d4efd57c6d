"""A Graph webhook endpoint (WhatsApp Cloud and Messenger alike).

GET: the subscription handshake — `hub.mode=subscribe` and our verify token (compared in constant
time) get the raw `hub.challenge` back as text; anything else 403.
POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`
is checked on the bytes as received, before anything is parsed (missing 401, wrong 403; nothing
is stored), then the JSON goes to the platform's receiver. 200 is answered only after every event
of the batch was handled and committed: a crash before makes Meta deliver it again, and the
repeat is a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any, Protocol

from aiohttp import web

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="
# Longest challenge echoed: Meta's are short numbers; the handshake is not a reflection service.
_CHALLENGE_MAX = 256


class BadBody(ValueError):
    """Signed, but not a webhook body at all: 400."""


def entries_of(body: Any, object_name: str) -> list[Any] | None:
    """The entries of a notification; None when it is for another `object` (acknowledged and
    ignored). Raises BadBody for what is not a notification at all."""
    if not isinstance(body, dict):
        raise BadBody("a notification is a JSON object")
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise BadBody("a notification has an entry list")
    return entries if body.get("object") == object_name else None


class Receiver(Protocol):
    async def receive(self, body: dict[str, Any]) -> None:
        """Handle every event of one notification; raise BadBody for a body of the wrong shape."""


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def signature_ok(body: bytes, header: str, app_secret: str) -> bool:
    if not app_secret or not header.startswith(_PREFIX):
        return False
    given = header[len(_PREFIX) :].strip().lower().encode()
    return hmac.compare_digest(given, sign(body, app_secret)[len(_PREFIX) :].encode())


class MetaWebhook:
    def __init__(self, name: str, verify_token: str, app_secret: str, receiver: Receiver) -> None:
        self._name = name
        self._verify_token = verify_token.encode()
        self._app_secret = app_secret
        self._receiver = receiver

    def mount(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.verify)
        app.router.add_post(path, self.notify)

    async def verify(self, request: web.Request) -> web.Response:
        query = request.query
        mode = query.get("hub.mode", "")
        token = query.get("hub.verify_token", "").encode()
        challenge = query.get("hub.challenge", "")
        token_ok = bool(self._verify_token) and hmac.compare_digest(token, self._verify_token)
        if mode == "subscribe" and token_ok and challenge and len(challenge) <= _CHALLENGE_MAX:
            log.info("%s webhook subscription verified", self._name)
            return web.Response(text=challenge, content_type="text/plain")
        log.warning("%s webhook verification refused (mode %r)", self._name, mode[:32])
        return web.Response(status=403, text="verification failed", content_type="text/plain")

    async def notify(self, request: web.Request) -> web.Response:
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            return web.json_response({"error": f"missing {SIGNATURE_HEADER}"}, status=401)
        body = await request.read()  # over server.max_body_bytes: aiohttp answers 413
        if not signature_ok(body, header, self._app_secret):
            log.warning("%s webhook: a body with a wrong signature was refused", self._name)
            return web.json_response({"error": "wrong signature"}, status=403)
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(parsed, dict):
            return web.json_response({"error": "the body is not a JSON object"}, status=400)
        try:
            await self._receiver.receive(parsed)
        except BadBody as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.Response(text="EVENT_RECEIVED", content_type="text/plain")
