"""The web chat's HTTP side: the page at `/`, the embed script, the customer's posts, the
history and the live stream of replies."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import web
from aiohttp.http_exceptions import PayloadEncodingError

from bots.plugin import Pipeline, Quota, Revocations, Throttle
from bots.webchat.hub import Hub, Listener
from bots.webchat.limits import LocalRate
from bots.webchat.messages import (
    CHANNEL,
    Delivered,
    Event,
    PostError,
    ShownMessage,
    history,
    parse_post,
    shown_reply,
)
from bots.webchat.session import (
    CLOCK_SKEW_SECONDS,
    COOKIE,
    Refused,
    Session,
    SessionKeys,
    check_csrf,
    check_origin,
    forbidden,
    set_cookie,
)
from core.addresses import limit_key
from dialogs.i18n import LANGUAGES, Translator, translator
from dialogs.messages import Inbound, InboundKind, Reply

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC = "webchat-static"
KEEPALIVE_SECONDS = 15.0
STREAM_CHECK_SECONDS = 5.0  # how often an open stream looks whether its page went away
POST_MAX_BYTES = 16_384  # a message post; enforced while reading, whatever the framing
RESET_MAX_BYTES = 1024  # the page sends no body with «new chat»
GREETING_SECONDS = 300.0  # the first contact's greeting is asked of the pipeline this often
GREETING_RETRY_SECONDS = 10.0  # ... and again this soon when it could not be made
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
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
    messages_per_minute: int = 30  # per session
    address_messages_per_minute: int = 120  # per client address
    address_new_chats_per_hour: int = 30  # sessions' first messages per client address


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
Preview = Callable[[Inbound], Awaitable[Sequence[Reply]]]


def utcnow() -> datetime:
    return datetime.now(UTC)


class TooLarge(Exception):
    """The body passed the web chat's limit while it was read (413)."""


class CutOff(Exception):
    """The client went away before its body was read."""


async def read_body(request: web.Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` bytes: a Content-Length above it before
    anything is read, a chunked body (no length given) while it is read."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge
    body = bytearray()
    try:
        async for chunk in request.content.iter_any():
            body += chunk
            if len(body) > limit:
                raise TooLarge
    except (ConnectionError, PayloadEncodingError) as exc:
        raise CutOff(str(exc) or type(exc).__name__) from None
    return bytes(body)


class WebchatApp:
    def __init__(
        self,
        config: WebchatConfig,
        hub: Hub,
        pipeline: Pipeline,
        open_log: OpenLog,
        *,
        keys: SessionKeys,
        throttle: Throttle,
        revocations: Revocations,
        preview: Preview,
        client_address: Callable[[web.Request], str] | None = None,
    ) -> None:
        self.config = config
        self.hub = hub
        self.pipeline = pipeline
        self.open_log = open_log
        self.keys = keys
        self.throttle = throttle
        self.revocations = revocations
        self.preview = preview
        self.client_address = client_address
        # A first filter in this process; the database's counters (throttle) are the limit.
        self.session_rate = LocalRate(config.messages_per_minute)
        self.address_rate = LocalRate(config.address_messages_per_minute)
        self._greeting: tuple[float, list[ShownMessage]] | None = None
        self._greeting_lock = asyncio.Lock()
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
        now = utcnow()
        session = await self._session_or_none(request, now)
        language = self.config.default_language
        if session is not None:
            async with self.open_log() as reader:
                language = await reader.language(CHANNEL, session.id) or language
            session = self.keys.refreshed(session, now.timestamp())
        else:  # none, or one we did not sign, expired or revoked: a new one, nothing stored
            session = self.keys.new(now.timestamp())
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
        self._set_cookie(response, request, session)
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
        """The conversation so far and the cursor the live stream should start after.

        The bot's greeting opens every chat without being stored: nobody has written yet
        (the customer's row is made by their first message), and a reload shows it again.
        """
        greeting = await self._greeting_messages()
        session = await self._session_or_none(request, utcnow())
        if session is None:
            return _json({"messages": [m.to_dict() for m in greeting], "cursor": 0})
        limit = self.config.history_messages
        async with self.open_log() as reader:
            chat = await reader.log(CHANNEL, session.id, limit)
        shown = history(list(chat.events), list(chat.replies), limit, greeting, self.hub.media)
        return _json({"messages": [m.to_dict() for m in shown], "cursor": chat.cursor})

    async def post_message(self, request: web.Request) -> web.Response:
        now = utcnow()
        session = self._checked_post(request, now)
        if request.content_type != "application/json":
            return _error("bad_request", 415)
        address = self._address(request)
        if (refused := self._local_limits(session, address)) is not None:
            return _too_many(refused, MINUTE, now)
        try:
            raw = await read_body(request, POST_MAX_BYTES)
        except TooLarge:
            return _too_large()
        except CutOff as exc:
            return _cut_off(request, exc)
        try:
            body = json.loads(raw)
        except ValueError:
            return _error("bad_request", 400)
        try:
            inbound = parse_post(body, session.id, now, self.config.max_text_chars)
        except PostError as exc:
            return _error(exc.reason, exc.status)
        await self._not_revoked(session, now)
        async with self.open_log() as reader:
            known = await reader.language(CHANNEL, session.id) is not None
        if inbound.kind is InboundKind.START and not known:
            # The page's «hello» before anyone wrote: the greeting comes with the history, and
            # a customer is made by a first real message only.
            return _json({"duplicate": False, "replies": 0})
        quotas = [
            Quota(f"webchat:session:{session.id}", self.config.messages_per_minute, MINUTE),
            Quota(f"webchat:addr:{address}", self.config.address_messages_per_minute, MINUTE),
        ]
        if not known:
            quotas.append(
                Quota(f"webchat:new:{address}", self.config.address_new_chats_per_hour, HOUR)
            )
        if (full := await self.throttle(quotas, now)) is not None:
            return _too_many(full.key.split(":")[1], full.window, now)
        handled = await self.pipeline.handle(inbound)
        return _json({"duplicate": handled.duplicate, "replies": len(handled.replies)})

    async def reset(self, request: web.Request) -> web.Response:
        """A new, empty chat (a shared computer): the old session is revoked — its cookie is
        refused by every process from now on — and a new one replaces it."""
        now = utcnow()
        session = self._checked_post(request, now)
        address = self._address(request)
        if not self.address_rate.allow(address, asyncio.get_running_loop().time()):
            return _too_many("addr", MINUTE, now)
        try:
            await read_body(request, RESET_MAX_BYTES)
        except TooLarge:
            return _too_large()
        except CutOff as exc:
            return _cut_off(request, exc)
        await self._not_revoked(session, now)
        quota = Quota(f"webchat:addr:{address}", self.config.address_messages_per_minute, MINUTE)
        if await self.throttle([quota], now) is not None:
            return _too_many("addr", MINUTE, now)
        # Every cookie of this session was signed by now: none outlives this.
        until = now + timedelta(seconds=self.keys.lifetime + CLOCK_SKEW_SECONDS)
        await self.revocations.revoke(_revocation_key(session), until, now)
        response = _json({"ok": True})
        self._set_cookie(response, request, self.keys.new(now.timestamp()))
        return response

    # -- sessions, limits ------------------------------------------------------------------------

    def _checked_post(self, request: web.Request, now: datetime) -> Session:
        """A state-changing request's session, or 403 with the reason: not from our origin,
        no cookie, a cookie we did not sign (made up, foreign, altered) or an expired one, a
        CSRF token that is not the one derived for it. Nothing is read from the database."""
        check_origin(request, self.config.public_url)
        try:
            session = self.keys.read(request.cookies.get(COOKIE), now.timestamp())
        except Refused as exc:
            log.info("webchat: %s %s refused: %s", request.method, request.path, exc.reason)
            raise forbidden("session_expired", exc.reason) from None
        check_csrf(request, session)
        return session

    async def _not_revoked(self, session: Session, now: datetime) -> None:
        if await self.revocations.revoked(_revocation_key(session), now):
            log.info("webchat: a revoked session was refused")
            raise forbidden("session_expired", "revoked_session")

    async def _session_or_none(self, request: web.Request, now: datetime) -> Session | None:
        """The request's session if we signed it, it has not expired and was not revoked."""
        try:
            session = self.keys.read(request.cookies.get(COOKIE), now.timestamp())
        except Refused:
            return None
        if await self.revocations.revoked(_revocation_key(session), now):
            return None
        return session

    def _set_cookie(
        self, response: web.StreamResponse, request: web.Request, session: Session
    ) -> None:
        value = self.keys.cookie_value(session)
        set_cookie(response, request, value, self.config.session_days, self.config.public_url)

    def _address(self, request: web.Request) -> str:
        """Whom the per-address limits count (an IPv6 host by its /64)."""
        if self.client_address is not None:
            return limit_key(self.client_address(request))
        return limit_key(request.remote or "unknown")

    def _local_limits(self, session: Session, address: str) -> str | None:
        """This process's first filter: which limit a flood passed, without a database write."""
        now = asyncio.get_running_loop().time()
        if not self.session_rate.allow(session.id, now):
            return "session"
        if not self.address_rate.allow(address, now):
            return "addr"
        return None

    async def _greeting_messages(self) -> list[ShownMessage]:
        """What the bot says to a first contact, as the page shows it (made by a turn of the
        pipeline that is rolled back, once in GREETING_SECONDS per process)."""
        loop = asyncio.get_running_loop()
        async with self._greeting_lock:
            if self._greeting is not None and loop.time() < self._greeting[0]:
                return self._greeting[1]
            hello = Inbound(
                channel=CHANNEL,
                user_id=f"preview-{uuid.uuid4().hex}",
                event_id=f"preview-{uuid.uuid4().hex}",
                kind=InboundKind.START,
                text="/start",
                time=utcnow(),
            )
            try:
                replies = await self.preview(hello)
            except Exception:
                log.exception("webchat: the greeting could not be made")
                shown = self._greeting[1] if self._greeting is not None else []
                self._greeting = (loop.time() + GREETING_RETRY_SECONDS, shown)
                return shown
            shown = [shown_reply(reply, f"greeting-{i}") for i, reply in enumerate(replies)]
            self._greeting = (loop.time() + GREETING_SECONDS, shown)
            return shown

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: `reply` for every message delivered to this session from now on
        (after the cursor), `cursor` when a reply already shown got its row id."""
        session = await self._session_or_none(request, utcnow())
        if session is None:
            raise web.HTTPForbidden(text="no chat session")
        cursor = _cursor(request.headers.get("Last-Event-ID")) or _cursor(
            request.query.get("after")
        )
        # At most so many open pages per chat and per client address (in this process).
        ticket = self.hub.admit(session.id, self._address(request))
        if ticket.refused is not None:
            return _error("too_many_streams", 429)
        try:
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
                await _relay(request, response, listener, self.hub.idle_seconds)
            except ConnectionResetError:
                pass  # the page went away
            finally:
                self.hub.forget(listener)
        finally:
            ticket.release()
        return response


async def _relay(
    request: web.Request, response: web.StreamResponse, listener: Listener, idle_seconds: float
) -> None:
    """Write the page's frames until its listener ends, the page goes, or nothing came for
    `idle_seconds`: then the stream closes and the page's EventSource reconnects after its
    cursor (Last-Event-ID), missing nothing."""
    loop = asyncio.get_running_loop()
    last_event = last_write = loop.time()
    wait = min(STREAM_CHECK_SECONDS, KEEPALIVE_SECONDS, idle_seconds)
    while True:
        try:
            item = await asyncio.wait_for(listener.queue.get(), wait)
        except TimeoutError:
            item = ""
        if item is None:
            return
        now = loop.time()
        if item:
            await response.write(item.encode())
            last_event = last_write = now
            continue
        if request.transport is None or request.transport.is_closing():
            return  # the page went away: its place is free again
        if now - last_event >= idle_seconds:
            return
        if now - last_write >= KEEPALIVE_SECONDS:
            await response.write(b": keep-alive\n\n")
            last_write = now


def _cursor(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(reason: str, status: int) -> web.Response:
    return _json({"error": reason}, status)


def _revocation_key(session: Session) -> str:
    return f"webchat:{session.id}"


def _too_many(limit: str, window: timedelta, now: datetime) -> web.Response:
    """429 naming the limit (session, addr, new) and when its window ends."""
    response = _json({"error": "too_many", "reason": limit}, 429)
    seconds = int(window.total_seconds())
    response.headers["Retry-After"] = str(seconds - int(now.timestamp()) % seconds)
    return response


def _too_large() -> web.Response:
    response = _error("too_long", 413)
    response.force_close()  # the rest of the body is not read (nor waited for)
    return response


def _cut_off(request: web.Request, exc: CutOff) -> web.Response:
    """The client went away in the middle of its body (or sent a broken one): one line."""
    log.info("webchat: %s %s cut off mid-body (%s)", request.method, request.path, exc)
    response = _error("bad_request", 400)
    response.force_close()
    return response
