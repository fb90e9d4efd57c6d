"""Open chat pages of this process and what reaches them live.

A reply the outbox sender delivers through this process's channel is pushed to the session's
pages at once. A reply delivered by another `energobot serve` process (several behind a load
balancer) is found by polling: one query a second for every open page of the process, for
sent rows past each page's cursor. A page may get a reply both ways; it shows a key once.
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

from bots.webchat.messages import CHANNEL, Delivered, ShownMessage, reply_key, shown_delivered

log = logging.getLogger(__name__)

POLL_BATCH = 500  # rows per query; a full batch is followed by another poll at once
SESSIONS_PER_QUERY = 500  # open sessions per query (an IN list)


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

    def __init__(self, user_id: str, cursor: int) -> None:
        self.user_id = user_id
        self.cursor = cursor
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()  # None: the stream ends
        self.pushed: set[str] = set()  # keys pushed locally that no poll has seen yet

    def push(self, message: ShownMessage) -> None:
        self.pushed.add(message.key)
        self.queue.put_nowait(frame("reply", message.to_dict()))

    def polled(self, row: Delivered) -> None:
        key = reply_key(row)
        if key in self.pushed:
            self.pushed.discard(key)
            self.queue.put_nowait(frame("cursor", {}, row.id))  # only moves the resume point
        elif (message := shown_delivered(row)) is not None:
            self.queue.put_nowait(frame("reply", message.to_dict(), row.id))
        self.cursor = max(self.cursor, row.id)


class Hub:
    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self.reader: OpenReader | None = None  # set when the routes are mounted
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._poller: asyncio.Task[None] | None = None
        self._closed = False

    def publish(self, user_id: str, message: ShownMessage) -> None:
        for listener in self._listeners.get(user_id, ()):
            listener.push(message)

    def listen(self, user_id: str, cursor: int) -> Listener:
        listener = Listener(user_id, cursor)
        if self._closed:
            listener.queue.put_nowait(None)
            return listener
        self._listeners[user_id].add(listener)
        if self.reader is not None and (self._poller is None or self._poller.done()):
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
            found = max(found, len(rows))
        return found

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
                listener.queue.put_nowait(None)
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
