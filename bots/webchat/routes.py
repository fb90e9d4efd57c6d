"""The web chat's HTTP side: the page at `/`, the embed script, the customer's posts, the
history and the live stream of replies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import web

from bots.plugin import Pipeline
from bots.webchat.hub import Hub
from bots.webchat.limits import SessionRate
from bots.webchat.messages import (
    CHANNEL,
    Delivered,
    Event,
    PostError,
    history,
    parse_post,
)
from bots.webchat.session import Session, check_post, read_session, set_cookie
from dialogs.i18n import LANGUAGES, Translator, translator

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC = "webchat-static"
KEEPALIVE_SECONDS = 15.0
POST_MAX_BYTES = 16_384
# Texts the page's script needs, by their catalog keys under "webchat.".
SCRIPT_TEXTS = (
    "operator",
    "reconnecting",
    "send_failed",
    "too_many",
    "too_long",
    "bad_phone",
    "session_expired",
    "new_chat_confirm",
    "download",
    "phone_placeholder",
    "title",
    "open",
    "close",
)


@dataclass(frozen=True, slots=True)
class WebchatConfig:
    company: str
    default_language: str
    title: str = ""  # empty: the catalog's title with the company's name
    public_url: str = ""
    session_days: int = 30
    frame_ancestors: tuple[str, ...] = ()  # origins that may frame the page, besides ours
    history_messages: int = 100
    max_text_chars: int = 2000
    messages_per_minute: int = 30


class ChatLogView(Protocol):
    @property
    def language(self) -> str | None: ...

    @property
    def events(self) -> Sequence[Event]: ...

    @property
    def replies(self) -> Sequence[Delivered]: ...

    @property
    def cursor(self) -> int: ...


class ChatLogReader(Protocol):
    """What the web chat reads from storage (storage.repos.chatlog.ChatLogRepo)."""

    async def language(self, channel: str, user_id: str) -> str | None: ...

    async def log(self, channel: str, user_id: str, limit: int) -> ChatLogView: ...

    async def delivered(
        self, channel: str, user_ids: Sequence[str], after_id: int, limit: int
    ) -> Sequence[Delivered]: ...


OpenLog = Callable[[], AbstractAsyncContextManager[ChatLogReader]]


class WebchatApp:
    def __init__(
        self, config: WebchatConfig, hub: Hub, pipeline: Pipeline, open_log: OpenLog
    ) -> None:
        self.config = config
        self.hub = hub
        self.pipeline = pipeline
        self.open_log = open_log
        self.rate = SessionRate(config.messages_per_minute)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self._static: web.StaticResource | None = None
        hub.reader = open_log

    def mount(self, app: web.Application) -> None:
        router = app.router
        router.add_get("/", self.page, name="webchat")
        router.add_get("/webchat/embed.js", self.embed)
        router.add_get("/webchat/history", self.history)
        router.add_get("/webchat/events", self.events)
        router.add_post("/webchat/messages", self.post_message)
        router.add_post("/webchat/reset", self.reset)
        static = router.add_static("/webchat/static", HERE / "static", name=STATIC)
        assert isinstance(static, web.StaticResource)  # aiohttp declares the abstract base
        self._static = static
        app.on_shutdown.append(self._shutdown)

    async def _shutdown(self, app: web.Application) -> None:
        await self.hub.close()  # long-lived streams would hold the server's shutdown

    # -- pages ---------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        session = read_session(request)
        language = self.config.default_language
        if session is not None:
            async with self.open_log() as reader:
                language = await reader.language(CHANNEL, session.id) or language
        else:
            session = Session.new()
        t = translator(language if language in LANGUAGES else self.config.default_language)
        embedded = request.query.get("embed") == "1"
        html = self.templates.get_template("page.html").render(
            lang=t.language,
            title=self._title(t),
            t=t,
            csrf=session.csrf,
            css_url=self._asset("chat.css"),
            js_url=self._asset("chat.js"),
            embedded=embedded,
            max_text=self.config.max_text_chars,
            texts=self._script_texts(t),
        )
        response = web.Response(text=html, content_type="text/html", charset="utf-8")
        self._secure_headers(response)
        response.headers["Cache-Control"] = "no-store"
        set_cookie(response, request, session, self.config.session_days, self.config.public_url)
        return response

    async def embed(self, request: web.Request) -> web.Response:
        """The snippet's script: a button on the company's page that opens the chat in an iframe."""
        t = translator(self.config.default_language)
        script = self.templates.get_template("embed.js").render(texts=self._script_texts(t))
        response = web.Response(text=script, content_type="text/javascript", charset="utf-8")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def _title(self, t: Translator) -> str:
        return self.config.title or t("webchat.title", company=self.config.company)

    def _script_texts(self, t: Translator) -> dict[str, str]:
        texts = {key: t(f"webchat.{key}") for key in SCRIPT_TEXTS if key != "title"}
        texts["title"] = self._title(t)
        return texts

    def _asset(self, filename: str) -> str:
        assert self._static is not None, "mount() first"
        return str(self._static.url_for(filename=filename, append_version=True))

    def _secure_headers(self, response: web.StreamResponse) -> None:
        ancestors = " ".join(("'self'", *self.config.frame_ancestors))
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {ancestors}"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"

    # -- the conversation ------------------------------------------------------------------------

    async def history(self, request: web.Request) -> web.Response:
        """The conversation so far and the cursor the live stream should start after."""
        session = read_session(request)
        if session is None:
            return _json({"messages": [], "cursor": 0})
        limit = self.config.history_messages
        async with self.open_log() as reader:
            chat = await reader.log(CHANNEL, session.id, limit)
        shown = history(list(chat.events), list(chat.replies), limit)
        return _json({"messages": [m.to_dict() for m in shown], "cursor": chat.cursor})

    async def post_message(self, request: web.Request) -> web.Response:
        session = check_post(request, self.config.public_url)
        if request.content_type != "application/json":
            return _error("bad_request", 415)
        if (request.content_length or 0) > POST_MAX_BYTES:
            return _error("too_long", 413)
        if not self.rate.allow(session.id, asyncio.get_running_loop().time()):
            return _error("too_many", 429)
        try:
            body = await request.json()
        except ValueError:
            return _error("bad_request", 400)
        try:
            inbound = parse_post(body, session.id, datetime.now(UTC), self.config.max_text_chars)
        except PostError as exc:
            return _error(exc.reason, exc.status)
        handled = await self.pipeline.handle(inbound)
        return _json({"duplicate": handled.duplicate, "replies": len(handled.replies)})

    async def reset(self, request: web.Request) -> web.Response:
        """A new, empty chat (a shared computer): the old session's cookie is replaced."""
        check_post(request, self.config.public_url)
        response = _json({"ok": True})
        set_cookie(
            response, request, Session.new(), self.config.session_days, self.config.public_url
        )
        return response

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: `reply` for every message delivered to this session from now on
        (after the cursor), `cursor` when a reply already shown got its row id."""
        session = read_session(request)
        if session is None:
            raise web.HTTPForbidden(text="no chat session")
        cursor = _cursor(request.headers.get("Last-Event-ID")) or _cursor(
            request.query.get("after")
        )
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-store, no-transform",
                "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
            }
        )
        await response.prepare(request)
        listener = self.hub.listen(session.id, cursor)
        try:
            await response.write(b"retry: 2000\n\n")
            while True:
                try:
                    item = await asyncio.wait_for(listener.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    item = ": keep-alive\n\n"
                if item is None:
                    break
                await response.write(item.encode())
        except ConnectionResetError:
            pass  # the page went away
        finally:
            self.hub.forget(listener)
        return response


def _cursor(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(reason: str, status: int) -> web.Response:
    return _json({"error": reason}, status)
