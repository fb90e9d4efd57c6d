"""POST /webhooks/vk: VK's Callback API.

VK signs nothing: every event carries the community's `secret` key and `group_id` in its JSON,
so the body is read (within the size limit) and parsed before they are checked — in constant
time, and before anything is stored. `confirmation` is answered with the configured code as
plain text; every other event, once handled (its turn committed), with plain `ok`: VK delivers
anything else again, so a crash before the answer makes the repeat a duplicate, never a loss.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bots.vk.receiver import VkReceiver

log = logging.getLogger(__name__)

OK = "ok"
CONFIRMATION = "confirmation"


class VkWebhook:
    def __init__(
        self,
        group_id: int,
        secret: str,
        confirmation: str,
        receiver: VkReceiver,
        max_body_bytes: int,
    ) -> None:
        self._group_id = group_id
        self._secret = secret.encode()
        self._confirmation = confirmation
        self._receiver = receiver
        self._max_body_bytes = max_body_bytes

    async def handle(self, request: web.Request) -> web.Response:
        length = request.content_length
        if length is not None and length > self._max_body_bytes:
            return _text("the body is too large", 413)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:  # the app's own limit (server.max_body_bytes)
            return _text("the body is too large", 413)
        if len(raw) > self._max_body_bytes:
            return _text("the body is too large", 413)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return _text("the body is not JSON", 400)
        if not isinstance(body, dict):
            return _text("the body is not a Callback API event", 400)
        group = _group(body.get("group_id"))
        if group is not None and group != self._group_id:
            log.warning("vk webhook: an event for another community was refused")
            return _text("wrong group_id", 403)
        given = body.get("secret")
        if body.get("type") == CONFIRMATION:
            return self._confirm(group, given)
        if not isinstance(given, str) or not given:
            return _text("missing secret", 401)
        if not self._secret_ok(given):
            log.warning("vk webhook: an event with a wrong secret was refused")
            return _text("wrong secret", 403)
        await self._receiver.receive(body)
        return _text(OK)

    def _confirm(self, group: int | None, given: Any) -> web.Response:
        """VK's address check. The code is only given for our community: named by group_id,
        or (a body without it) by a correct secret; a secret that is sent must be right (VK
        sends none, or an empty one, while the community has no secret key set)."""
        sent = given not in (None, "")
        if sent and not (isinstance(given, str) and self._secret_ok(given)):
            log.warning(
                "vk webhook: a confirmation with a wrong secret was refused: the secret key in "
                "VK's Callback API settings must be ENERGOBOT_VK__SECRET"
            )
            return _text("wrong secret", 403)
        if group is None and not sent:
            return _text("missing group_id", 403)
        log.info("vk webhook: the server address was confirmed")
        return _text(self._confirmation)

    def _secret_ok(self, given: str) -> bool:
        # surrogatepass: a lone surrogate in the JSON is a wrong secret, not a 500.
        encoded = given.encode("utf-8", "surrogatepass")
        return bool(self._secret) and hmac.compare_digest(encoded, self._secret)


def _group(value: Any) -> int | None:
    """group_id as VK sends it (a number; a digit string from some proxies); None if absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= 20:  # not «²», not 5 000 digits
        return int(digits)
    return -1  # present but not a community id: never ours


def _text(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/plain")
