"""FakeMax: the MAX Bot API on 127.0.0.1, answering, checking and recording like MAX.

POST /messages?user_id= (NewMessageBody checked against the limits), POST /answers?callback_id=,
GET/POST/DELETE /subscriptions, GET /updates (long polling with a marker), POST /uploads and
the upload host, GET /me. The token only in the Authorization header (401 verify.token
otherwise); 2 requests per second to one chat and 30 per second overall (429 past them); a user
who stopped the bot gets 403 chat.denied, one who never started it 404 chat.not.found
("dialog.not.found"); failures on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.max import errors
from tests.fakes.max.checks import check_answer, check_message, check_subscription
from tests.fakes.max.errors import MaxError, bad
from tests.fakes.max.models import (
    BOT_ID,
    BOT_NAME,
    FIRST_SEQ,
    TOKEN,
    Answer,
    Call,
    Failure,
    Pending,
    Sent,
    Subscription,
    Upload,
    User,
)
from tests.fakes.serving import Served

ANY = "*"
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")
POLL_LIMIT_MAX = 1000
POLL_TIMEOUT_MAX = 90


class FakeMax(Served):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        chat_rate: int = 2,  # requests to one chat per window (messages and answers)
        global_rate: int = 30,  # requests per window, the bot's
        window: float = 1.0,
        require_https: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.clock = clock
        self.chat_rate = chat_rate
        self.global_rate = global_rate
        self.window = window
        self.require_https = require_https
        self.users: dict[str, User] = {}
        self.calls: list[Call] = []
        self.delivered: list[Sent] = []
        self.channel_posts: dict[str, list[dict[str, Any]]] = {}  # chat id → posted bodies
        self.answers: list[Answer] = []
        self.subscriptions: list[Subscription] = []
        self.uploads: dict[str, Upload] = {}
        self.callbacks: dict[str, str] = {}  # callback_id → user_id, as issued to presses
        self.failures: dict[str, list[Failure]] = {}
        self.not_ready_sends = 0  # a new upload is "still processing" for this many sends
        self.upload_max_bytes = 4 * 1024**3  # tests lower it to see a refused upload
        self.internal_errors: list[str] = []  # bugs of the fake itself, never expected
        self.pending: list[Pending] = []  # for GET /updates
        self.polls = 0
        self._next_seq = FIRST_SEQ
        self._next_marker = 1
        self._arrived = asyncio.Event()
        self._chat_times: dict[str, deque[float]] = {}
        self._all_times: deque[float] = deque()

    # ----------------------------------------------------------------- lifecycle

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/upload/{kind}/{token}", self._upload_host)
        app.router.add_route("*", "/{path:.*}", self._handle)
        return app

    def before_stop(self) -> None:
        self._arrived.set()  # long polls still waiting answer now

    # ----------------------------------------------------------------- users and updates

    def add_user(self, user_id: str | int, **fields: Any) -> User:
        """A MAX user who started the bot (so it may write to them)."""
        key = str(user_id)
        user = self.users.get(key) or User(key)
        for name, value in fields.items():
            setattr(user, name, value)
        self.users[key] = user
        return user

    def block(self, user_id: str | int) -> None:
        """The user stopped the bot: sends to them get 403 chat.denied."""
        self.add_user(user_id).blocked = True

    def unblock(self, user_id: str | int) -> None:
        self.add_user(user_id).blocked = False

    def next_seq(self) -> int:
        self._next_seq += 1
        return self._next_seq

    def next_mid(self) -> str:
        return f"mid.{self.next_seq():032x}"

    def push_update(self, update: dict[str, Any]) -> None:
        """An update for GET /updates (long polling)."""
        self.pending.append(Pending(self._next_marker, update))
        self._next_marker += 1
        self._arrived.set()

    # ----------------------------------------------------------------- failures on demand

    def fail_next(
        self,
        path: str | None,
        status: int,
        code: str = errors.INTERNAL,
        message: str = "injected failure",
        *,
        times: int | None = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` calls of `path` (None: any) get this error (None: every call)."""
        self.failures.setdefault(path or ANY, []).append(
            Failure(status, code, message, times, retry_after)
        )

    def clear_failures(self) -> None:
        self.failures.clear()

    def _take_failure(self, path: str) -> Failure | None:
        for key in (path, ANY):
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

    def sent(self, user_id: str | int | None = None) -> list[Sent]:
        return [s for s in self.delivered if user_id is None or s.user_id == str(user_id)]

    def texts(self, user_id: str | int | None = None) -> list[str]:
        return [s.text for s in self.sent(user_id)]

    def calls_to(self, path: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.path == path and (method is None or c.method == method)]

    def answered(self, callback_id: str) -> list[Answer]:
        return [a for a in self.answers if a.callback_id == callback_id]

    def reset(self) -> None:
        self.calls.clear()
        self.delivered.clear()
        self.answers.clear()
        self.clear_failures()

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"].strip("/")
        raw = await request.read()
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        call = Call(
            request.method,
            path,
            dict(request.query),
            body,
            dict(request.headers),
            self.clock(),
        )
        self.calls.append(call)
        try:
            self._authorize(request)
            if failure := self._take_failure(path):
                raise MaxError(
                    failure.status,
                    failure.code,
                    failure.message,
                    retry_after=failure.retry_after,
                )
            answer = await self._answer(request.method, path, call, raw)
            status = 200
        except MaxError as error:
            status, answer = error.status, error.body()
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
            call.status, call.response = status, answer
            return web.json_response(answer, status=status, headers=headers)
        except Exception:  # a bug of the fake: answer like MAX's 500, keep the trace
            self.internal_errors.append(traceback.format_exc())
            status, answer = 500, {"code": errors.INTERNAL, "message": "fake failed"}
        call.status, call.response = status, answer
        return web.Response(
            text=json.dumps(answer, ensure_ascii=False),
            status=status,
            content_type="application/json",
        )

    def _authorize(self, request: web.Request) -> None:
        if "access_token" in request.query:
            # No longer accepted in the query: only the Authorization header.
            raise MaxError(401, errors.VERIFY_TOKEN, errors.INVALID_TOKEN_MESSAGE)
        given = request.headers.get("Authorization", "")
        if given != self.token:
            raise MaxError(401, errors.VERIFY_TOKEN, errors.INVALID_TOKEN_MESSAGE)

    async def _answer(self, method: str, path: str, call: Call, raw: bytes) -> Any:
        if raw and call.body is None:
            raise bad("the body is not JSON")
        route = (method, path)
        if route == ("POST", "/messages"):
            return self._send(call)
        if route == ("POST", "/answers"):
            return self._answer_callback(call)
        if path == "/subscriptions":
            return self._subscriptions(method, call)
        if route == ("GET", "/updates"):
            return await self._updates(call)
        if route == ("POST", "/uploads"):
            return self._upload_url(call)
        if route == ("GET", "/me"):
            return {"user_id": BOT_ID, "first_name": BOT_NAME, "is_bot": True, "name": BOT_NAME}
        raise MaxError(404, "not.found", f"no method {method} {path}")

    # ----------------------------------------------------------------- rates

    def _rate(self, user_id: str) -> None:
        """2 requests a second to one chat (messages, answers), 30 a second for the bot."""
        now = self.clock()
        for times, most in (
            (self._chat_times.setdefault(user_id, deque()), self.chat_rate),
            (self._all_times, self.global_rate),
        ):
            while times and now - times[0] >= self.window:
                times.popleft()
            if most and len(times) >= most:
                raise MaxError(429, errors.TOO_MANY, "Too many requests", retry_after=1)
        self._chat_times[user_id].append(now)
        self._all_times.append(now)

    # ----------------------------------------------------------------- methods

    def add_channel(self, chat_id: int) -> None:
        """A channel (or group chat) where the bot is an administrator and may post."""
        self.channel_posts[str(chat_id)] = []

    def _send(self, call: Call) -> dict[str, Any]:
        user_id = call.params.get("user_id")
        if call.params.get("chat_id") is not None and user_id is None:
            return self._post_to_chat(call)
        if user_id is None or not user_id.lstrip("-").isdigit():
            raise bad("user_id must be an integer")
        check_message(call.body)
        user = self.users.get(user_id)
        if user is None or not user.started:
            raise errors.no_dialog()  # a bot cannot write first
        if user.blocked:
            raise errors.denied(user_id)
        for attachment in call.body.get("attachments") or []:
            if attachment.get("type") in ("file", "image", "video", "audio"):
                self._ready(attachment["payload"], attachment["type"])
        self._rate(user_id)
        mid = self.next_mid()
        seq = self.next_seq()
        self.delivered.append(Sent(user_id, call.body, mid, call.at))
        now_ms = int(time.time() * 1000)
        message = {
            "sender": {"user_id": BOT_ID, "first_name": BOT_NAME, "is_bot": True, "name": BOT_NAME},
            "recipient": {
                "chat_id": -int(user_id) - 7,
                "chat_type": "dialog",
                "user_id": int(user_id),
            },
            "timestamp": now_ms,
            "body": {
                "mid": mid,
                "seq": seq,
                "text": call.body.get("text"),
                "attachments": call.body.get("attachments") or [],
            },
        }
        return {"message": message}

    def _post_to_chat(self, call: Call) -> dict[str, Any]:
        chat_id = str(call.params.get("chat_id"))
        if not chat_id.lstrip("-").isdigit():
            raise bad("chat_id must be an integer")
        check_message(call.body)
        if chat_id not in self.channel_posts:
            raise errors.no_dialog()  # not a chat the bot is in
        self._rate(chat_id)
        mid = self.next_mid()
        self.channel_posts[chat_id].append(call.body)
        recipient = {"chat_id": int(chat_id), "chat_type": "channel"}
        return {"message": {"recipient": recipient, "body": {"mid": mid, "seq": self.next_seq()}}}

    def _ready(self, payload: Any, kind: str) -> None:
        token = payload.get("token") if isinstance(payload, dict) else None
        upload = self.uploads.get(token) if isinstance(token, str) else None
        if upload is None or not upload.uploaded:
            raise bad("attachment token unknown")
        if upload.kind != kind:  # a token is good for the type it was uploaded as
            raise bad(f"attachment token is not of type {kind}")
        if upload.not_ready > 0:
            upload.not_ready -= 1
            raise MaxError(400, errors.NOT_READY, errors.NOT_READY_MESSAGE)

    def _answer_callback(self, call: Call) -> dict[str, Any]:
        callback_id = call.params.get("callback_id", "")
        if not callback_id.strip():
            raise bad("callback_id is required")
        check_answer(call.body)
        user_id = self.callbacks.get(callback_id)
        if user_id is None:
            raise MaxError(404, "not.found", "callback not found")  # unverified text
        self._rate(user_id)
        self.answers.append(Answer(callback_id, call.body, call.at))
        return {"success": True}

    def _subscriptions(self, method: str, call: Call) -> dict[str, Any]:
        if method == "GET":
            return {"subscriptions": [s.as_dict() for s in self.subscriptions]}
        if method == "POST":
            check_subscription(call.body, self.require_https)
            body = call.body
            self.subscriptions = [s for s in self.subscriptions if s.url != body["url"]]
            self.subscriptions.append(
                Subscription(
                    body["url"],
                    int(time.time() * 1000),
                    body.get("update_types"),
                    body.get("secret"),
                )
            )
            return {"success": True}
        if method == "DELETE":
            url = call.params.get("url")
            if not url:
                raise bad("url is required")
            before = len(self.subscriptions)
            self.subscriptions = [s for s in self.subscriptions if s.url != url]
            if len(self.subscriptions) == before:
                return {"success": False, "message": "subscription not found"}
            return {"success": True}
        raise MaxError(405, errors.NOT_ALLOWED, f"{method} /subscriptions is not allowed")

    async def _updates(self, call: Call) -> dict[str, Any]:
        if self.subscriptions:
            raise MaxError(
                405, errors.NOT_ALLOWED, "long polling is not available while a webhook is set"
            )
        self.polls += 1
        params = call.params
        limit = _int(params.get("limit"), 100, 1, POLL_LIMIT_MAX)
        timeout = _int(params.get("timeout"), 30, 0, POLL_TIMEOUT_MAX)
        types = [t for t in (params.get("types") or "").split(",") if t]
        marker = params.get("marker")
        if marker:
            if not marker.lstrip("-").isdigit():
                raise bad("marker must be an integer")
            # A marker confirms everything before it.
            self.pending = [p for p in self.pending if p.seq >= int(marker)]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if types:
                self.pending = [p for p in self.pending if p.update.get("update_type") in types]
            # MAX: without a marker, only the latest update.
            batch = self.pending[:limit] if marker else self.pending[-1:]
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or self._runner is None:
                break
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        next_marker = (
            batch[-1].seq + 1
            if batch
            else (self.pending[0].seq if self.pending else self._next_marker)
        )
        return {"updates": [p.update for p in batch], "marker": next_marker}

    def _upload_url(self, call: Call) -> dict[str, Any]:
        kind = call.params.get("type")
        if kind not in ("image", "video", "audio", "file"):
            raise bad("type must be image, video, audio or file")
        token = f"fAkEfIlE{len(self.uploads) + 1:06d}_{kind}"
        self.uploads[token] = Upload(token, kind, not_ready=self.not_ready_sends)
        return {"url": f"{self.base_url}/upload/{kind}/{token}"}

    async def _upload_host(self, request: web.Request) -> web.Response:
        """The upload host (fu.oneme.ru for files): multipart with the file in `data`."""
        token = request.match_info["token"]
        upload = self.uploads.get(token)
        if request.method != "POST" or upload is None or upload.uploaded:
            return web.json_response({"error": "unknown upload"}, status=400)
        try:
            form = await request.post()
        except Exception:
            return web.json_response({"error": "multipart expected"}, status=400)
        data = form.get("data")
        if not isinstance(data, web.FileField):
            return web.json_response({"error": "the file goes in the field data"}, status=400)
        content = data.file.read()
        if upload.kind == "image" and not content.startswith(IMAGE_SIGNATURES):
            # MAX's image host takes only pictures it can decode.
            return web.json_response({"error": "not an image"}, status=400)
        if len(content) > self.upload_max_bytes:
            return web.json_response({"error": "file is too big"}, status=413)
        upload.filename = data.filename or ""
        upload.content = content
        upload.uploaded = True
        if upload.kind == "image":
            # Images answer with the sizes made of them, each with its token.
            return web.json_response({"photos": {"fake_photo_id": {"token": token}}})
        return web.json_response({"token": token})


def _int(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or not value.lstrip("-").isdigit():
        return default
    return min(max(int(value), low), high)
