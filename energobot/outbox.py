"""Delivering outbox rows in order: each row is marked sent in its own transaction right after
it went out, so a failure part-way re-sends nothing that was already delivered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from core.ports import OutboxRow
from dialogs.pipeline import UnitOfWork

Send = Callable[[OutboxRow], Awaitable[str | None]]


async def drain(
    unit_of_work: UnitOfWork, channel: str, send: Send, conversation_id: int | None = None
) -> int:
    """Send every pending row of a channel (optionally one conversation); returns how many."""
    async with unit_of_work() as store:
        rows = await store.outbox.pending(channel, conversation_id)
    for row in rows:
        platform_id = await send(row)
        async with unit_of_work() as store:
            await store.outbox.mark_sent(row.id, datetime.now(UTC), platform_id)
            await store.commit()
    return len(rows)
