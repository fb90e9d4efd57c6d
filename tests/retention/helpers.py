"""Rows of every kind the retention job looks at, written through the store's own ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.notices import Kind, NoticeDraft, lane_of, notice_key
from energobot.retention import RetentionPolicy
from storage.database import Database

NOW = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CHANNEL = "telegram"

POLICY = RetentionPolicy(
    inbox=30 * DAY,
    inbox_keys=90 * DAY,
    replies=30 * DAY,
    notices=365 * DAY,
    link_attempts=90 * DAY,
    batch=1000,
)


async def conversation(database: Database, user_id: str = "1001") -> tuple[int, int]:
    """(customer id, conversation id) of a Telegram customer."""
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, user_id, "", "ru", NOW - 400 * DAY)
        found = await store.conversations.get_for_update(customer, NOW - 400 * DAY)
        await store.commit()
    return customer.id, found.id


async def event(database: Database, conversation_id: int, event_id: str, at: datetime) -> None:
    body = {"kind": "text", "text": f"показания {event_id}", "phone": "+79120000000"}
    async with database.unit_of_work() as store:
        assert await store.inbox.add(CHANNEL, event_id, body, at, conversation_id)
        await store.commit()


async def reply(
    database: Database, conversation_id: int, at: datetime, status: str = "sent"
) -> int:
    """A reply (lane 0) created at `at`, then sent, failed or skipped, or left pending."""
    async with database.unit_of_work() as store:
        row_id = await store.outbox.add(conversation_id, CHANNEL, "1001", {"text": "ok"}, at)
        if status == "sent":
            await store.outbox.mark_sent(row_id, at, "m1")
        elif status == "failed":
            await store.outbox.mark_failed(row_id, at, "blocked", permanent=True)
        elif status == "skipped":
            await store.outbox.skip({row_id: "quiet"})
        await store.commit()
    return row_id


def debt_notice(customer_id: int, conversation_id: int, due: str) -> NoticeDraft:
    return NoticeDraft(
        key=notice_key(Kind.DEBT_DUE, due, "5901234567", customer_id),
        conversation_id=conversation_id,
        channel=CHANNEL,
        user_id="1001",
        account="5901234567",
        params={"due": due, "amount": "1520.40"},
    )


async def queue_notice(database: Database, draft: NoticeDraft, at: datetime) -> int:
    """How many rows the producer inserted for `draft` (0: its key is known)."""
    kind = Kind.DEBT_DUE
    async with database.unit_of_work() as store:
        campaign = await store.campaigns.ensure(f"debt_due:{at.date()}", kind.value, "x", at)
        queued = await store.notices.queue(campaign.id, kind.value, lane_of(kind), [draft], at)
        await store.commit()
    return queued


async def send_all_notices(database: Database, at: datetime) -> None:
    from storage.tables import outbox

    async with database.unit_of_work() as store:
        ids = (await store.connection.execute(select(outbox.c.id).where(outbox.c.lane > 0))).all()
        for (row_id,) in ids:
            await store.outbox.mark_sent(row_id, at, None)
        await store.commit()


async def count(database: Database, table: Any, *where: Any) -> int:
    async with database.unit_of_work() as store:
        query = select(func.count()).select_from(table)
        if where:
            query = query.where(*where)
        return int((await store.connection.execute(query)).scalar_one())
