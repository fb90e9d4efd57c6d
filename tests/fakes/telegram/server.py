"""FakeTelegram: a Bot API server on 127.0.0.1 that answers, checks and records like Telegram.

Use it through aiogram's real client (`TelegramAPIServer.from_base(fake.base_url)`) or plain
HTTP. Everything a test needs to steer or inspect is an attribute or method of FakeTelegram;
the method handlers live in `methods.py` and `polling.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web

from tests.fakes.serving import Served
from tests.fakes.telegram import errors
from tests.fakes.telegram.errors import ApiError
from tests.fakes.telegram.limits import RateLimiter
from tests.fakes.telegram.media import MAX_UPLOAD
from tests.fakes.telegram.methods import HANDLERS as MESSAGE_HANDLERS
from tests.fakes.telegram.models import (
    TOKEN,
    Call,
    Chat,
    Delay,
    Described,
    Failure,
    Sent,
    Throttle,
    Webhook,
)
from tests.fakes.telegram.polling import HANDLERS as POLLING_HANDLERS
from tests.fakes.telegram.wire import WireRequest, read_request

HANDLERS = {**MESSAGE_HANDLERS, **POLLING_HANDLERS}
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: errors.UNAUTHORIZED,
    403: errors.BLOCKED,
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
ANY_METHOD = "*"


class FakeTelegram(Served):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rate_limits: bool = True,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        global_rate: float = 30.0,
        callback_ttl: float | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.host, self.port = host, port
        self.clock = clock  # monotonic seconds: rate limits and Call.at
        self.wall_clock = wall_clock  # unix time: Message.date
        self.rate_limits = rate_limits
        # The lambda reads self.clock each time, so a test may swap the clock after start.
        self.limits = RateLimiter(
            lambda: self.clock(),
            chat_rate=chat_rate,
            chat_burst=chat_burst,
            global_rate=global_rate,
        )
        # Telegram does not publish how long a query stays answerable; None: until answered.
        self.callback_ttl = callback_ttl

        self.chats: dict[int, Chat] = {}
        self.calls: list[Call] = []
        self.delivered: list[Sent] = []
        self.throttled: list[Throttle] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        # Every bot message Telegram would know, by (chat id, message id): what edits act on.
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook = Webhook()
        self.internal_errors: list[str] = []  # bugs of the fake itself, never expected

        self.callbacks: dict[str, float] = {}  # answerable query id -> clock() when it arrived
        self.failures: dict[str, list[Failure]] = {}
        self.chat_failures: dict[int, Failure] = {}
        self.delays: dict[str, list[Delay]] = {}
        # getUpdates state: the queue, the last id given out, the waiting long polls.
        self.updates: list[dict[str, Any]] = []
        self.last_update_id = 0
        self.poll_allowed: list[str] | None = None
        self.poll_generation = 0
        self.waiters: set[asyncio.Future[None]] = set()

        self._closing: asyncio.Event | None = None

    # ----------------------------------------------------------------- lifecycle

    def make_app(self) -> web.Application:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    def before_stop(self) -> None:
        if self._closing is not None:
            self._closing.set()  # ends delays and long polls at once
        self.wake_polls()

    @property
    def closing(self) -> bool:
        return self._closing is not None and self._closing.is_set()

    async def pause(self, seconds: float) -> None:
        """Sleep that ends early when the fake stops."""
        if self._closing is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ----------------------------------------------------------------- chats

    def add_chat(
        self,
        chat_id: int,
        first_name: str | None = "Иван",
        username: str | None = None,
        *,
        type: str = "private",
        title: str | None = None,
        last_name: str | None = None,
        started: bool = True,
    ) -> Chat:
        """A chat the bot may write to (a private one: a user who pressed Start)."""
        private = type == "private"
        chat = Chat(
            id=chat_id,
            type=type,
            first_name=first_name if private else None,
            last_name=last_name if private else None,
            username=username,
            title=title if not private else None,
            started=started,
        )
        if chat_id in self.chats:  # keep the message counter of a chat added twice
            chat.next_message_id = self.chats[chat_id].next_message_id
            chat.blocked = self.chats[chat_id].blocked
        self.chats[chat_id] = chat
        return chat

    def find_chat(self, chat_id: Any) -> Chat | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            return next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        return None

    def block(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = False

    def _chat(self, chat_id: int) -> Chat:
        if chat_id not in self.chats:
            raise KeyError(f"FakeTelegram: chat {chat_id} was never added (add_chat first)")
        return self.chats[chat_id]

    def expect_callback(self, query_id: str) -> None:
        """A callback query the bot is now expected to answer (as if Telegram had sent it)."""
        self.callbacks[query_id] = self.clock()

    def remember_message(
        self, chat_id: int, message_id: int, reply_markup: dict[str, Any] | None = None
    ) -> None:
        """A bot message sent before the test began (a button pressed on it can edit it);
        it is not counted as delivered."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "chat": chat.as_dict(),
            "date": int(self.wall_clock()),
        }
        if reply_markup:
            message["reply_markup"] = reply_markup
        self.messages[(chat_id, message_id)] = message
        chat.next_message_id = max(chat.next_message_id, message_id + 1)

    # ----------------------------------------------------------------- configuration

    @property
    def chat_rate(self) -> float:
        return self.limits.chat_rate

    @chat_rate.setter
    def chat_rate(self, value: float) -> None:
        self.limits.chat_rate = value
        self.limits.reset()

    @property
    def chat_burst(self) -> int:
        return self.limits.chat_burst

    @chat_burst.setter
    def chat_burst(self, value: int) -> None:
        self.limits.chat_burst = value
        self.limits.reset()

    @property
    def global_rate(self) -> float:
        return self.limits.global_rate

    @global_rate.setter
    def global_rate(self, value: float) -> None:
        self.limits.global_rate = value
        self.limits.reset()

    # ----------------------------------------------------------------- failures on demand

    def fail_next(
        self,
        method: str | None,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` (None: of any method) get this error answer."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
            )
        key = (method or ANY_METHOD).lower()
        self.failures.setdefault(key, []).append(Failure(status, description, times, retry_after))

    def delay_next(self, method: str | None, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds` before handling them.

        A client that times out meanwhile does not stop the call: like Telegram, the fake still
        delivers it, which is exactly the case a retrying sender must survive.
        """
        self.delays.setdefault((method or ANY_METHOD).lower(), []).append(Delay(seconds, times))

    def fail_chat(
        self,
        chat_id: int,
        status: int = 403,
        description: str = errors.BLOCKED,
        times: int | None = None,
    ) -> None:
        """Every send to this chat (or the next `times`) fails with this error."""
        self.chat_failures[chat_id] = Failure(status, description, times)

    def clear_failures(self) -> None:
        self.failures.clear()
        self.chat_failures.clear()
        self.delays.clear()

    @staticmethod
    def _take(queue: dict[str, list[Any]], method: str) -> Any:
        for key in (method, ANY_METHOD):
            pending = queue.get(key)
            if pending:
                item = pending[0]
                if item.times is not None:
                    item.times -= 1
                    if item.times <= 0:
                        pending.pop(0)
                return item
        return None

    def chat_failure(self, chat_id: int) -> Failure | None:
        failure = self.chat_failures.get(chat_id)
        if failure is not None and failure.times is not None:
            failure.times -= 1
            if failure.times <= 0:
                del self.chat_failures[chat_id]
        return failure

    def throttle(self, method: str, chat: Chat) -> None:
        """Raise Telegram's 429 when this send would break a flood limit; else count it."""
        if not self.rate_limits:
            return
        verdict = self.limits.admit(chat.id, group=chat.group)
        if verdict is not None:
            self.throttled.append(
                Throttle(method, chat.id, verdict.scope, verdict.retry_after, self.clock())
            )
            raise errors.too_many_requests(verdict.retry_after)

    # ----------------------------------------------------------------- updates for getUpdates

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is given when it has none)."""
        update = dict(update)
        if not isinstance(update.get("update_id"), int):
            update["update_id"] = self.last_update_id + 1
        self.last_update_id = max(self.last_update_id, update["update_id"])
        self.updates.append(update)
        self.wake_polls()
        return update

    def wake_polls(self) -> None:
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()

    # ----------------------------------------------------------------- inspection

    def sent(self, chat_id: int | None = None) -> list[Sent]:
        """Messages delivered (sendMessage, sendDocument, sendPhoto), in order."""
        return [s for s in self.delivered if chat_id is None or s.chat_id == chat_id]

    def texts(self, chat_id: int | None = None, *, raw: bool = False) -> list[str]:
        """Texts of delivered sendMessage calls as the user sees them (raw=True: as sent)."""
        return [
            (s.text if raw else s.plain_text) or ""
            for s in self.sent(chat_id)
            if s.method == "sendMessage" and "text" in s.params
        ]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for(
        self,
        until: int | Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - polling with a deadline is the point
        *,
        chat_id: int | None = None,
    ) -> list[Sent]:
        """Wait until `until` messages were delivered (to chat_id), or a predicate holds."""
        if isinstance(until, int):
            count = until

            def check() -> bool:
                return len(self.sent(chat_id)) >= count

            what = f"{count} delivered message(s)" + (f" to chat {chat_id}" if chat_id else "")
        else:
            check, what = until, getattr(until, "__name__", repr(until))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() >= deadline:
                raise AssertionError(
                    f"FakeTelegram: waited {timeout}s for {what}; "
                    f"delivered {len(self.sent(chat_id))}: {self.texts(chat_id)[-5:]!r}; "
                    f"last calls: {[(c.method, c.status) for c in self.calls[-5:]]}"
                )
            await asyncio.sleep(0.01)
        return self.sent(chat_id)

    def reset(self) -> None:
        """Forget what happened (calls, messages, 429s, answers, failures, buckets); keep chats."""
        self.calls.clear()
        self.delivered.clear()
        self.throttled.clear()
        self.answered_callbacks.clear()
        self.edits.clear()
        self.messages.clear()
        self.clear_failures()
        self.limits.reset()

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, {}, self.clock())
        self.calls.append(call)
        try:
            wire = await self._read(request)
            call.params, call.files, call.filenames = wire.params, wire.files, wire.filenames
            call.encoding = wire.encoding
            body = await self._answer(request.match_info["token"], method.lower(), call)
            status = 200
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception:  # a bug of the fake: answer like Telegram's 500, keep the trace
            self.internal_errors.append(traceback.format_exc())
            status = 500
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        call.status, call.response = status, body
        return web.json_response(body, status=status, dumps=partial(json.dumps, ensure_ascii=False))

    @staticmethod
    async def _read(request: web.Request) -> WireRequest:
        try:
            return await read_request(request)
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, errors.TOO_LARGE) from None

    async def _answer(self, token: str, method: str, call: Call) -> dict[str, Any]:
        if token != self.token:
            raise ApiError(401, errors.UNAUTHORIZED)
        handler = HANDLERS.get(method)
        if handler is None:
            raise ApiError(404, errors.METHOD_NOT_FOUND)
        if delay := self._take(self.delays, method):
            await self.pause(delay.seconds)
        if failure := self._take(self.failures, method):
            parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
            raise ApiError(failure.status, failure.description, parameters)
        result = await handler(self, call)
        if isinstance(result, Described):
            return {"ok": True, "result": result.result, "description": result.description}
        return {"ok": True, "result": result}
