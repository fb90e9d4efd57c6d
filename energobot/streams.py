"""The live-update streams of one process (the console's and the web chat's Server-Sent Events):
one database poller for all of them, how many each session and client address may hold, and
the HTTP server's connection timeouts.

Streams do not query the database themselves. Each kind of stream has a feed (the console's in
console/events.py, the web chat's hub in bots/webchat/hub.py) that registers one poll here; the
`Poller` runs the polls in one task, each at its own interval, while any stream of that feed is
open. A poll asks once for everything its open streams follow (a few queries, however many
streams) and hands each stream what is new for it. The console and the web chat reach this
object through their own protocols (console.events.LiveStreams, bots.plugin.LiveStreams): they
import nothing of energobot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.addresses import client_address, limit_key, networks

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Source:
    name: str
    seconds: float
    poll: Callable[[], Awaitable[bool]]
    active: Callable[[], bool]
    due: float = 0.0


class Poller:
    """One task per process that runs every registered poll at its interval while the poll's
    streams are open (it ends when none is, and starts again with the next stream).

    A poll returns True to be run again at once (it found a full batch)."""

    def __init__(self) -> None:
        self._sources: list[_Source] = []
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._closed = False
        self.polls = 0  # polls run so far (the tests count them)

    def every(
        self,
        seconds: float,
        poll: Callable[[], Awaitable[bool]],
        active: Callable[[], bool],
        name: str = "poll",
    ) -> Callable[[], None]:
        """Register `poll`, run every `seconds` while `active()`; returns what to call when a
        stream opens (it starts the task if it was idle)."""
        source = _Source(name, seconds, poll, active)
        self._sources.append(source)
        return self._wake

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _wake(self) -> None:
        if self._closed:
            return
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="stream-poller")
        self._wakeup.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        while not self._closed:
            self._wakeup.clear()
            active = [source for source in self._sources if source.active()]
            if not active:
                return
            for source in active:
                started = loop.time()
                if source.due > started:
                    continue
                try:
                    again = await source.poll()
                except Exception:
                    log.exception("live updates: the %s poll failed", source.name)
                    again = False
                self.polls += 1
                source.due = loop.time() if again else started + source.seconds
            delay = min(source.due for source in active) - loop.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), delay)

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass(eq=False)
class Ticket:
    """A stream's place under its session's and its address's limits, until released.

    `refused` is "session" or "address" when there was no place (then `limit` is that limit)."""

    refused: str | None = None
    limit: int = 0
    _keys: tuple[str, ...] = ()
    _counts: Counter[str] = field(default_factory=Counter)

    def release(self) -> None:
        for key in self._keys:
            self._counts[key] -= 1
            if self._counts[key] <= 0:
                del self._counts[key]
        self._keys = ()


class Streams:
    """The process's live streams: the shared poller, the limits, the client's address."""

    def __init__(self, *, idle_seconds: float = 300.0, trusted_proxies: Sequence[str] = ()) -> None:
        self.poller = Poller()
        self.idle_seconds = idle_seconds  # a stream with no event this long is closed
        self._trusted = networks(trusted_proxies)
        self._limits: dict[str, tuple[int, int]] = {}
        self._counts: Counter[str] = Counter()

    def every(
        self,
        seconds: float,
        poll: Callable[[], Awaitable[bool]],
        active: Callable[[], bool],
        name: str = "poll",
    ) -> Callable[[], None]:
        return self.poller.every(seconds, poll, active, name)

    def limit(self, kind: str, per_session: int, per_address: int) -> None:
        """At most so many streams of `kind` ("console", "webchat") per session and address."""
        self._limits[kind] = (per_session, per_address)

    def admit(self, kind: str, session: str, address: str) -> Ticket:
        """A place for one more stream of `session` from `address`, or a refusal saying which
        limit is full. Nothing is counted for a refusal."""
        per_session, per_address = self._limits.get(kind, (0, 0))
        address = limit_key(address)  # an IPv6 host by its /64
        checks = (
            ("session", f"{kind}\x00s\x00{session}", per_session),
            ("address", f"{kind}\x00a\x00{address}", per_address),
        )
        for scope, key, most in checks:
            if most and self._counts[key] >= most:
                return Ticket(refused=scope, limit=most)
        keys = tuple(key for _, key, most in checks if most)
        for key in keys:
            self._counts[key] += 1
        return Ticket(_keys=keys, _counts=self._counts)

    def open_streams(self, kind: str) -> int:
        """Streams of `kind` holding a place now (by their sessions)."""
        prefix = f"{kind}\x00s\x00"
        return sum(count for key, count in self._counts.items() if key.startswith(prefix))

    def client_address(self, request: Any) -> str:
        """The client's address behind server.trusted_proxies (core/addresses.py)."""
        forwarded = request.headers.getall("X-Forwarded-For", ())
        return client_address(request.remote or "", forwarded, self._trusted)

    async def close(self) -> None:
        await self.poller.close()


def server_options(server: Any) -> dict[str, Any]:
    """aiohttp's connection settings from the `server:` section, for `web.Application(
    handler_args=...)` (or `web.AppRunner(app, **...)`).

    `keepalive_timeout` closes a connection that has no request in progress: one that stays
    idle between requests, and one that has not finished sending a request's headers by then —
    aiohttp arms the timer when the connection opens and after each response, and bytes that
    trickle in do not push it back, so a slow-loris client is cut (tests/console/
    test_console_streams.py checks it).
    """
    return {"keepalive_timeout": float(server.idle_timeout_seconds)}


def build_streams(settings: Any) -> Streams:
    """The process's streams from the settings; the console's limits declared (the web chat's
    plug-in declares its own)."""
    streams = Streams(
        idle_seconds=settings.server.stream_idle_seconds,
        trusted_proxies=getattr(settings.server, "trusted_proxies", ()),
    )
    console = settings.console
    streams.limit("console", console.max_streams_per_session, console.max_streams_per_address)
    return streams
