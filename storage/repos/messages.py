"""Inbox (inbound events, deduplicated) and outbox (replies waiting to be sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from storage.repos._base import Repo, utcnow
from storage.tables import inbox, outbox

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

BACKOFF_MAX_SECONDS = 300


def backoff(attempts_before: int) -> timedelta:
    """The wait before the next try: 1 s after the first failure, doubling, at most 5 min."""
    return timedelta(seconds=min(2 ** min(attempts_before, 16), BACKOFF_MAX_SECONDS))


class InboxRepo(Repo):
    async def add(
        self, channel: str, event_id: str, body: dict[str, Any], received_at: datetime
    ) -> bool:
        # ON CONFLICT DO NOTHING: a duplicate is not an error, so the transaction stays usable.
        statement = (
            self._insert(inbox)
            .values(channel=channel, event_id=event_id, body=body, received_at=received_at)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        )
        result = await self._conn.execute(statement)
        return result.rowcount == 1

    async def attach(self, channel: str, event_id: str, conversation_id: int) -> None:
        await self._conn.execute(
            update(inbox)
            .where(inbox.c.channel == channel, inbox.c.event_id == event_id)
            .values(conversation_id=conversation_id)
        )


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbox row as core.ports.OutboxRow describes it."""

    id: int
    conversation_id: int
    channel: str
    user_id: str
    body: dict[str, Any]
    created_at: datetime
    attempts: int
    status: str = PENDING
    next_attempt_at: datetime | None = None
    last_error: str | None = None


class OutboxRepo(Repo):
    async def add(
        self,
        conversation_id: int,
        channel: str,
        user_id: str,
        body: dict[str, Any],
        created_at: datetime,
    ) -> int:
        result = await self._conn.execute(
            outbox.insert()
            .values(
                conversation_id=conversation_id,
                channel=channel,
                user_id=user_id,
                body=body,
                status=PENDING,
                attempts=0,
                created_at=created_at,
            )
            .returning(outbox.c.id)
        )
        return int(result.scalar_one())

    async def pending(
        self,
        channel: str,
        conversation_id: int | None = None,
        *,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[OutboxRecord]:
        """Pending rows due by `now`, in id order.

        On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED until the unit of work ends,
        so concurrent senders in other processes each claim different rows.
        """
        now = now or utcnow()
        query = (
            select(outbox)
            .where(
                outbox.c.status == PENDING,
                outbox.c.channel == channel,
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            )
            .order_by(outbox.c.id)
        )
        if conversation_id is not None:
            query = query.where(outbox.c.conversation_id == conversation_id)
        if limit is not None:
            query = query.limit(limit)
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        result = await self._conn.execute(query)
        return [_record(row) for row in result.mappings()]

    async def get(self, row_id: int) -> OutboxRecord | None:
        result = await self._conn.execute(select(outbox).where(outbox.c.id == row_id))
        row = result.mappings().one_or_none()
        return None if row is None else _record(row)

    async def mark_sent(self, row_id: int, at: datetime, platform_id: str | None = None) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(
                status=SENT,
                sent_at=at,
                platform_message_id=platform_id,
                next_attempt_at=None,
            )
        )

    async def mark_failed(self, row_id: int, at: datetime, error: str, permanent: bool) -> None:
        """Count the attempt; retry after backoff(attempts so far), or give up if permanent."""
        result = await self._conn.execute(select(outbox.c.attempts).where(outbox.c.id == row_id))
        attempts = result.scalar_one()
        values: dict[str, Any] = {"attempts": attempts + 1, "last_error": error}
        if permanent:
            values.update(status=FAILED, next_attempt_at=None)
        else:
            values["next_attempt_at"] = at + backoff(attempts)
        await self._conn.execute(update(outbox).where(outbox.c.id == row_id).values(**values))


def _record(row: Any) -> OutboxRecord:
    return OutboxRecord(
        id=row["id"],
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        user_id=row["user_id"],
        body=row["body"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        status=row["status"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
    )
