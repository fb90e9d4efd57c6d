"""A big purge goes in bounded batches, each its own transaction: between two of them nothing is
held, so a turn writes (even to a row a later batch deletes) while the purge is under way."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from energobot.retention import run_once
from storage.database import Database
from storage.tables import inbox, outbox
from tests.retention.helpers import CHANNEL, DAY, NOW, POLICY, conversation, count

ROWS = 50_000
# Only a safety net against a purge that would hold the database: the writer needs milliseconds.
WRITER_TIMEOUT_SECONDS = 60


async def test_fifty_thousand_old_replies_go_in_bounded_batches_with_a_turn_between(
    database: Database,
) -> None:
    _, conv = await conversation(database)
    old = NOW - 60 * DAY
    row = {
        "conversation_id": conv,
        "channel": CHANNEL,
        "user_id": "1001",
        "body": {"text": "Показания приняты"},
        "status": "sent",
        "attempts": 0,
        "created_at": old,
        "sent_at": old,
        "lane": 0,
    }
    async with database.unit_of_work() as store:
        await store.connection.execute(outbox.insert(), [row] * ROWS)
        last = (await store.connection.execute(select(func.max(outbox.c.id)))).scalar_one()
        await store.commit()
    assert await count(database, outbox) == ROWS

    batches: list[tuple[str, int]] = []
    written_after: list[int] = []

    async def a_turn() -> None:
        """What a turn writes: its event, and a receipt on a row the purge has not reached."""
        async with database.unit_of_work() as store:
            await store.inbox.add(CHANNEL, "during-purge", {"kind": "text"}, NOW, conv)
            await store.connection.execute(
                update(outbox).where(outbox.c.id == last).values(delivery="read")
            )
            await store.commit()

    async def between(step: str, changed: int) -> None:
        batches.append((step, changed))
        deleted = [n for s, n in batches if s == "replies_deleted" and n]
        if len(deleted) == 1:
            async with asyncio.timeout(WRITER_TIMEOUT_SECONDS):
                await a_turn()
            written_after.append(len(deleted))

    counts = await run_once(database.unit_of_work, POLICY, NOW, on_batch=between)

    assert counts.replies_deleted == ROWS
    replies = [n for step, n in batches if step == "replies_deleted"]
    # Every batch a transaction of at most `batch` rows; the last finds nothing more.
    assert replies == [POLICY.batch] * (ROWS // POLICY.batch) + [0]
    assert counts.batches == ROWS // POLICY.batch
    # The turn committed after the first batch, with 49 still to come.
    assert written_after == [1]
    assert await count(database, outbox) == 0
    assert await count(database, inbox, inbox.c.event_id == "during-purge") == 1
