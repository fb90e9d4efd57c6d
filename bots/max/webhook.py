"""POST /webhooks/max: the subscription's secret first, then the body."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bots.max.receiver import Receiver
from bots.max.updates import BadUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"
_CHUNK = 64 * 1024


class MaxWebhook:
    def __init__(self, secret: str, receiver: Receiver, max_body_bytes: int) -> None:
        self._secret = secret.encode()
        self._receiver = receiver
        self._max_body_bytes = max_body_bytes

    async def handle(self, request: web.Request) -> web.Response:
        # Before a byte of the body is read: a stranger's request costs nothing.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self._secret or not hmac.compare_digest(given, self._secret):
            return web.json_response({"error": "wrong or missing secret"}, status=401)
        body = await self._read(request)
        if body is None:
            return web.json_response({"error": "the body is too large"}, status=413)
        try:
            update = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return web.json_response({"error": "the body is not JSON"}, status=400)
        try:
            await self._receiver.receive(update)
        except BadUpdate as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True})

    async def _read(self, request: web.Request) -> bytes | None:
        """The body, or None past server.max_body_bytes (told or counted)."""
        limit = self._max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)
