"""Delivering outbox rows: claim pending rows in order, send each, record the result."""

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
    sent = 0
    async with unit_of_work() as store:
        rows = await store.outbox.pending(channel, conversation_id)
        for row in rows:
            platform_id = await send(row)
            await store.outbox.mark_sent(row.id, datetime.now(UTC), platform_id)
            sent += 1
        await store.commit()
    return sent
