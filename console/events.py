"""Live updates as Server-Sent Events.

Each stream polls the database (every `events_poll_seconds`) rather than listening to an
in-process bus: escalations and messages may come from any process behind the load balancer.
Events: `queue` (the whole waiting queue, when it changed), `message` (a new line of the open
conversation), `status` (the open conversation changed hands), `logout` (the session ended).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from console.auth import session_alive
from console.context import Console, console_of, session_of
from console.views import message, parse_cursor, queue_row
from core.ports import TranscriptEntry

# A comment line this often keeps proxies from closing an idle stream and finds dead clients.
HEARTBEAT_SECONDS = 15.0


async def events(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    conversation_id = _int(request.query.get("conversation"))
    cursor = parse_cursor(request.query.get("after"))
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass every event on at once
        }
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    queue_seen: Any = None
    status_seen: Any = None
    last_write = loop.time()
    try:
        while not console.stopping.is_set():
            if request.transport is None or request.transport.is_closing():
                break
            if not await session_alive(console, session.token_hash):
                await _send(response, "logout", {})
                break
            now = console.now()
            async with console.unit_of_work() as store:
                waiting = await store.console.queue()
                lines: Sequence[TranscriptEntry] = []
                view = None
                if conversation_id is not None:
                    view = await store.console.conversation(conversation_id)
                    if view is not None:
                        lines, cursor = await store.console.transcript(conversation_id, cursor)
            signature = [(item.escalation_id, item.status.value) for item in waiting]
            if signature != queue_seen:
                queue_seen = signature
                rows = [queue_row(console, item, now) for item in waiting]
                await _send(response, "queue", {"rows": rows, "count": len(rows)})
                last_write = loop.time()
            for line in lines:
                await _send(response, "message", message(console, line, now))
                last_write = loop.time()
            if view is not None:
                holder = view.escalation.operator if view.escalation else None
                state = (view.status.value, holder)
                if state != status_seen:
                    if status_seen is not None:
                        await _send(response, "status", _status(console, view.status.value, holder))
                        last_write = loop.time()
                    status_seen = state
            if loop.time() - last_write >= HEARTBEAT_SECONDS:
                await response.write(b": ping\n\n")
                last_write = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(console.stopping.wait(), console.options.events_poll_seconds)
    except (ConnectionResetError, ConnectionError):
        pass  # the browser went away
    return response


def _status(console: Console, status: str, holder: str | None) -> dict[str, Any]:
    return {
        "status": status,
        "label": console.formats.label("conversation_status", status),
        "operator": holder or "",
    }


async def _send(response: web.StreamResponse, event: str, data: dict[str, Any]) -> None:
    # json.dumps never writes a raw newline, so one data line carries the whole event.
    payload = json.dumps(data, ensure_ascii=False)
    await response.write(f"event: {event}\ndata: {payload}\n\n".encode())


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
