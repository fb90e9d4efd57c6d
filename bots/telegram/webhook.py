"""POST /webhooks/telegram: the secret header first, then the body."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bots.telegram.receiver import Receiver
from bots.telegram.updates import BadUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    def __init__(self, secret: str, receiver: Receiver) -> None:
        self._secret = secret.encode()
        self._receiver = receiver

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not self._secret or not hmac.compare_digest(given, self._secret):
            return web.json_response({"error": "wrong or missing secret token"}, status=401)
        body = await request.read()  # over server.max_body_bytes: aiohttp answers 413
        try:
            update = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return web.json_response({"error": "the body is not JSON"}, status=400)
        try:
            await self._receiver.receive(update)
        except BadUpdate as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({})
