"""What every console handler shares: options from the settings, the store, the clock, pages."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from console.passwords import HashGate, PasswordRules, company_words
from console.render import Formats, environment, html
from console.roles import Role, at_least
from core.addresses import networks
from core.ports import SessionRecord, Store
from dialogs.messages import Attachment

log = logging.getLogger(__name__)

PREFIX = "/console"
UnitOfWork = Callable[[], AbstractAsyncContextManager[Store]]


class DatabaseLike(Protocol):
    def unit_of_work(self) -> AbstractAsyncContextManager[Store]: ...


class SenderLike(Protocol):
    def wake(self) -> None: ...


# Why the customer's messenger would refuse an operator's reply now (a closed messaging
# window), as a catalog key under errors.refused; None: it may go.
# Arguments: channel, the reply's text, the operator's name, the customer's last message, now.
ReplyCheck = Callable[[str, str, str, datetime | None, datetime], str | None]


def _always_open(
    channel: str, text: str, operator: str, last_inbound_at: datetime | None, now: datetime
) -> str | None:
    return None


class ReceiptSource(Protocol):
    """dialogs.pipeline.Pipeline as the console needs it: a customer's receipt as the chat gives
    it (energobot's Services has one as `pipeline`; without it the console offers no PDFs)."""

    async def receipt(
        self, store: Store, customer_id: int, account: str, period: str
    ) -> Attachment | None: ...


class ServicesLike(Protocol):
    """energobot.app.Services as the console needs it (the console does not import energobot)."""

    @property
    def settings(self) -> Any: ...

    @property
    def database(self) -> DatabaseLike: ...

    @property
    def sender(self) -> SenderLike: ...


@dataclass(frozen=True, slots=True)
class Options:
    language: str = "ru"
    session_key: str = ""
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    login_attempts: int = 5
    login_address_attempts: int = 20
    login_window_minutes: int = 15
    trusted_device_days: int = 30
    hash_slots: int = 0  # 0: twice the cores
    min_password_length: int = 12
    password_checks: bool = True
    password_blocklist: str = ""
    company_words: tuple[str, ...] = ()  # the company's names, refused as passwords
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For names the client
    events_poll_seconds: float = 1.0
    visits_page: int = 200
    public_url: str = ""
    timezone: str = "Asia/Yekaterinburg"
    visit_slots: tuple[str, ...] = ("08:00-12:00", "12:00-17:00")

    @classmethod
    def from_settings(cls, settings: Any) -> Options:
        console = settings.console
        return cls(
            language=console.language,
            session_key=console.session_key.get_secret_value(),
            session_idle_minutes=console.session_idle_minutes,
            session_max_hours=console.session_max_hours,
            login_attempts=console.login_attempts,
            login_address_attempts=console.login_address_attempts,
            login_window_minutes=console.login_window_minutes,
            trusted_device_days=console.trusted_device_days,
            hash_slots=console.hash_slots,
            min_password_length=console.min_password_length,
            password_checks=console.password_checks,
            password_blocklist=console.password_blocklist,
            company_words=company_words(settings.company.name, settings.company.website),
            trusted_proxies=tuple(settings.server.trusted_proxies),
            events_poll_seconds=console.events_poll_seconds,
            visits_page=console.visits_page,
            public_url=settings.server.public_url,
            timezone=settings.company.timezone,
            visit_slots=tuple(settings.dialogs.visit_slots),
        )


class Console:
    """The console's state, one per app (at app[CONSOLE] and on its sub-application)."""

    def __init__(
        self,
        options: Options,
        unit_of_work: UnitOfWork,
        wake: Callable[[], None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        reply_check: ReplyCheck = _always_open,
        wake_notices: Callable[[], None] = lambda: None,
    ) -> None:
        self.options = options
        self.unit_of_work = unit_of_work
        self.wake = wake  # the outbox sender: new rows were committed
        # The notice scheduler: an outage was added, cancelled or restored (the app wires it).
        self.wake_notices = wake_notices
        self.clock = clock
        self.reply_check = reply_check
        self.receipts: ReceiptSource | None = None  # set by build_console when the app has one
        if options.session_key:
            self.key = options.session_key.encode()
        else:
            self.key = secrets.token_bytes(32)
            log.warning(
                "console: ENERGOBOT_CONSOLE__SESSION_KEY is not set; a random key is used "
                "and operators' sessions end when this process restarts"
            )
        self.formats = Formats(options.language, ZoneInfo(options.timezone))
        self.hashing = HashGate(options.hash_slots)  # argon2 at most this many at once
        self.password_rules = PasswordRules(
            options.min_password_length,
            options.password_checks,
            options.password_blocklist,
            options.company_words,
        )
        self.proxies = networks(options.trusted_proxies)
        self.env = environment()
        self.stopping = asyncio.Event()  # set on shutdown: live-update streams end

    def now(self) -> datetime:
        return self.clock()

    def text(self, key: str, /, **params: Any) -> str:
        return self.formats.text(key, **params)

    def page(
        self,
        request: web.Request,
        name: str,
        status: int = 200,
        **context: Any,
    ) -> web.Response:
        session: SessionRecord | None = request.get(SESSION)
        supervisor = session is not None and at_least(session.operator.role, Role.SUPERVISOR)
        base = {
            "t": self.text,
            "f": self.formats,
            "now": self.now(),
            "session": session,
            "operator": session.operator if session else None,
            "csrf": session.csrf_token if session else context.pop("login_csrf", ""),
            "prefix": PREFIX,
            "is_supervisor": supervisor,
            "notice": _flash(self, request, "notice"),
            "error": None,
            "nav": "",
        }
        base.update(context)
        return html(self.env, name, base, status)

    def error_page(
        self, request: web.Request, status: int, key: str, **params: Any
    ) -> web.Response:
        return self.page(request, "error.html", status, error=self.text(key, **params))


# The SessionRecord of a logged-in operator, on the request.
SESSION = web.RequestKey("console.session", SessionRecord)
CONSOLE = web.AppKey("console", Console)

# Flash notices after a redirect: only known catalog keys travel in the URL, never text.
FLASH_KEYS = frozenset(
    {
        "claimed",
        "closed",
        "note_added",
        "reply_sent",
        "visit_scheduled",
        "visit_done",
        "visit_cancelled",
        "reading_accepted",
        "reading_rejected",
        "operator_enabled",
        "operator_disabled",
        "password_reset",
        "operator_unlocked",
        "canned_saved",
        "canned_deleted",
        "logged_out",
    }
)


def _flash(console: Console, request: web.Request, kind: str) -> str | None:
    key = request.query.get(kind)
    return console.text(f"flash.{key}") if key in FLASH_KEYS else None


def redirect(path: str, notice: str | None = None) -> web.HTTPSeeOther:
    """303 to a console path, with a flash notice key."""
    location = PREFIX + path
    if notice is not None:
        location += ("&" if "?" in location else "?") + f"notice={notice}"
    return web.HTTPSeeOther(location)


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def session_of(request: web.Request) -> SessionRecord:
    session: SessionRecord | None = request.get(SESSION)
    if session is None:  # the guard lets no handler without a session run
        raise web.HTTPUnauthorized()
    return session


def actor(session: SessionRecord) -> str:
    return f"operator:{session.operator.login}"
