"""Open chat pages of this process and what reaches them live.

A reply the outbox sender delivers through this process's channel is pushed to the session's
pages at once. A reply delivered by another `energobot serve` process (several behind a load
balancer) is found by polling: one query a second for every open page of the process, for
sent rows past each page's cursor. A page may get a reply both ways; it shows a key once.

With the service (Host.streams) the poll runs in the process's one shared poller, beside the
console's, and the pages a session or a client address may hold open at once are limited
(webchat.max_streams_per_session, max_streams_per_address); without it (a hub made alone) the
hub polls in a task of its own, unlimited.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bots.plugin import LiveStreams, StreamTicket
from bots.webchat.messages import (
    CHANNEL,
    Delivered,
    MediaPath,
    ShownMessage,
    reply_key,
    shown_delivered,
)

log = logging.getLogger(__name__)

POLL_BATCH = 500  # rows per query; a full batch is followed by another poll at once
SESSIONS_PER_QUERY = 500  # open sessions per query (an IN list)
BACKLOG = 1000  # frames waiting for a page that does not read; beyond, its stream ends
IDLE_SECONDS = 300.0  # without the service's streams: a stream with no reply this long ends


class DeliveredReader(Protocol):
    async def delivered(
        self, channel: str, user_ids: Sequence[str], after_id: int, limit: int
    ) -> Sequence[Delivered]: ...


OpenReader = Callable[[], AbstractAsyncContextManager[DeliveredReader]]


def frame(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    """One Server-Sent Event; the id lets a reconnecting page resume after it."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class Listener:
    """One open page: frames to write, and where it stands in the session's replies."""

    def __init__(self, user_id: str, cursor: int, media: MediaPath | None = None) -> None:
        self.user_id = user_id
        self.cursor = cursor
        self.media = media
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()  # None: the stream ends
        self.pushed: set[str] = set()  # keys pushed locally that no poll has seen yet
        self.ended = False

    def push(self, message: ShownMessage) -> None:
        self.pushed.add(message.key)
        self._put(frame("reply", message.to_dict()))

    def polled(self, row: Delivered) -> None:
        key = reply_key(row)
        if key in self.pushed:
            self.pushed.discard(key)
            self._put(frame("cursor", {}, row.id))  # only moves the resume point
        elif (message := shown_delivered(row, self.media)) is not None:
            self._put(frame("reply", message.to_dict(), row.id))
        self.cursor = max(self.cursor, row.id)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.queue.put_nowait(None)

    def _put(self, item: str) -> None:
        if self.ended:
            return
        if self.queue.qsize() >= BACKLOG:
            self.end()  # a page that does not read: it reconnects after its cursor
            return
        self.queue.put_nowait(item)


class _Unlimited:
    """The ticket of a hub without the service's streams: always a place."""

    refused: str | None = None
    limit = 0

    def release(self) -> None:
        return None


class Hub:
    def __init__(
        self,
        poll_seconds: float = 1.0,
        streams: LiveStreams | None = None,
        max_per_session: int = 0,
        max_per_address: int = 0,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.reader: OpenReader | None = None  # set when the routes are mounted
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._poller: asyncio.Task[None] | None = None
        self._closed = False
        self.streams = streams
        self.media: MediaPath | None = None  # the files' signed links (Host.media_path)
        self.idle_seconds = streams.idle_seconds if streams is not None else IDLE_SECONDS
        self._wake: Callable[[], None] | None = None
        if streams is not None:
            streams.limit(CHANNEL, max_per_session, max_per_address)
            self._wake = streams.every(poll_seconds, self._poll_shared, self._polling, CHANNEL)

    def admit(self, session: str, address: str) -> StreamTicket:
        """A place for one more open page of `session` from `address` (ticket.refused says
        which limit is full)."""
        if self.streams is None:
            return _Unlimited()
        return self.streams.admit(CHANNEL, session, address)

    def publish(self, user_id: str, message: ShownMessage) -> None:
        for listener in self._listeners.get(user_id, ()):
            listener.push(message)

    def listen(self, user_id: str, cursor: int) -> Listener:
        listener = Listener(user_id, cursor, self.media)
        if self._closed:
            listener.end()
            return listener
        self._listeners[user_id].add(listener)
        if self._wake is not None:
            self._wake()  # the shared poller (it polls while _polling() says so)
        elif self.reader is not None and (self._poller is None or self._poller.done()):
            self._poller = asyncio.create_task(self._poll_while_open(), name="webchat-poller")
        return listener

    def forget(self, listener: Listener) -> None:
        listeners = self._listeners.get(listener.user_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[listener.user_id]

    @property
    def open_pages(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    async def poll(self) -> int:
        """One look for rows delivered since the cursors; returns the most one query found."""
        if self.reader is None or not self._listeners:
            return 0
        sessions = sorted(self._listeners)
        found = 0
        for start in range(0, len(sessions), SESSIONS_PER_QUERY):
            chunk = sessions[start : start + SESSIONS_PER_QUERY]
            after = min(
                (li.cursor for s in chunk for li in self._listeners.get(s, ())), default=None
            )
            if after is None:  # those pages closed meanwhile
                continue
            async with self.reader() as reader:
                rows = await reader.delivered(CHANNEL, chunk, after, POLL_BATCH)
            for row in rows:
                for listener in list(self._listeners.get(row.user_id, ())):
                    if row.id > listener.cursor:
                        listener.polled(row)
            if rows:
                # The rows come in id order for every session of the chunk: each page has seen
                # all of its own up to the last one, even a page none of them were for (else
                # one quiet page would hold the query at its old cursor and the poll would spin
                # on the same full batch).
                last = rows[-1].id
                for session in chunk:
                    for listener in self._listeners.get(session, ()):
                        listener.cursor = max(listener.cursor, last)
            found = max(found, len(rows))
        return found

    def _polling(self) -> bool:
        return bool(self._listeners) and self.reader is not None and not self._closed

    async def _poll_shared(self) -> bool:
        """One poll for the shared poller; True: a full batch, poll again at once."""
        return await self.poll() >= POLL_BATCH

    async def _poll_while_open(self) -> None:
        while self._listeners and not self._closed:
            try:
                found = await self.poll()
            except Exception:
                log.exception("webchat: polling delivered replies failed")
                found = 0
            if found < POLL_BATCH:
                await asyncio.sleep(self.poll_seconds)

    async def close(self) -> None:
        """End every open stream (the server is stopping) and the poller."""
        self._closed = True
        for listeners in self._listeners.values():
            for listener in listeners:
                listener.end()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
