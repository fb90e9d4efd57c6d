"""FakeVk: the VK API methods the bot uses, on 127.0.0.1, answering like VK.

`POST /method/<name>` with form fields (or a query string), the community token as
`access_token` or `Authorization: Bearer`, `v` required; HTTP 200 with `{"response": ...}` or
`{"error": {"error_code", "error_msg", "request_params"}}`. messages.send is validated
(checks.py), sends once per random_id (a repeated one answers the first message's id and
delivers nothing), refuses users who denied messages (901) and answers error 6 past 20 requests
a second. Failures, delays and HTTP errors on demand; every call recorded.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.serving import Served
from tests.fakes.vk import errors
from tests.fakes.vk.checks import check_send, integer
from tests.fakes.vk.errors import VkError
from tests.fakes.vk.models import (
    API_VERSION,
    CONFIRMATION,
    FIRST_MESSAGE_ID,
    GROUP_ID,
    GROUP_NAME,
    SECRET,
    TOKEN,
    Call,
    Failure,
    Press,
    Sent,
    User,
)
from tests.fakes.vk.uploads import Uploads

ANY = "*"
RATE_PER_SECOND = 20  # a community token's requests per second
EVENT_ANSWER = "messages.sendMessageEventAnswer"


class HttpFailure(Exception):
    """An injected HTTP-level error (a proxy's 502, a 429): no VK JSON at all."""

    def __init__(self, status: int, retry_after: int | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


class FakeVk(Served):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        group_id: int = GROUP_ID,
        secret: str = SECRET,
        confirmation: str = CONFIRMATION,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        rate_per_second: int = RATE_PER_SECOND,
    ) -> None:
        self.token = token
        self.group_id = group_id
        self.secret = secret
        self.confirmation = confirmation
        self.api_version = API_VERSION
        self.host = host
        self.clock = clock
        self.rate_per_second = rate_per_second
        self.bot_features = True  # Manage → Messages → Bot settings: keyboards allowed
        self.manage = True  # the token may read the Callback API settings
        self.users: dict[int, User] = {}
        self.calls: list[Call] = []
        self.delivered: list[Sent] = []
        self.presses: dict[str, Press] = {}
        self.servers: list[dict[str, Any]] = []  # groups.getCallbackServers items
        self.failures: dict[str, list[Failure]] = {}
        self.delays: dict[str, float] = {}
        self.internal_errors: list[str] = []  # bugs of the fake itself, never expected
        self._random_ids: dict[int, int] = {}  # random_id → the message id it sent
        self._accepted: list[float] = []  # times of answered calls, for the rate limit
        self._next_message_id = FIRST_MESSAGE_ID
        self._next_event = 0
        self.uploads = Uploads(group_id)  # files for messages: upload servers, saved items

    # ----------------------------------------------------------------- lifecycle

    base_path = "/method"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=210 * 1024 * 1024)  # documents: 200 MB
        app.router.add_route("*", "/method/{method}", self._handle)
        app.router.add_post("/upload/{kind}/{token}", self.uploads.receive)
        return app

    async def start(self) -> str:
        url = await super().start()
        self.uploads.base_url = url
        return url

    # ----------------------------------------------------------------- users and ids

    def add_user(self, user_id: int, **fields: Any) -> User:
        """A VK user who wrote to the community (so it may answer them)."""
        user = self.users.get(user_id) or User(user_id)
        for key, value in fields.items():
            setattr(user, key, value)
        self.users[user_id] = user
        return user

    def deny(self, user_id: int) -> None:
        """The user pressed «forbid messages»: sends to them get error 901."""
        self.add_user(user_id).allowed = False

    def allow(self, user_id: int) -> None:
        self.add_user(user_id).allowed = True

    def next_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id

    def next_event_id(self) -> str:
        """A Callback API event_id: 40 hex digits, as VK's."""
        self._next_event += 1
        return f"{self._next_event:040x}"

    def press(self, user_id: int) -> Press:
        """A callback button's press to send as message_event (answerable once)."""
        self._next_event += 1
        press = Press(f"{self._next_event:012x}", user_id, user_id)
        self.presses[press.event_id] = press
        return press

    # ----------------------------------------------------------------- failures on demand

    def fail_next(
        self,
        method: str | None,
        code: int = 0,
        times: int | None = 1,
        detail: str = "",
        http_status: int = 200,
        retry_after: int | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` calls of `method` (None: any; times None: every one) get this error
        code (or, with code 0 and http_status >= 400, an HTTP error without VK's JSON), once
        `after` more calls have gone through."""
        self.failures.setdefault(method or ANY, []).append(
            Failure(code, detail, times, http_status, retry_after, after)
        )

    def delay_next(self, method: str, seconds: float) -> None:
        """Hold the next call of `method` this long (a client timeout meanwhile does not stop
        it: like VK, the message is still sent)."""
        self.delays[method] = seconds

    def clear_failures(self) -> None:
        self.failures.clear()
        self.delays.clear()

    def _take_failure(self, method: str) -> Failure | None:
        for key in (method, ANY):
            pending = self.failures.get(key)
            if pending:
                failure = pending[0]
                if failure.after > 0:
                    failure.after -= 1
                    return None
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        pending.pop(0)
                return failure
        return None

    # ----------------------------------------------------------------- inspection

    def sent(self, user_id: int | str | None = None) -> list[Sent]:
        return [s for s in self.delivered if user_id is None or s.peer_id == int(user_id)]

    def texts(self, user_id: int | str | None = None) -> list[str]:
        return [s.text for s in self.sent(user_id)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def reset(self) -> None:
        self.calls.clear()
        self.delivered.clear()
        self.clear_failures()
        self._accepted.clear()

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].removesuffix(".json")
        params = dict(request.query)
        if request.method == "POST":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        call = Call(method, params, dict(request.headers), self.clock())
        self.calls.append(call)
        if delay := self.delays.pop(method, None):
            await asyncio.sleep(delay)
        try:
            call.response = await self._answer(method, params, call, request.headers)
            body: dict[str, Any] = {"response": call.response}
        except VkError as error:
            call.error_code = error.code
            request_params = [
                {"key": k, "value": v} for k, v in params.items() if k != "access_token"
            ]
            body = {
                "error": {
                    "error_code": error.code,
                    "error_msg": error.message,
                    "request_params": [{"key": "method", "value": method}, *request_params],
                }
            }
        except HttpFailure as http:
            call.http_status = http.status
            headers = {"Retry-After": str(http.retry_after)} if http.retry_after else None
            return web.Response(status=http.status, text="injected failure", headers=headers)
        except Exception:  # a bug of the fake: answer like VK's internal error, keep the trace
            self.internal_errors.append(traceback.format_exc())
            call.error_code = errors.INTERNAL
            body = {"error": {"error_code": errors.INTERNAL, "error_msg": "Internal server error"}}
        return web.Response(
            text=json.dumps(body, ensure_ascii=False), content_type="application/json"
        )

    async def _answer(self, method: str, params: dict[str, str], call: Call, headers: Any) -> Any:
        self._authorize(params, headers)
        if not params.get("v"):
            raise VkError(errors.INVALID_REQUEST)
        now = self.clock()
        self._accepted = [at for at in self._accepted if now - at < 1.0]
        if self.rate_per_second and len(self._accepted) >= self.rate_per_second:
            raise VkError(errors.TOO_MANY)
        self._accepted.append(now)
        if failure := self._take_failure(method):
            if failure.http_status >= 400:
                raise HttpFailure(failure.http_status, failure.retry_after)
            raise VkError(failure.code, failure.detail)
        if method == "messages.send":
            return self._send(params, call)
        if method == "photos.getMessagesUploadServer":
            return self.uploads.server("photo", params)
        if method == "docs.getMessagesUploadServer":
            return self.uploads.server("doc", params)
        if method == "photos.saveMessagesPhoto":
            return self.uploads.save_photo(params)
        if method == "docs.save":
            return self.uploads.save_doc(params)
        if method == EVENT_ANSWER:
            return self._event_answer(params)
        if method == "groups.getById":
            return self._group(params)
        if method == "groups.getCallbackConfirmationCode":
            self._may_manage(params)
            return {"code": self.confirmation}
        if method == "groups.getCallbackServers":
            self._may_manage(params)
            return {"count": len(self.servers), "items": self.servers}
        raise VkError(errors.UNKNOWN_METHOD)

    def _authorize(self, params: dict[str, str], headers: Any) -> None:
        bearer = headers.get("Authorization", "")
        token = params.get("access_token") or bearer.removeprefix("Bearer ").strip()
        if not token:
            raise VkError(errors.AUTH, "no access_token passed.")  # VK's words
        if token != self.token:
            raise VkError(errors.AUTH)

    def _send(self, params: dict[str, str], call: Call) -> int:
        peer, random_id, message, keyboard = check_send(params)
        self.uploads.check(params.get("attachment", ""))
        if keyboard is not None and not self.bot_features:
            raise VkError(errors.BOT_FEATURES_OFF)
        user = self.users.get(peer)
        if user is None or not user.allowed:
            raise VkError(errors.DENY_SEND)
        if random_id != 0 and random_id in self._random_ids:
            # VK sends a message once per random_id: the retry gets the first one's id.
            call.repeated = True
            return self._random_ids[random_id]
        message_id = self.next_message_id()
        if random_id != 0:
            self._random_ids[random_id] = message_id
        self.delivered.append(Sent(peer, message, keyboard, random_id, message_id, params))
        return message_id

    def _event_answer(self, params: dict[str, str]) -> int:
        event_id = params.get("event_id", "")
        user_id = integer(params, "user_id")
        peer_id = integer(params, "peer_id")
        press = self.presses.get(event_id)
        if press is None or (press.user_id, press.peer_id) != (user_id, peer_id):
            raise VkError(errors.PARAM, "event_id is invalid")  # unverified text
        press.answers.append(dict(params))
        return 1

    def _group(self, params: dict[str, str]) -> dict[str, Any]:
        asked = params.get("group_id") or params.get("group_ids") or str(self.group_id)
        if asked.split(",")[0] != str(self.group_id):
            raise VkError(errors.ACCESS)  # a community token sees its own community
        group = {"id": self.group_id, "name": GROUP_NAME, "screen_name": "energosbyt_perm"}
        return {"groups": [group], "profiles": []}

    def _may_manage(self, params: dict[str, str]) -> None:
        if not self.manage:
            raise VkError(errors.ACCESS, "the token has no manage permission")
        if params.get("group_id") != str(self.group_id):
            raise VkError(errors.ACCESS)

    def register_server(self, url: str, status: str = "ok") -> None:
        """A Callback API server as the community's settings show it."""
        self.servers.append(
            {
                "id": len(self.servers) + 1,
                "title": "energobot",
                "creator_id": 1,
                "url": url,
                "secret_key": self.secret,
                "status": status,
            }
        )
