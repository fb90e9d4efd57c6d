"""FakeGraph: the Graph API endpoints the WhatsApp and Messenger channels use, on 127.0.0.1.

- POST /v23.0/{phone_number_id}/messages and /{phone_number_id}/media (WhatsApp Cloud API),
  GET /{phone_number_id} (the number's details);
- POST /me/messages (Messenger Send API, JSON or multipart with `filedata`),
  POST|GET|DELETE /me/messenger_profile and /me/subscribed_apps.

Every message is checked as the real API checks it (checks.py) and refused in Graph's error
shape; the 24-hour window is judged from the inbound times a test tells it (`wrote`); a
template goes only if a test approved it with its number of body placeholders (`approve`:
else 132001, or 132000 for a wrong count); rate limits and failures on demand; every call is
recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.fakes.graph import checks, errors
from tests.fakes.graph.errors import GraphRefusal
from tests.fakes.graph.models import (
    APP_ID,
    DISPLAY_PHONE,
    PAGE_ID,
    PAGE_TOKEN,
    PHONE_NUMBER_ID,
    VERSION,
    WHATSAPP_TOKEN,
    Bucket,
    Call,
    Failure,
    Profile,
    Sent,
)
from tests.fakes.serving import Served

WINDOW = 24 * 3600.0
HUMAN_AGENT_WINDOW = 7 * 24 * 3600.0


class FakeGraph(Served):
    def __init__(
        self,
        *,
        phone_number_id: str = PHONE_NUMBER_ID,
        whatsapp_token: str = WHATSAPP_TOKEN,
        page_token: str = PAGE_TOKEN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.whatsapp_token = whatsapp_token
        self.page_token = page_token
        self.clock = clock  # wall-clock seconds: windows, rate buckets, Sent.at
        self.calls: list[Call] = []
        self.delivered: list[Sent] = []
        self.refused: list[tuple[str, dict[str, Any]]] = []  # (error message, request body)
        self.truncated: list[str] = []  # Messenger quick-reply titles it had to cut
        self.last_inbound: dict[str, float] = {}  # recipient -> when they last wrote
        self.windows = True  # judge the 24-hour (and 7-day) windows
        self.blocked: set[str] = set()  # Messenger users who are "not available"
        # Approved templates: (name, language) -> the number of their body placeholders.
        self.templates: dict[tuple[str, str], int] = {}
        self.media: dict[str, tuple[str, str, bytes]] = {}  # uploaded id -> name, type, data
        self.failures: dict[str, list[Failure]] = {}
        self.pair_rate: tuple[float, int] | None = None  # WhatsApp: per recipient (rate, burst)
        self.throughput: tuple[float, int] | None = None  # WhatsApp: per number
        self.page_rate: tuple[float, int] | None = None  # Messenger: per page
        self._buckets: dict[str, Bucket] = {}
        self.profile = Profile()
        self.internal_errors: list[str] = []

    # ----------------------------------------------------------------- lifecycle

    base_path = f"/{VERSION}"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=110 * 1024 * 1024)  # WhatsApp documents: 100 MB
        app.router.add_route("*", f"/{VERSION}/{{path:.+}}", self._handle)
        return app

    # ----------------------------------------------------------------- steering

    def wrote(self, recipient: str, at: datetime | float | None = None) -> None:
        """The customer wrote to us at `at` (default now): their window opens."""
        if isinstance(at, datetime):
            at = at.timestamp()
        self.last_inbound[str(recipient)] = self.clock() if at is None else float(at)

    def approve(self, name: str, language: str, parameters: int = 0) -> None:
        """A template approved in WhatsApp Manager, with this many body placeholders."""
        self.templates[(name, language)] = parameters

    def fail(
        self,
        endpoint: str,
        code: int,
        *,
        subcode: int | None = None,
        status: int = 400,
        message: str = "",
        times: int = 1,
        details: str = "",
    ) -> None:
        """Answer the next `times` calls to `endpoint` (whatsapp | media | messenger | profile |
        subscribed_apps) with this Graph error."""
        failure = Failure(code, subcode, status, message or f"(#{code}) failure", times, details)
        self.failures.setdefault(endpoint, []).append(failure)

    def sent(self, recipient: str | None = None, platform: str | None = None) -> list[Sent]:
        return [
            s
            for s in self.delivered
            if (recipient is None or s.recipient == str(recipient))
            and (platform is None or s.platform == platform)
        ]

    def texts(self, recipient: str) -> list[str]:
        return [s.text for s in self.sent(recipient)]

    # ----------------------------------------------------------------- dispatch

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"].strip("/")
        authorization = request.headers.get("Authorization", "")
        body: dict[str, Any] = {}
        status = 500
        try:
            body = await _read(request)
            response = await self._route(request.method, path, body, authorization, request)
            status = response.status
            return response
        except GraphRefusal as refusal:
            status = refusal.status
            self.refused.append((refusal.message + " " + refusal.details, body))
            return web.json_response(refusal.body(), status=refusal.status)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            return web.json_response({"error": {"message": "fake failed", "code": 1}}, status=500)
        finally:
            self.calls.append(Call(request.method, path, status, body, authorization))

    async def _route(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        authorization: str,
        request: web.Request,
    ) -> web.Response:
        token = authorization.removeprefix("Bearer ").strip() or request.query.get(
            "access_token", ""
        )
        parts = path.split("/")
        if parts[0] == self.phone_number_id or (parts[0].isdigit() and len(parts) <= 2):
            if not secrets.compare_digest(token.encode(), self.whatsapp_token.encode()):
                raise errors.token_refused()
            if parts[0] != self.phone_number_id:
                raise GraphRefusal(
                    100,
                    f"Unsupported post request. Object with ID '{parts[0]}' does not exist",
                    subcode=33,
                    kind="GraphMethodException",
                )
            if len(parts) == 1 and method == "GET":
                return web.json_response(self._phone_info())
            if parts[1:] == ["messages"] and method == "POST":
                return self._whatsapp(body)
            if parts[1:] == ["media"] and method == "POST":
                return self._upload(body)
        elif parts[0] in ("me", PAGE_ID):
            if not secrets.compare_digest(token.encode(), self.page_token.encode()):
                raise errors.token_refused()
            if parts[1:] == ["messages"] and method == "POST":
                return self._messenger(body)
            if parts[1:] == ["messenger_profile"]:
                return self._profile(method, body, request)
            if parts[1:] == ["subscribed_apps"]:
                return self._subscribed_apps(method, body)
        raise GraphRefusal(
            100, f"Unknown path components: /{path}", kind="OAuthException", status=400
        )

    def _failure(self, endpoint: str) -> None:
        queue = self.failures.get(endpoint)
        if not queue:
            return
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        raise GraphRefusal(
            failure.code,
            failure.message,
            status=failure.status,
            subcode=failure.subcode,
            details=failure.details,
            whatsapp=endpoint in ("whatsapp", "media"),
        )

    def _take(self, key: str, limit: tuple[float, int] | None) -> bool:
        if limit is None:
            return True
        bucket = self._buckets.setdefault(key, Bucket(limit[0], limit[1]))
        return bucket.take(self.clock())

    def _within(self, recipient: str, window: float) -> bool:
        if not self.windows:
            return True
        wrote = self.last_inbound.get(recipient)
        return wrote is not None and self.clock() - wrote < window

    # ----------------------------------------------------------------- WhatsApp

    def _whatsapp(self, body: dict[str, Any]) -> web.Response:
        self._failure("whatsapp")
        recipient = checks.whatsapp_recipient(body)
        kind = checks.whatsapp_message(body, self.media)
        if kind == "template":
            checks.whatsapp_template(body, self.templates)  # allowed at any time once approved
        elif not self._within(recipient, WINDOW):
            raise errors.wa_window()
        if not self._take("wa-number", self.throughput):
            raise errors.wa_throughput()
        if not self._take(f"wa:{recipient}", self.pair_rate):
            raise errors.wa_pair_rate()
        wamid = "wamid.HBgL" + secrets.token_urlsafe(24)
        self.delivered.append(Sent("whatsapp", recipient, wamid, body, self.clock()))
        contact = {"input": body.get("to") or body.get("recipient"), "wa_id": recipient}
        if recipient.count(".") and not recipient.isdigit():
            contact = {"input": recipient, "user_id": recipient}
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        )

    def _upload(self, body: dict[str, Any]) -> web.Response:
        self._failure("media")
        file = checks.whatsapp_upload(body)
        media_id = str(1_000_000_000_000 + len(self.media))
        self.media[media_id] = file
        return web.json_response({"id": media_id})

    def _phone_info(self) -> dict[str, Any]:
        return {
            "verified_name": "Энергосбыт (test)",
            "display_phone_number": DISPLAY_PHONE,
            "quality_rating": "GREEN",
            "id": self.phone_number_id,
        }

    # ----------------------------------------------------------------- Messenger

    def _messenger(self, body: dict[str, Any]) -> web.Response:
        self._failure("messenger")
        recipient, messaging_type, tag = checks.messenger_message(body, self.truncated)
        if recipient in self.blocked:
            raise errors.fb_unavailable()
        if messaging_type == "MESSAGE_TAG" and tag == "HUMAN_AGENT":
            allowed = self._within(recipient, HUMAN_AGENT_WINDOW)
        elif messaging_type == "MESSAGE_TAG":
            allowed = True  # the other tags are not the subject here
        else:
            allowed = self._within(recipient, WINDOW)
        if not allowed:
            raise errors.fb_window()
        if not self._take("fb-page", self.page_rate):
            raise errors.fb_rate()
        mid = "m_" + secrets.token_urlsafe(30)
        self.delivered.append(Sent("messenger", recipient, mid, body, self.clock()))
        return web.json_response({"recipient_id": recipient, "message_id": mid})

    def _profile(self, method: str, body: dict[str, Any], request: web.Request) -> web.Response:
        self._failure("profile")
        fields = self.profile.fields
        if method == "POST":
            checks.messenger_profile(body, fields)
            fields.update(body)
            return web.json_response({"result": "success"})
        if method == "GET":
            wanted = [f for f in request.query.get("fields", "").split(",") if f]
            if not wanted:
                raise errors.invalid("The parameter fields is required")
            data = {f: fields[f] for f in wanted if f in fields}
            return web.json_response({"data": [data] if data else []})
        if method == "DELETE":
            for name in body.get("fields", []):
                fields.pop(name, None)
            return web.json_response({"result": "success"})
        raise errors.invalid(f"Unsupported {method} request")

    def _subscribed_apps(self, method: str, body: dict[str, Any]) -> web.Response:
        self._failure("subscribed_apps")
        if method == "POST":
            wanted = body.get("subscribed_fields")
            if isinstance(wanted, str):
                wanted = wanted.split(",")
            if not isinstance(wanted, list) or not wanted:
                raise errors.invalid("The parameter subscribed_fields is required")
            self.profile.subscribed_fields = [str(f) for f in wanted]
            return web.json_response({"success": True})
        if method == "GET":
            if not self.profile.subscribed_fields:
                return web.json_response({"data": []})
            app = {
                "category": "Business",
                "link": "https://energosbyt.example/",
                "name": "energobot",
                "id": APP_ID,
                "subscribed_fields": self.profile.subscribed_fields,
            }
            return web.json_response({"data": [app]})
        if method == "DELETE":
            self.profile.subscribed_fields = []
            return web.json_response({"success": True})
        raise errors.invalid(f"Unsupported {method} request")


async def _read(request: web.Request) -> dict[str, Any]:
    """JSON, a urlencoded or multipart form (files as (filename, content type, bytes)); the
    JSON-encoded fields of a Messenger upload decoded."""
    if request.method == "GET":
        return {}
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        form: dict[str, Any] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not hasattr(part, "read") or part.name is None:
                continue
            data = await part.read()  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                kind = part.headers.get("Content-Type", "application/octet-stream")
                form[part.name] = (part.filename, kind, bytes(data))  # type: ignore[union-attr]
            else:
                form[part.name] = _maybe_json(data.decode())
        return form
    raw = await request.read()
    if not raw:
        return {}
    if content_type == "application/x-www-form-urlencoded":
        posted = await request.post()
        return {k: _maybe_json(str(v)) for k, v in posted.items()}
    try:
        body = json.loads(raw)
    except ValueError:
        raise errors.invalid("the body is not JSON") from None
    if not isinstance(body, dict):
        raise errors.invalid("the body is not a JSON object")
    return body


def _maybe_json(value: str) -> Any:
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


async def sleep_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait for a condition on the fake (a send the app makes in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the fake did not see what was expected in time")
        await asyncio.sleep(0.02)
