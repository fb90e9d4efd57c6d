"""The retention job's statements (core.ports.RetentionPort): one bounded batch per call.

Each statement picks at most `limit` rows by age through an index of its own (migration 0012)
and changes only those, so a batch is a short transaction: SQLite's one writer and
PostgreSQL's row locks are let go before the next batch, and turns run in between.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from core.notices import Lane
from storage.repos._base import Repo
from storage.repos.messages import FAILED, SENT, SKIPPED
from storage.tables import inbox, link_attempts, outbox

# What is left of an inbound event once its time is over: its key (channel, event_id) and
# when it came; the body is all the customer sent (texts, phone numbers, files' ids).
CLEARED_BODY = {"expired": True}
# Rows the sender is done with; a pending row is never retention's to touch.
FINAL = (SENT, FAILED, SKIPPED)
NOTICE_LANES = tuple(lane.value for lane in Lane if lane is not Lane.REPLY)


class RetentionRepo(Repo):
    async def clear_inbox(self, before: datetime, limit: int) -> int:
        # Attached rows only: the partial index ix_inbox_received_at_attached holds nothing
        # else, so rows cleared by an earlier run are never read again.
        chunk = (
            select(inbox.c.id)
            .where(inbox.c.conversation_id.is_not(None), inbox.c.received_at < before)
            .limit(limit)
        )
        statement = (
            update(inbox)
            .where(inbox.c.id.in_(chunk.scalar_subquery()))
            .values(body=CLEARED_BODY, conversation_id=None)
        )
        return await self._count(statement)

    async def delete_inbox(self, before: datetime, limit: int) -> int:
        # Detached rows by age: the index (conversation_id, received_at) with conversation_id
        # NULL. clear_inbox runs first with a later cut-off, so every row this old is detached.
        chunk = (
            select(inbox.c.id)
            .where(inbox.c.conversation_id.is_(None), inbox.c.received_at < before)
            .limit(limit)
        )
        return await self._count(delete(inbox).where(inbox.c.id.in_(chunk.scalar_subquery())))

    async def delete_replies(self, before: datetime, limit: int) -> int:
        chunk = (
            select(outbox.c.id)
            .where(
                outbox.c.lane == Lane.REPLY.value,
                outbox.c.created_at < before,
                # A reply held back a while (blocked, backing off) keeps its file's link, signed
                # when it went, for the whole period too.
                or_(outbox.c.sent_at.is_(None), outbox.c.sent_at < before),
                outbox.c.status.in_(FINAL),
                # Never a once-only key, whatever lane a row of the future may carry it in.
                # Not `IS NULL`: SQLite would walk the unique index of the keys for it.
                func.coalesce(outbox.c.notice_key, "") == "",
            )
            .limit(limit)
        )
        return await self._count(delete(outbox).where(outbox.c.id.in_(chunk.scalar_subquery())))

    async def delete_notices(self, before: datetime, limit: int) -> int:
        chunk = (
            select(outbox.c.id)
            .where(
                outbox.c.lane.in_(NOTICE_LANES),
                outbox.c.created_at < before,
                outbox.c.status.in_(FINAL),
            )
            .limit(limit)
        )
        return await self._count(delete(outbox).where(outbox.c.id.in_(chunk.scalar_subquery())))

    async def delete_link_attempts(self, before: datetime, limit: int) -> int:
        chunk = select(link_attempts.c.id).where(link_attempts.c.at < before).limit(limit)
        statement = delete(link_attempts).where(link_attempts.c.id.in_(chunk.scalar_subquery()))
        return await self._count(statement)

    async def _count(self, statement: Any) -> int:
        result = await self._conn.execute(statement)
        return int(result.rowcount)
