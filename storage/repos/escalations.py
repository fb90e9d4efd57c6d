"""Escalations to operators, with the messages exchanged in them, and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, select, update

from core.conversations import Author, Escalation, EscalationMessage, EscalationStatus
from storage.repos._base import Repo
from storage.tables import escalation_messages, escalations

_ACTIVE = (EscalationStatus.WAITING.value, EscalationStatus.CLAIMED.value)
# The reason is a queue headline; the full text is in the escalation's messages.
_REASON_TYPE = escalations.c.reason.type
assert isinstance(_REASON_TYPE, String) and _REASON_TYPE.length is not None
_REASON_LENGTH: int = _REASON_TYPE.length


class EscalationRepo(Repo):
    async def open(
        self,
        conversation_id: int,
        reason: str,
        at: datetime,
        transcript: Sequence[EscalationMessage],
    ) -> Escalation:
        """A waiting escalation whose first messages are the transcript so far.

        A reason longer than the column is cut with «…».
        """
        reason = _headline(reason)
        result = await self._conn.execute(
            escalations.insert()
            .values(
                conversation_id=conversation_id,
                reason=reason,
                status=EscalationStatus.WAITING.value,
                created_at=at,
            )
            .returning(escalations.c.id)
        )
        escalation_id = int(result.scalar_one())
        if transcript:
            await self._conn.execute(
                escalation_messages.insert(),
                [_message_row(escalation_id, message) for message in transcript],
            )
        return Escalation(
            id=escalation_id,
            conversation_id=conversation_id,
            reason=reason,
            status=EscalationStatus.WAITING,
            created_at=at,
            messages=list(transcript),
        )

    async def active(self, conversation_id: int) -> Escalation | None:
        result = await self._conn.execute(
            select(escalations)
            .where(
                escalations.c.conversation_id == conversation_id,
                escalations.c.status.in_(_ACTIVE),
            )
            .order_by(escalations.c.created_at.desc(), escalations.c.id.desc())
            .limit(1)
        )
        row = result.mappings().one_or_none()
        if row is None:
            return None
        return Escalation(
            id=row["id"],
            conversation_id=row["conversation_id"],
            reason=row["reason"],
            status=EscalationStatus(row["status"]),
            created_at=row["created_at"],
            operator=row["operator"],
            messages=await self._messages(row["id"]),
        )

    async def add_message(
        self,
        escalation_id: int,
        author: Author,
        text: str,
        at: datetime,
        operator: str | None = None,
    ) -> None:
        message = EscalationMessage(author=author, text=text, at=at, operator=operator)
        await self._conn.execute(
            escalation_messages.insert().values(**_message_row(escalation_id, message))
        )

    async def close(self, escalation_id: int, at: datetime) -> None:
        await self._conn.execute(
            update(escalations)
            .where(escalations.c.id == escalation_id)
            .values(status=EscalationStatus.CLOSED.value, closed_at=at)
        )

    async def _messages(self, escalation_id: int) -> list[EscalationMessage]:
        result = await self._conn.execute(
            select(escalation_messages)
            .where(escalation_messages.c.escalation_id == escalation_id)
            .order_by(escalation_messages.c.at, escalation_messages.c.id)
        )
        return [
            EscalationMessage(
                author=Author(row["author"]),
                text=row["text"],
                at=row["at"],
                operator=row["operator"],
            )
            for row in result.mappings()
        ]


def _headline(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) <= _REASON_LENGTH:
        return reason
    return reason[: _REASON_LENGTH - 1].rstrip() + "…"


def _message_row(escalation_id: int, message: EscalationMessage) -> dict[str, Any]:
    return {
        "escalation_id": escalation_id,
        "author": Author(message.author).value,
        "text": message.text,
        "operator": message.operator,
        "at": message.at,
    }
