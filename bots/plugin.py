"""A channel as one plug-in: everything the service needs from a messenger, declared in the
channel's own package (`bots/<name>/plugin.py` exports `PLUGIN`), found by bots/registry.py.

A plug-in declares its settings section (a pydantic model whose validation says what is wrong),
which of its settings are secrets (environment only), its outbound `Channel` for the sender, the
inbound side it mounts (webhook routes, pollers), its webhook administration for
`energobot webhooks set|info|delete <name>`, whether a phone shared through its contact button
is verified by the platform, and its words for sharing a phone (its own locales/<lang>.yaml).

The module defining a plug-in must import quickly: heavy clients are imported inside `build`,
`mount` and `webhooks`, so `energobot` commands that only read settings stay fast.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import yaml
from pydantic import BaseModel

from bots.channel import Channel
from dialogs.messages import Inbound, Reply

if TYPE_CHECKING:  # aiohttp is imported by what mounts routes, not by reading settings
    from aiohttp import web


class Handled(Protocol):
    """What a turn tells the channel back."""

    @property
    def duplicate(self) -> bool:
        """The platform delivered this event before: it changed nothing this time."""

    @property
    def replies(self) -> Sequence[object]:
        """The replies the turn queued in the outbox."""


class Pipeline(Protocol):
    """What a channel's inbound side calls on the service (dialogs.pipeline.Pipeline)."""

    async def handle(self, inbound: Inbound) -> Handled:
        """One event in one transaction; a repeated event_id is a duplicate."""

    async def record_delivery(
        self,
        channel: str,
        platform_ids: Sequence[str],
        status: str,
        at: datetime,
        error: str = "",
        *,
        earlier_too: bool = False,
    ) -> int:
        """A platform's receipt on the outbox rows it names."""

    async def record_delivery_until(
        self, channel: str, user_id: str, status: str, until: datetime, at: datetime
    ) -> int:
        """A watermark receipt: every message to `user_id` sent by `until`."""


@dataclass(frozen=True, slots=True)
class Quota:
    """At most `limit` attempts per fixed `window` for `key` (the database's shared counters)."""

    key: str
    limit: int
    window: timedelta


# Reserves one place in every quota, all or none, in one transaction shared by every process:
# the first quota that is full (nothing counted then), or None.
Throttle = Callable[[Sequence[Quota], datetime], Awaitable[Quota | None]]


class Revocations(Protocol):
    """Sessions ended before their time (a web chat's «new chat»), kept in the database until
    their cookies would have expired anyway, so every process refuses them."""

    async def revoke(self, key: str, until: datetime, now: datetime) -> None: ...

    async def revoked(self, key: str, now: datetime) -> bool: ...


class StreamTicket(Protocol):
    """A live stream's place under its session's and address's limits (LiveStreams.admit)."""

    @property
    def refused(self) -> str | None:
        """None: admitted; "session" or "address": that limit is full."""

    @property
    def limit(self) -> int: ...

    def release(self) -> None: ...


class LiveStreams(Protocol):
    """The process's live streams (energobot.streams.Streams): one database poller shared by
    every channel's and the console's streams, per-session and per-address limits."""

    @property
    def idle_seconds(self) -> float:
        """A stream that carried no event this long is closed (the page reconnects)."""

    def every(
        self,
        seconds: float,
        poll: Callable[[], Awaitable[bool]],
        active: Callable[[], bool],
        name: str = ...,
    ) -> Callable[[], None]:
        """Run `poll` every `seconds` in the shared poller while `active()`; returns what to
        call when a stream opens. A poll returns True to run again at once."""

    def limit(self, kind: str, per_session: int, per_address: int) -> None: ...

    def admit(self, kind: str, session: str, address: str) -> StreamTicket: ...


@dataclass(frozen=True, slots=True)
class Host:
    """What a plug-in may know of the service around it."""

    company: str  # the supplier's name, for welcome texts and bot profiles
    website: str  # the supplier's site (the web chat's embedding origin)
    default_language: str  # "ru" or "en"
    public_url: str  # server.public_url: the HTTPS base the platforms call
    send_timeout_seconds: float  # one platform request, at most
    max_body_bytes: int = 1_048_576  # server.max_body_bytes: the largest webhook body taken
    # Opens a read-only view of stored conversations (storage.repos.chatlog), for a channel
    # that shows the history itself (the web chat on reload).
    chat_log: Callable[[], AbstractAsyncContextManager[Any]] | None = None
    # A key of the service's own for `purpose`: HMAC-SHA256(ENERGOBOT_CONSOLE__SESSION_KEY,
    # purpose). None when that secret is not set: the plug-in makes up a key per start.
    derive_key: Callable[[str], bytes] | None = None
    throttle: Throttle | None = None  # the shared attempt counters (table throttle)
    revocations: Revocations | None = None  # revoked sessions (table revoked_sessions)
    # The client's address of a request (X-Forwarded-For believed only from
    # server.trusted_proxies); None: the peer's own address.
    client_address: Callable[[web.Request], str] | None = None
    # What the bot answers a first contact's event, nothing kept (the turn is rolled back):
    # for a channel that greets before anyone wrote (the web chat's page).
    preview: Callable[[Inbound], Awaitable[Sequence[Reply]]] | None = None
    # The process's live streams: the shared poller and the stream limits (None: a channel
    # polls on its own, unlimited — tests that build one without the service).
    streams: LiveStreams | None = None
    # A signed link to an outbox row's file (GET /media/<token>/<filename>, valid
    # `media_link_days`): for a platform that fetches files by URL (Viber), the web chat, and
    # the fallback when a file cannot go as one. None: no server.public_url, no links.
    media_url: Callable[[int, str], str] | None = None
    media_link_days: int = 7
    # The same link as a path on this server (/media/...), for pages it serves itself.
    media_path: Callable[[int, str], str] | None = None


class ChannelSettings(BaseModel):
    """A channel's settings section (`<name>:` in config.yaml, ENERGOBOT_<NAME>__<KEY>)."""

    model_config = {"extra": "forbid"}

    enabled: bool = False


@dataclass
class Mounted:
    """The inbound side a plug-in set up: tasks to run while serving (pollers) and what to
    close when it stops (pending callback answers)."""

    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


class SetupError(Exception):
    """A webhook command cannot be done: the message says why (shown to the operator)."""


NO_URL = "give --url https://... or set server.public_url to an https URL"


def require_url(url: str) -> str:
    """The address to register, for platforms that need one (`set` gets "" when neither
    --url nor an HTTPS server.public_url gives one)."""
    if not url:
        raise SetupError(NO_URL)
    return url


@dataclass(frozen=True, slots=True)
class SetupReport:
    """What a webhook command prints: the platform's answer and the steps left to the operator."""

    answer: Any = None  # JSON-able
    steps: tuple[str, ...] = ()  # printed after the answer
    said: tuple[str, ...] = ()  # printed before it («telegram webhook set to …»)


class WebhookAdmin(Protocol):
    """`energobot webhooks set|info|delete <name>`. Raise SetupError with a reason."""

    async def set(self, url: str, drop_pending: bool) -> SetupReport: ...

    async def info(self) -> SetupReport: ...

    async def delete(self) -> SetupReport: ...

    async def close(self) -> None: ...


S = TypeVar("S", bound=ChannelSettings)


class Plugin(ABC, Generic[S]):
    """One channel. Subclasses set the class attributes and implement build and mount."""

    name: ClassVar[str]  # the channel's name: settings section, Inbound.channel, outbox rows
    settings_model: type[S]
    secrets: ClassVar[tuple[str, ...]] = ()  # fields of the section set only by environment
    webhook_path: ClassVar[str | None] = None  # e.g. /webhooks/max; None: no webhook
    # A phone shared through the platform's contact control is the customer's own (the platform
    # sends it); elsewhere a phone is only typed and links nothing.
    verified_phone: ClassVar[bool] = False
    # Delivers messages of other channels' conversations (e-mail): `energobot chat` runs it
    # beside the terminal when it is enabled.
    side_channel: ClassVar[bool] = False

    @abstractmethod
    def build(self, settings: S, host: Host) -> Channel:
        """The outbound side, given an enabled section."""

    @abstractmethod
    def mount(
        self,
        app: web.Application,
        settings: S,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        """Add routes to `app` and return the background work; `channel` is build()'s."""

    def webhooks(self, settings: S, host: Host) -> WebhookAdmin:
        raise SetupError(f"{self.name} has no webhook to set")

    def phone_hints(self) -> dict[str, str]:
        """Language → how to share one's phone here (`phone_hint:` in the package's
        locales/<lang>.yaml); none: the dialogs' own words."""
        return self._texts("phone_hint")

    def titles(self) -> dict[str, str]:
        """Language → the channel's name as people know it (`title:`), for the console."""
        return self._texts("title")

    def _texts(self, key: str) -> dict[str, str]:
        found: dict[str, str] = {}
        folder = resources.files(type(self).__module__.rsplit(".", 1)[0]) / "locales"
        if not folder.is_dir():
            return found
        for entry in folder.iterdir():
            if entry.name.endswith(".yaml"):
                texts = yaml.safe_load(entry.read_text("utf-8")) or {}
                if isinstance(texts.get(key), str):
                    found[entry.name.removesuffix(".yaml")] = texts[key]
        return found
