"""What the operators' console reads across tables: the queue, a conversation's whole
transcript, what the live updates watch, visits by status and day, today's figures; and
claiming an escalation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from core.conversations import Author, ConversationStatus, EscalationStatus, transcript_line
from core.visits import Visit, VisitStatus
from storage.repos._base import Repo
from storage.repos.visits import visit_from_row
from storage.tables import (
    account_links,
    accounts,
    conversations,
    customers,
    escalation_messages,
    escalations,
    inbox,
    outbox,
    visits,
)

_ACTIVE = (EscalationStatus.WAITING.value, EscalationStatus.CLAIMED.value)
# Escalation lines the inbox and the outbox do not already hold.
_OWN_LINES = (Author.NOTE.value, Author.BOT.value)
_ORDER = {Author.CUSTOMER: 0, Author.BOT: 1, Author.OPERATOR: 1, Author.NOTE: 2}

Cursor = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """core.ports.QueueEntry."""

    escalation_id: int
    conversation_id: int
    channel: str
    customer_name: str
    accounts: tuple[str, ...]
    reason: str
    status: EscalationStatus
    operator: str | None
    created_at: datetime
    claimed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """core.ports.ConversationView."""

    id: int
    customer_id: int
    channel: str
    user_id: str
    customer_name: str
    language: str
    status: ConversationStatus
    escalation: QueueItem | None


@dataclass(frozen=True, slots=True)
class Line:
    """core.ports.TranscriptEntry."""

    key: str
    author: Author
    text: str
    at: datetime
    operator: str | None = None
    delivery: str | None = None


@dataclass(frozen=True, slots=True)
class Watched:
    """core.ports.WatchedConversation."""

    conversation_id: int
    status: ConversationStatus
    escalation_status: EscalationStatus | None
    operator: str | None
    cursor: Cursor


class ConsoleRepo(Repo):
    async def queue(self) -> list[QueueItem]:
        query = _escalations().where(escalations.c.status == EscalationStatus.WAITING.value)
        return await self._items(query.order_by(escalations.c.created_at, escalations.c.id))

    async def held(self, operator: str) -> list[QueueItem]:
        query = _escalations().where(
            escalations.c.status == EscalationStatus.CLAIMED.value,
            escalations.c.operator == operator,
        )
        return await self._items(query.order_by(escalations.c.created_at, escalations.c.id))

    async def escalation(self, escalation_id: int) -> QueueItem | None:
        items = await self._items(_escalations().where(escalations.c.id == escalation_id))
        return items[0] if items else None

    async def claim(self, escalation_id: int, operator: str, at: datetime) -> bool:
        # The condition on the status makes the update the arbiter: of two operators
        # claiming at once, exactly one changes the row.
        result = await self._conn.execute(
            update(escalations)
            .where(
                escalations.c.id == escalation_id,
                escalations.c.status == EscalationStatus.WAITING.value,
            )
            .values(status=EscalationStatus.CLAIMED.value, operator=operator, claimed_at=at)
        )
        return result.rowcount == 1

    async def conversation(self, conversation_id: int) -> ConversationInfo | None:
        result = await self._conn.execute(
            select(
                conversations.c.id,
                conversations.c.customer_id,
                conversations.c.status,
                customers.c.channel,
                customers.c.user_id,
                customers.c.display_name,
                customers.c.language,
            )
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(conversations.c.id == conversation_id)
        )
        row = result.mappings().one_or_none()
        if row is None:
            return None
        # The active escalation if there is one, else the latest.
        active_first = escalations.c.status.in_(_ACTIVE).desc()
        latest = await self._items(
            _escalations()
            .where(escalations.c.conversation_id == conversation_id)
            .order_by(active_first, escalations.c.created_at.desc(), escalations.c.id.desc())
            .limit(1)
        )
        return ConversationInfo(
            id=row["id"],
            customer_id=row["customer_id"],
            channel=row["channel"],
            user_id=row["user_id"],
            customer_name=row["display_name"],
            language=row["language"],
            status=ConversationStatus(row["status"]),
            escalation=latest[0] if latest else None,
        )

    async def watch(self, conversation_ids: Sequence[int]) -> list[Watched]:
        ids = sorted(set(conversation_ids))
        if not ids:
            return []
        found = await self._conn.execute(
            select(conversations.c.id, conversations.c.status).where(conversations.c.id.in_(ids))
        )
        statuses = {row.id: ConversationStatus(row.status) for row in found.all()}
        # Per conversation the active escalation, else the latest (as conversation() has it).
        latest: dict[int, tuple[tuple[bool, datetime, int], str, str | None]] = {}
        found = await self._conn.execute(
            select(
                escalations.c.id,
                escalations.c.conversation_id,
                escalations.c.status,
                escalations.c.operator,
                escalations.c.created_at,
            ).where(escalations.c.conversation_id.in_(ids))
        )
        for row in found.all():
            rank = (row.status in _ACTIVE, row.created_at, row.id)
            seen = latest.get(row.conversation_id)
            if seen is None or rank > seen[0]:
                latest[row.conversation_id] = (rank, row.status, row.operator)
        ends: list[dict[int, int]] = []
        for query in (
            select(inbox.c.conversation_id, func.max(inbox.c.id))
            .where(inbox.c.conversation_id.in_(ids))
            .group_by(inbox.c.conversation_id),
            select(outbox.c.conversation_id, func.max(outbox.c.id))
            .where(outbox.c.conversation_id.in_(ids))
            .group_by(outbox.c.conversation_id),
            select(escalations.c.conversation_id, func.max(escalation_messages.c.id))
            .join(escalations, escalations.c.id == escalation_messages.c.escalation_id)
            .where(
                escalations.c.conversation_id.in_(ids),
                escalation_messages.c.author.in_(_OWN_LINES),
            )
            .group_by(escalations.c.conversation_id),
        ):
            ends.append({key: int(value) for key, value in (await self._conn.execute(query)).all()})
        watched = []
        for conversation_id, status in statuses.items():
            escalation = latest.get(conversation_id)
            watched.append(
                Watched(
                    conversation_id=conversation_id,
                    status=status,
                    escalation_status=EscalationStatus(escalation[1]) if escalation else None,
                    operator=escalation[2] if escalation else None,
                    cursor=(
                        ends[0].get(conversation_id, 0),
                        ends[1].get(conversation_id, 0),
                        ends[2].get(conversation_id, 0),
                    ),
                )
            )
        return watched

    async def transcript(
        self, conversation_id: int, after: Cursor | None = None
    ) -> tuple[list[Line], Cursor]:
        after_in, after_out, after_esc = after or (0, 0, 0)
        lines: list[tuple[tuple[Any, ...], Line]] = []
        events = await self._conn.execute(
            select(inbox.c.id, inbox.c.body, inbox.c.received_at)
            .where(inbox.c.conversation_id == conversation_id, inbox.c.id > after_in)
            .order_by(inbox.c.id)
        )
        last_in = after_in
        for event_id, body, at in events.all():
            last_in = max(last_in, event_id)
            body = body or {}
            if body.get("kind") in ("stopped", "resumed"):
                continue  # delivery notices, not messages
            text = transcript_line(
                body.get("kind", ""),
                body.get("text") or "",
                body.get("file_id") or "",
                body.get("phone") or "",
            )
            lines.append(_sorted(Line(f"in:{event_id}", Author.CUSTOMER, text, at), event_id))
        replies = await self._conn.execute(
            select(
                outbox.c.id, outbox.c.body, outbox.c.created_at, outbox.c.status, outbox.c.delivery
            )
            .where(outbox.c.conversation_id == conversation_id, outbox.c.id > after_out)
            # Notices are lines once they are sent or failed (queued or skipped ones never
            # reached the customer).
            .where(or_(outbox.c.lane == 0, outbox.c.status.in_(("sent", "failed"))))
            .order_by(outbox.c.id)
        )
        last_out = after_out
        for reply_id, body, at, status, receipt in replies.all():
            last_out = max(last_out, reply_id)
            if status == "sent" and receipt:
                status = receipt  # the platform's word: delivered, read, or failed after all
            operator = (body or {}).get("operator")
            author = Author.OPERATOR if operator else Author.BOT
            text = _reply_text(body or {})
            line = Line(f"out:{reply_id}", author, text, at, operator or None, status)
            lines.append(_sorted(line, reply_id))
        own = await self._conn.execute(
            select(
                escalation_messages.c.id,
                escalation_messages.c.author,
                escalation_messages.c.text,
                escalation_messages.c.operator,
                escalation_messages.c.at,
            )
            .join(escalations, escalations.c.id == escalation_messages.c.escalation_id)
            .where(
                escalations.c.conversation_id == conversation_id,
                escalation_messages.c.id > after_esc,
                escalation_messages.c.author.in_(_OWN_LINES),
            )
            .order_by(escalation_messages.c.id)
        )
        own_rows = own.all()
        last_esc = max([after_esc, *(row.id for row in own_rows)])
        copies = await self._bot_lines_sent(conversation_id, own_rows)
        for row in own_rows:
            author = Author(row.author)
            if author is Author.BOT and (row.at, row.text) in copies:
                continue  # a copy of a reply, made when the escalation opened
            line = Line(f"esc:{row.id}", author, row.text, row.at, row.operator)
            lines.append(_sorted(line, row.id))
        lines.sort(key=lambda item: item[0])
        return [line for _, line in lines], (last_in, last_out, last_esc)

    async def visits(
        self, status: VisitStatus | None, day: date | None, limit: int
    ) -> list[tuple[Visit, str]]:
        when = func.coalesce(visits.c.scheduled_date, visits.c.preferred_date)
        query = select(visits, accounts.c.address).join(
            accounts, accounts.c.number == visits.c.account_number
        )
        if status is not None:
            query = query.where(visits.c.status == VisitStatus(status).value)
        if day is not None:
            query = query.where(when == day)
        query = query.order_by(when, visits.c.created_at, visits.c.id).limit(limit)
        result = await self._conn.execute(query)
        return [(visit_from_row(row), row["address"]) for row in result.mappings()]

    async def first_responses(self, since: datetime) -> list[float]:
        first = (
            select(
                escalation_messages.c.escalation_id,
                func.min(escalation_messages.c.at).label("first_at"),
            )
            .where(escalation_messages.c.author == Author.OPERATOR.value)
            .group_by(escalation_messages.c.escalation_id)
            .subquery()
        )
        result = await self._conn.execute(
            select(escalations.c.created_at, first.c.first_at)
            .join(first, first.c.escalation_id == escalations.c.id)
            .where(escalations.c.created_at >= since)
        )
        return [(answered - queued).total_seconds() for queued, answered in result.all()]

    async def resolved(self, since: datetime) -> int:
        result = await self._conn.execute(
            select(func.count())
            .select_from(escalations)
            .where(
                escalations.c.status == EscalationStatus.CLOSED.value,
                escalations.c.operator.is_not(None),
                escalations.c.closed_at >= since,
            )
        )
        return int(result.scalar_one())

    async def _items(self, query: Select[Any]) -> list[QueueItem]:
        rows = (await self._conn.execute(query)).mappings().all()
        linked: dict[int, list[str]] = defaultdict(list)
        customer_ids = {row["customer_id"] for row in rows}
        if customer_ids:
            links = await self._conn.execute(
                select(account_links.c.customer_id, account_links.c.account_number)
                .where(account_links.c.customer_id.in_(customer_ids))
                .order_by(account_links.c.linked_at, account_links.c.id)
            )
            for customer_id, number in links.all():
                linked[customer_id].append(number)
        return [
            QueueItem(
                escalation_id=row["id"],
                conversation_id=row["conversation_id"],
                channel=row["channel"],
                customer_name=row["display_name"],
                accounts=tuple(linked[row["customer_id"]]),
                reason=row["reason"],
                status=EscalationStatus(row["status"]),
                operator=row["operator"],
                created_at=row["created_at"],
                claimed_at=row["claimed_at"],
            )
            for row in rows
        ]

    async def _bot_lines_sent(self, conversation_id: int, rows: Any) -> set[tuple[datetime, str]]:
        """(time, text) of outbox replies at the times of these bot lines."""
        times = {row.at for row in rows if row.author == Author.BOT.value}
        if not times:
            return set()
        result = await self._conn.execute(
            select(outbox.c.created_at, outbox.c.body).where(
                outbox.c.conversation_id == conversation_id, outbox.c.created_at.in_(times)
            )
        )
        return {(at, (body or {}).get("text") or "") for at, body in result.all()}


def _escalations() -> Select[Any]:
    return (
        select(
            escalations,
            conversations.c.customer_id,
            customers.c.channel,
            customers.c.display_name,
        )
        .join(conversations, conversations.c.id == escalations.c.conversation_id)
        .join(customers, customers.c.id == conversations.c.customer_id)
    )


def _sorted(line: Line, row_id: int) -> tuple[tuple[Any, ...], Line]:
    # At equal times the customer's message comes first: the reply answers it.
    return (line.at, _ORDER[line.author], line.key.split(":")[0], row_id), line


def _reply_text(body: dict[str, Any]) -> str:
    # A mail with a one-time code is shown as it is kept (outbox.sender.KEPT_TEXT), never with
    # the code, whatever moment the transcript is read at.
    values = body.get("values")
    kept = values.get("kept_text") if isinstance(values, dict) else None
    text = kept if isinstance(kept, str) else body.get("text") or ""
    attachment = body.get("attachment")
    if attachment:
        name = attachment.get("filename") or attachment.get("media_type") or ""
        return f"{text}\n[{name}]" if text else f"[{name}]"
    return text
