"""POST /webhooks/viber: the signature over the raw body first, then the callback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bots.plugin import Pipeline
from bots.viber.callbacks import CHANNEL, BadCallback, Callback, parse_callback
from bots.viber.channel import ViberChannel
from bots.viber.welcome import WelcomeConfig, welcome_reply

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Viber-Content-Signature"


def signature(token: str, body: bytes) -> str:
    """Viber's: lowercase hex HMAC-SHA256 of the raw body, keyed with the auth token."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


class ViberReceiver:
    """What a verified callback does: a message or notice through the pipeline, a receipt on
    the outbox row, the welcome message as the answer to an opened chat."""

    def __init__(self, pipeline: Pipeline, channel: ViberChannel, welcome: WelcomeConfig) -> None:
        self._pipeline = pipeline
        self._channel = channel
        self._welcome = welcome

    async def receive(self, callback: Callback) -> dict[str, Any]:
        if callback.inbound is not None:
            await self._pipeline.handle(callback.inbound)
        elif callback.receipt is not None:
            receipt = callback.receipt
            matched = await self._pipeline.record_delivery(
                CHANNEL,
                [receipt.message_token],
                receipt.status,
                receipt.at,
                receipt.error,
                # One «seen» stands for everything the customer has just read.
                earlier_too=receipt.status == "read",
            )
            log.debug("viber %s of %s: %d row(s)", receipt.status, receipt.message_token, matched)
        elif callback.opened is not None:
            return self._channel.welcome(welcome_reply(self._welcome, callback.opened.name))
        else:
            log.debug("viber callback %s ignored: %s", callback.event, callback.ignored)
        return {}


class ViberWebhook:
    def __init__(self, token: str, receiver: ViberReceiver) -> None:
        self._token = token
        self._receiver = receiver

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SIGNATURE_HEADER, "").strip()
        if not given:
            return web.json_response({"error": "missing signature"}, status=401)
        body = await request.read()  # over server.max_body_bytes: aiohttp answers 413
        expected = signature(self._token, body)
        if not self._token or not hmac.compare_digest(given.lower().encode(), expected.encode()):
            return web.json_response({"error": "wrong signature"}, status=403)
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return web.json_response({"error": "the body is not JSON"}, status=400)
        try:
            callback = parse_callback(decoded)
        except BadCallback as exc:
            return web.json_response({"error": str(exc)}, status=400)
        answer = await self._receiver.receive(callback)
        return web.json_response(answer, dumps=_dumps)


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)
