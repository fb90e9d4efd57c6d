"""Live updates as Server-Sent Events.

Streams do not query the database themselves. The console's `Feed` registers one poll with the
process's shared poller (energobot/streams.py, found in the app as STREAMS) and, every
`events_poll_seconds` while any stream is open, asks once for the waiting queue and for the state
of every conversation an open stream follows (a few queries, however many streams), reads the
transcripts of the conversations that changed, and hands each stream what is new for it. It
polls the database rather than listening to an in-process bus: escalations and messages may
come from any process behind the load balancer.

Events: `queue` (the whole waiting queue, when it changed), `message` (a new line of the open
conversation; the last of a batch carries the transcript cursor as its id, which a reconnecting
page sends back as Last-Event-ID), `status` (the open conversation changed hands, or is no
longer open to this operator: the page reloads), `logout` (the session ended).

Need to know: a stream follows a conversation only when its operator may see it
(console.roles.may_see), and every such stream is audited. At most
console.max_streams_per_session streams per session and max_streams_per_address per client
address (429 beyond); a stream that carried no event for server.stream_idle_seconds is closed,
and the page's EventSource reconnects.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from console.auth import session_alive
from console.context import Console, actor, console_of, session_of
from console.conversation import hidden, visible
from console.roles import may_see
from console.views import cursor_text, message, parse_cursor, queue_row
from core.ports import (
    QueueEntry,
    SessionRecord,
    TranscriptCursor,
    TranscriptEntry,
    WatchedConversation,
)

# A comment line this often keeps proxies from closing an idle stream and finds dead clients.
HEARTBEAT_SECONDS = 15.0
# How often a stream looks whether its client went away (and its place can be given back).
CHECK_SECONDS = 5.0
# Whether the sessions behind open streams still live is asked every so many polls (one query
# per session, not per stream).
SESSION_CHECK_POLLS = 5
# Frames waiting for a client that does not read: beyond this its stream ends (it reconnects).
BACKLOG = 1000
RETRY_MILLISECONDS = 2000  # how soon the browser reconnects after a stream ended
KIND = "console"  # the streams' kind for the limits (console.max_streams_per_*)


class StreamTicket(Protocol):
    @property
    def refused(self) -> str | None: ...

    @property
    def limit(self) -> int: ...

    def release(self) -> None: ...


class LiveStreams(Protocol):
    """The process's live streams (energobot.streams.Streams), as the console needs them."""

    @property
    def idle_seconds(self) -> float: ...

    def every(
        self,
        seconds: float,
        poll: Callable[[], Awaitable[bool]],
        active: Callable[[], bool],
        name: str = ...,
    ) -> Callable[[], None]: ...

    def admit(self, kind: str, session: str, address: str) -> StreamTicket: ...

    def client_address(self, request: web.Request) -> str: ...


# Set by the service (energobot.channels) on the root app; the console finds it through
# request.config_dict.
STREAMS: web.AppKey[LiveStreams] = web.AppKey("live_streams")


class Follower:
    """One open stream: what it follows, what it has been sent, the frames to write."""

    def __init__(
        self,
        session: SessionRecord,
        conversation_id: int | None,
        cursor: TranscriptCursor | None,
        status: tuple[str, str | None] | None = None,
    ) -> None:
        self.token_hash = session.token_hash
        self.role = session.operator.role
        self.login = session.operator.login
        self.conversation_id = conversation_id
        self.cursor: TranscriptCursor = cursor or (0, 0, 0)
        self.status_seen = status  # (conversation status, holder) the page was shown with
        self.queue_seen: list[tuple[int, str]] | None = None
        self.frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.ended = False

    def put(self, frame: bytes) -> None:
        if self.ended:
            return
        if self.frames.qsize() >= BACKLOG:
            self.end()
            return
        self.frames.put_nowait(frame)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.frames.put_nowait(None)


class Feed:
    """The console's live updates in one process: one poll for every open stream."""

    def __init__(self, console: Console, streams: LiveStreams) -> None:
        self._console = weakref.ref(console)  # the console keeps its feed, not the reverse
        self.followers: set[Follower] = set()
        self.polls = 0
        self._wake = streams.every(
            console.options.events_poll_seconds, self.poll, self._active, name=KIND
        )
        self._stopper: asyncio.Task[None] | None = None

    @property
    def console(self) -> Console:
        console = self._console()
        assert console is not None, "the console's app is gone"
        return console

    def _active(self) -> bool:
        return bool(self.followers)

    def follow(self, follower: Follower) -> None:
        if self.console.stopping.is_set():
            follower.end()
            return
        self.followers.add(follower)
        if self._stopper is None or self._stopper.done():
            self._stopper = asyncio.get_running_loop().create_task(self._end_on_stop())
        self._wake()

    def forget(self, follower: Follower) -> None:
        self.followers.discard(follower)
        if not self.followers and self._stopper is not None:
            self._stopper.cancel()
            self._stopper = None

    async def _end_on_stop(self) -> None:
        await self.console.stopping.wait()  # the server is stopping: every stream ends
        for follower in list(self.followers):
            follower.end()

    async def poll(self) -> bool:
        followers = [follower for follower in self.followers if not follower.ended]
        if not followers:
            return False
        self.polls += 1
        console = self.console
        now = console.now()
        groups: dict[int, list[Follower]] = defaultdict(list)
        for follower in followers:
            if follower.conversation_id is not None:
                groups[follower.conversation_id].append(follower)
        news: dict[int, tuple[Sequence[TranscriptEntry], TranscriptCursor]] = {}
        async with console.unit_of_work() as store:
            waiting = await store.console.queue()
            watched = {w.conversation_id: w for w in await store.console.watch(list(groups))}
            for conversation_id, group in groups.items():
                state = watched.get(conversation_id)
                since = _earliest(follower.cursor for follower in group)
                if state is not None and _beyond(state.cursor, since):
                    news[conversation_id] = await store.console.transcript(conversation_id, since)
        if self.polls % SESSION_CHECK_POLLS == 0:
            await self._check_sessions(followers)
        self._queue(followers, waiting, now)
        for conversation_id, group in groups.items():
            state = watched.get(conversation_id)
            for follower in group:
                if follower.ended:
                    continue
                if state is None:  # gone (never in practice: conversations are not deleted)
                    follower.end()
                    continue
                self._conversation(follower, state, news.get(conversation_id), now)
        return False

    async def _check_sessions(self, followers: Sequence[Follower]) -> None:
        for token_hash in {follower.token_hash for follower in followers}:
            if await session_alive(self.console, token_hash):
                continue
            for follower in followers:
                if follower.token_hash == token_hash:
                    follower.put(_frame("logout", {}))
                    follower.end()

    def _queue(
        self, followers: Sequence[Follower], waiting: Sequence[QueueEntry], now: datetime
    ) -> None:
        signature = [(item.escalation_id, item.status.value) for item in waiting]
        frame: bytes | None = None
        for follower in followers:
            if follower.ended or follower.queue_seen == signature:
                continue
            if frame is None:
                rows = [queue_row(self.console, item, now) for item in waiting]
                frame = _frame("queue", {"rows": rows, "count": len(rows)})
            follower.queue_seen = signature
            follower.put(frame)

    def _conversation(
        self,
        follower: Follower,
        state: WatchedConversation,
        news: tuple[Sequence[TranscriptEntry], TranscriptCursor] | None,
        now: datetime,
    ) -> None:
        console = self.console
        holder = state.operator
        status = (state.status.value, holder)
        if not may_see(follower.role, follower.login, state.escalation_status, holder):
            # Taken by a colleague, closed: the page reloads and says why it shows nothing.
            follower.put(_frame("status", _status(console, state.status.value, holder)))
            follower.end()
            return
        if news is not None:
            lines, cursor = news
            fresh = [line for line in lines if _after(line.key, follower.cursor)]
            for index, line in enumerate(fresh):
                last = index == len(fresh) - 1
                event_id = cursor_text(cursor) if last else None
                follower.put(_frame("message", message(console, line, now), event_id))
            follower.cursor = _latest(follower.cursor, cursor)
        if status != follower.status_seen:
            if follower.status_seen is not None:
                follower.put(_frame("status", _status(console, state.status.value, holder)))
            follower.status_seen = status


def feed_of(console: Console, streams: LiveStreams) -> Feed:
    """The console's feed (made with its first stream)."""
    feed = _FEEDS.get(console)
    if feed is None:
        feed = _FEEDS[console] = Feed(console, streams)
    return feed


_FEEDS: weakref.WeakKeyDictionary[Console, Feed] = weakref.WeakKeyDictionary()


async def events(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    streams = request.config_dict.get(STREAMS)
    if streams is None:
        raise RuntimeError("the service did not set console.events.STREAMS on the app")
    conversation_id = _int(request.query.get("conversation"))
    cursor = parse_cursor(request.headers.get("Last-Event-ID")) or parse_cursor(
        request.query.get("after")
    )
    status: tuple[str, str | None] | None = None
    if conversation_id is not None:
        async with console.unit_of_work() as store:
            view = await store.console.conversation(conversation_id)
            if view is None:
                return _refusal(console, 404, "errors.not_found")
            if not visible(session, view):
                return await hidden(console, request, store, session, conversation_id, "events")
        holder = view.escalation.operator if view.escalation else None
        status = (view.status.value, holder)
    ticket = streams.admit(KIND, session.token_hash, streams.client_address(request))
    if ticket.refused is not None:
        return _refusal(console, 429, f"errors.streams_{ticket.refused}", limit=ticket.limit)
    try:
        if conversation_id is not None:
            async with console.unit_of_work() as store:
                details = {"conversation_id": conversation_id}
                await store.audit.record(actor(session), "console.follow", console.now(), details)
                await store.commit()
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # nginx: pass every event on at once
            }
        )
        await response.prepare(request)
        follower = Follower(session, conversation_id, cursor, status)
        feed = feed_of(console, streams)
        feed.follow(follower)
        try:
            await response.write(f"retry: {RETRY_MILLISECONDS}\n\n".encode())
            await _pump(request, response, follower, streams.idle_seconds)
        except ConnectionError:
            pass  # the browser went away
        finally:
            feed.forget(follower)
    finally:
        ticket.release()
    return response


async def _pump(
    request: web.Request, response: web.StreamResponse, follower: Follower, idle_seconds: float
) -> None:
    """Write the follower's frames until it ends, its client goes, or nothing happened for
    `idle_seconds` (then the stream closes and the browser reconnects)."""
    loop = asyncio.get_running_loop()
    last_event = last_write = loop.time()
    wait = min(CHECK_SECONDS, HEARTBEAT_SECONDS, idle_seconds)
    while True:
        try:
            frame = await asyncio.wait_for(follower.frames.get(), wait)
        except TimeoutError:
            frame = b""
        if frame is None:
            return
        now = loop.time()
        if frame:
            await response.write(frame)
            last_event = last_write = now
            continue
        if request.transport is None or request.transport.is_closing():
            return
        if now - last_event >= idle_seconds:
            return
        if now - last_write >= HEARTBEAT_SECONDS:
            await response.write(b": ping\n\n")
            last_write = now


def _refusal(console: Console, status: int, key: str, **params: Any) -> web.Response:
    return web.json_response({"ok": False, "error": console.text(key, **params)}, status=status)


def _frame(event: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    # json.dumps never writes a raw newline, so one data line carries the whole event.
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


_KINDS = {"in": 0, "out": 1, "esc": 2}


def _after(key: str, cursor: TranscriptCursor) -> bool:
    """Whether a transcript line (key "in:<id>", "out:<id>", "esc:<id>") is past `cursor`."""
    kind, _, number = key.partition(":")
    return int(number) > cursor[_KINDS[kind]]


def _earliest(cursors: Iterable[TranscriptCursor]) -> TranscriptCursor:
    a, b, c = zip(*cursors, strict=True)
    return min(a), min(b), min(c)


def _latest(one: TranscriptCursor, other: TranscriptCursor) -> TranscriptCursor:
    return max(one[0], other[0]), max(one[1], other[1]), max(one[2], other[2])


def _beyond(end: TranscriptCursor, since: TranscriptCursor) -> bool:
    return any(now > then for now, then in zip(end, since, strict=True))


def _status(console: Console, status: str, holder: str | None) -> dict[str, Any]:
    return {
        "status": status,
        "label": console.formats.label("conversation_status", status),
        "operator": holder or "",
    }


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
