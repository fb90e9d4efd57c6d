"""Read-only views of one messenger identity's conversation for the web chat: what the customer
wrote (inbox) and what was delivered to them (outbox), so a reloaded page loses nothing and an
open page learns of replies another process delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, func, select

from storage.repos._base import Repo
from storage.repos.messages import PENDING, SENT
from storage.tables import conversations, customers, inbox, outbox


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An inbound event as the inbox holds it (Inbound.to_dict())."""

    id: int
    body: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class DeliveredReply:
    """An outbox row that was sent (Reply.to_dict() as its body)."""

    id: int
    user_id: str
    body: dict[str, Any]
    at: datetime
    platform_id: str | None


@dataclass(frozen=True, slots=True)
class ChatLog:
    language: str | None  # the customer's language; None before their first message
    events: list[LoggedEvent]  # the latest, oldest first
    replies: list[DeliveredReply]  # the latest, oldest first
    # Every reply of this identity with an id up to here is final (sent or given up): the ones
    # still to come have greater ids, since a conversation's replies go out in id order.
    cursor: int


class ChatLogRepo(Repo):
    async def language(self, channel: str, user_id: str) -> str | None:
        result = await self._conn.execute(
            select(customers.c.language).where(
                customers.c.channel == channel, customers.c.user_id == user_id
            )
        )
        return result.scalar_one_or_none()

    async def log(self, channel: str, user_id: str, limit: int) -> ChatLog:
        """The latest `limit` inbound events and delivered replies of the identity."""
        language = await self.language(channel, user_id)
        if language is None:
            return ChatLog(None, [], [], 0)
        events = await self._conn.execute(
            select(inbox.c.id, inbox.c.body, inbox.c.received_at)
            .join(conversations, conversations.c.id == inbox.c.conversation_id)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == channel, customers.c.user_id == user_id)
            .order_by(inbox.c.received_at.desc(), inbox.c.id.desc())
            .limit(limit)
        )
        replies = await self._conn.execute(
            select(outbox)
            .where(outbox.c.channel == channel, outbox.c.user_id == user_id)
            .where(outbox.c.status == SENT)
            .order_by(outbox.c.id.desc())
            .limit(limit)
        )
        final = await self._conn.execute(
            select(func.max(outbox.c.id)).where(
                outbox.c.channel == channel,
                outbox.c.user_id == user_id,
                outbox.c.status != PENDING,
            )
        )
        return ChatLog(
            language,
            [LoggedEvent(row.id, row.body, row.received_at) for row in reversed(events.all())],
            [_delivered(row) for row in reversed(replies.mappings().all())],
            int(final.scalar_one() or 0),
        )

    async def delivered(
        self, channel: str, user_ids: Sequence[str], after_id: int, limit: int
    ) -> list[DeliveredReply]:
        """Sent rows of these identities with ids above `after_id`, in id order.

        Served by the (status, channel, id) index: the range starts at the oldest cursor of the
        open chats, which is recent.
        """
        if not user_ids:
            return []
        result = await self._conn.execute(
            select(outbox)
            .where(
                outbox.c.status == SENT,
                outbox.c.channel == channel,
                outbox.c.id > after_id,
                outbox.c.user_id.in_(list(user_ids)),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [_delivered(row) for row in result.mappings()]


def _delivered(row: RowMapping) -> DeliveredReply:
    return DeliveredReply(
        id=row["id"],
        user_id=row["user_id"],
        body=row["body"],
        at=row["created_at"],
        platform_id=row["platform_message_id"],
    )


def chat_log_reader(
    unit_of_work: Callable[[], AbstractAsyncContextManager[Any]],
) -> Callable[[], AbstractAsyncContextManager[ChatLogRepo]]:
    """Read-only ChatLogRepo sessions on a Database's units of work (nothing is committed)."""

    @asynccontextmanager
    async def open_log() -> AsyncIterator[ChatLogRepo]:
        async with unit_of_work() as store:
            yield ChatLogRepo(store.connection)

    return open_log
