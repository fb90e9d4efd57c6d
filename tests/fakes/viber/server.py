"""FakeViber: the REST Bot API (send_message, set_webhook, get_account_info) on 127.0.0.1,
answering, checking and recording like Viber: HTTP 200 with a JSON `status`, the token in the
X-Viber-Auth-Token header (or, as viberbot sends it, `auth_token` in the body), the 30 KB
request limit, the keyboard grid, status 5/6 for unknown or unsubscribed receivers and status 12
after 100 messages to a user within an hour without a reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
import traceback
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.serving import Served
from tests.fakes.viber import errors
from tests.fakes.viber.checks import check_message, check_size
from tests.fakes.viber.errors import ViberError
from tests.fakes.viber.models import (
    ACCOUNT_ID,
    ACCOUNT_NAME,
    FIRST_TOKEN,
    TOKEN,
    Call,
    Failure,
    Sent,
    User,
    Webhook,
)

AUTH_HEADER = "X-Viber-Auth-Token"
SIGNATURE_HEADER = "X-Viber-Content-Signature"
EVENT_TYPES = ("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started")
ANY = "*"
HOUR = 3600.0


class HttpFailure(Exception):
    """An injected HTTP-level error (a proxy's 502, an outage): no Viber JSON at all."""

    def __init__(self, status: int, retry_after: int | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def sign(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


PICTURE_TYPES = ("image/jpeg", "image/png", "image/gif")
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")
PICTURE_MAX_BYTES = 1024 * 1024  # iOS clients' limit (Android's is 3 MB)
FILE_MAX_BYTES = 50 * 1024 * 1024


class FakeViber(Served):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        unanswered_limit: int = 100,
        require_https: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.clock = clock
        self.unanswered_limit = unanswered_limit  # per user per hour without a reply
        self.require_https = require_https  # tests of set_webhook against a local app turn it off
        self.users: dict[str, User] = {}
        self.calls: list[Call] = []
        self.delivered: list[Sent] = []
        self.webhook = Webhook()
        self.failures: dict[str, list[Failure]] = {}
        self.user_failures: dict[str, Failure] = {}
        self.delays: dict[str, float] = {}
        self.internal_errors: list[str] = []  # bugs of the fake itself, never expected
        self.webhook_checks: list[tuple[str, int]] = []  # (url, HTTP status) of webhook callbacks
        # What a picture's or file's URL gave when the fake downloaded it, as Viber does:
        # url -> (HTTP status, Content-Type, bytes).
        self.downloads: dict[str, tuple[int, str, bytes]] = {}
        self._next_token = FIRST_TOKEN

    # ----------------------------------------------------------------- lifecycle

    base_path = "/pa"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)  # the 30 KB rule is Viber's answer
        app.router.add_post("/pa/{endpoint}", self._handle)
        return app

    # ----------------------------------------------------------------- users

    def add_user(self, user_id: str, name: str = "Иван Петров", **fields: Any) -> User:
        """A Viber user the bot may write to (subscribed unless told otherwise)."""
        user = self.users.get(user_id) or User(user_id, name, **fields)
        for key, value in fields.items():
            setattr(user, key, value)
        self.users[user_id] = user
        return user

    def unsubscribe(self, user_id: str) -> None:
        self.add_user(user_id).subscribed = False

    def replied(self, user_id: str) -> None:
        """The user wrote to the bot: subscribed, and the 100-message counter starts again."""
        user = self.add_user(user_id)
        user.subscribed = True
        user.unanswered.clear()

    def next_token(self) -> int:
        self._next_token += 1
        return self._next_token

    # ----------------------------------------------------------------- failures on demand

    def fail_next(
        self,
        endpoint: str | None,
        status: int = 0,
        times: int = 1,
        message: str | None = None,
        http_status: int = 200,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` calls of `endpoint` (None: any) get this status (or, with status 0
        and http_status >= 400, an HTTP error without Viber's JSON)."""
        text = message or errors.NAMES.get(status, "generalError")
        self.failures.setdefault(endpoint or ANY, []).append(
            Failure(status, text, times, http_status, retry_after)
        )

    def fail_user(self, user_id: str, status: int, times: int | None = None) -> None:
        """Every send to this user (or the next `times`) gets this status."""
        self.user_failures[user_id] = Failure(status, errors.NAMES.get(status, ""), times)

    def delay_next(self, endpoint: str, seconds: float) -> None:
        """Hold the next call of `endpoint` this long (a client timeout meanwhile does not
        stop it: like Viber, the message is still delivered)."""
        self.delays[endpoint] = seconds

    def clear_failures(self) -> None:
        self.failures.clear()
        self.user_failures.clear()
        self.delays.clear()

    def _take_failure(self, endpoint: str) -> Failure | None:
        for key in (endpoint, ANY):
            pending = self.failures.get(key)
            if pending:
                failure = pending[0]
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        pending.pop(0)
                return failure
        return None

    # ----------------------------------------------------------------- inspection

    def sent(self, user_id: str | None = None) -> list[Sent]:
        return [s for s in self.delivered if user_id is None or s.receiver == user_id]

    def texts(self, user_id: str | None = None) -> list[str]:
        return [s.text for s in self.sent(user_id)]

    def calls_to(self, endpoint: str) -> list[Call]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def reset(self) -> None:
        self.calls.clear()
        self.delivered.clear()
        self.clear_failures()
        for user in self.users.values():
            user.unanswered.clear()

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        raw = await request.read()
        call = Call(endpoint, {}, dict(request.headers), len(raw), self.clock())
        self.calls.append(call)
        if delay := self.delays.pop(endpoint, None):
            await asyncio.sleep(delay)
        try:
            answer = await self._answer(endpoint, raw, call, request.headers.get(AUTH_HEADER))
            call.status = 0
            body: dict[str, Any] = {"status": 0, "status_message": "ok", **answer}
        except ViberError as error:
            call.status = error.status
            body = {"status": error.status, "status_message": error.message}
        except HttpFailure as http:
            call.http_status = http.status
            headers = {"Retry-After": str(http.retry_after)} if http.retry_after else None
            return web.Response(status=http.status, text="injected failure", headers=headers)
        except Exception:  # a bug of the fake: answer like a general error, keep the trace
            self.internal_errors.append(traceback.format_exc())
            call.status = 99
            body = {"status": 99, "status_message": "generalError"}
        call.response = body
        return web.Response(
            text=json.dumps(body, ensure_ascii=False), content_type="application/json"
        )

    async def _answer(
        self, endpoint: str, raw: bytes, call: Call, header_token: str | None
    ) -> dict[str, Any]:
        try:
            body = json.loads(raw)
        except ValueError:
            raise ViberError(errors.BAD_DATA, "failed to parse the request JSON") from None
        if not isinstance(body, dict):
            raise ViberError(errors.BAD_DATA, "the request must be a JSON object")
        call.body = body
        token = header_token if header_token is not None else body.get("auth_token")
        if not token:
            raise ViberError(errors.INVALID_AUTH_TOKEN, errors.MISSING_AUTH_TOKEN)
        if token != self.token:
            raise ViberError(errors.INVALID_AUTH_TOKEN)
        if failure := self._take_failure(endpoint):
            if failure.http_status >= 400:
                raise HttpFailure(failure.http_status, failure.retry_after)
            raise ViberError(failure.status, failure.message)
        if endpoint == "send_message":
            check_message(body)
            if body.get("type") in ("picture", "file"):
                await self._download(body)
            return self._send_message(body, call.size)
        if endpoint == "set_webhook":
            return await self._set_webhook(body)
        if endpoint == "get_account_info":
            return self._account_info()
        raise ViberError(errors.BAD_DATA, f"unknown endpoint {endpoint}")  # unverified

    def _send_message(self, body: dict[str, Any], size: int) -> dict[str, Any]:
        check_size(size)
        check_message(body)
        if not self.webhook.url:
            raise ViberError(errors.WEBHOOK_NOT_SET)
        receiver = body["receiver"]
        user = self.users.get(receiver)
        if user is None:
            raise ViberError(errors.RECEIVER_NOT_REGISTERED)
        if not user.subscribed:
            raise ViberError(errors.RECEIVER_NOT_SUBSCRIBED)
        if failure := self.user_failures.get(receiver):
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self.user_failures[receiver]
            raise ViberError(failure.status, failure.message or None)
        now = self.clock()
        user.unanswered = [at for at in user.unanswered if now - at < HOUR]
        if len(user.unanswered) >= self.unanswered_limit:
            raise ViberError(errors.TOO_MANY_REQUESTS)
        user.unanswered.append(now)
        token = self.next_token()
        self.delivered.append(Sent(receiver, body, token))
        return {"message_token": token, "chat_hostname": "SN-CHAT-01_"}

    async def _download(self, body: dict[str, Any]) -> None:
        """Viber takes a picture or file from its URL: fetched here, and refused when it
        cannot be had or is not what the message says (status 3; the texts unverified)."""
        url = body["media"]
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                found = (response.status, response.content_type, await response.read())
        except aiohttp.ClientError as exc:
            raise ViberError(errors.BAD_DATA, f"media could not be downloaded: {exc}") from None
        self.downloads[url] = found
        status, content_type, data = found
        if status != 200:
            raise ViberError(errors.BAD_DATA, f"media could not be downloaded ({status})")
        if body["type"] == "picture":
            decodable = data.startswith(IMAGE_SIGNATURES)  # Viber makes a thumbnail of it
            if content_type not in PICTURE_TYPES or not decodable or len(data) > PICTURE_MAX_BYTES:
                raise ViberError(errors.BAD_DATA, "picture must be a JPEG, PNG or GIF of 1 MB")
        elif len(data) > FILE_MAX_BYTES or body["size"] != len(data):
            raise ViberError(errors.BAD_DATA, "file size does not match or is over 50 MB")

    async def _set_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        url = body.get("url")
        if not isinstance(url, str):
            raise ViberError(errors.MISSING_DATA, "url is missing")  # unverified text
        event_types = body.get("event_types", list(EVENT_TYPES))
        if not isinstance(event_types, list) or any(e not in EVENT_TYPES for e in event_types):
            raise ViberError(errors.BAD_DATA, "event_types must be a list of callback types")
        if url == "":  # Viber's way to remove the webhook
            self.webhook = Webhook()
            return {}
        if self.require_https and not url.startswith("https://"):
            raise ViberError(errors.INVALID_URL)
        # Viber checks the address at once with a signed `webhook` callback; it needs a 200.
        status = await self._check_webhook(url)
        if status != 200:
            raise ViberError(errors.INVALID_URL, f"Result[HttpResponse({status})]")  # unverified
        self.webhook = Webhook(
            url, list(event_types), bool(body.get("send_name")), bool(body.get("send_photo"))
        )
        return {"event_types": list(event_types)}

    async def _check_webhook(self, url: str) -> int:
        callback = {
            "event": "webhook",
            "timestamp": int(time.time() * 1000),
            "chat_hostname": "SN-CHAT-01_",
            "message_token": self.next_token(),
        }
        data = json.dumps(callback).encode()
        headers = {SIGNATURE_HEADER: sign(self.token, data), "Content-Type": "application/json"}
        status = 0
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            timeout = aiohttp.ClientTimeout(total=5)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, data=data, headers=headers) as response,
            ):
                status = response.status
        self.webhook_checks.append((url, status))
        return status

    def _account_info(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "name": ACCOUNT_NAME,
            "uri": "energosbyt",
            "icon": "https://media-direct.cdn.viber.com/pg_download?id=icon",
            "background": "https://media-direct.cdn.viber.com/pg_download?id=background",
            "category": "Utilities",
            "subcategory": "Electricity",
            "location": {"lon": 56.2294, "lat": 58.0105},
            "country": "RU",
            "webhook": self.webhook.url,
            "event_types": self.webhook.event_types,
            "subscribers_count": sum(1 for u in self.users.values() if u.subscribed),
            "members": [{"id": "01234567890A=", "name": "Admin", "role": "admin"}],
        }
