"""Customers, their conversations and their consent records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core.conversations import (
    Author,
    Conversation,
    ConversationStatus,
    Customer,
    EscalationMessage,
    transcript_line,
)
from core.jsontypes import JSONObject
from storage.repos._base import Repo, utcnow
from storage.repos.messages import PENDING, InboxRepo, OutboxRepo, new_row
from storage.tables import (
    account_links,
    consents,
    conversations,
    customers,
    email_addresses,
    escalation_messages,
    escalations,
    inbox,
    outbox,
    subscriptions,
)


class CustomerRepo(Repo):
    async def get_or_create(
        self, channel: str, user_id: str, display_name: str, language: str, now: datetime
    ) -> Customer:
        """The customer of a messenger identity; created on first contact.

        A later non-empty display name replaces the stored one. An erased customer who
        writes again starts afresh: erased_at is cleared (consent is asked again, since the
        old one stays withdrawn).
        """
        row = await self._by_identity(channel, user_id)
        if row is None:
            await self._conn.execute(
                self._insert(customers)
                .values(
                    channel=channel,
                    user_id=user_id,
                    display_name=display_name,
                    language=language,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["channel", "user_id"])
            )
            row = await self._by_identity(channel, user_id)
            assert row is not None
        changes: dict[str, Any] = {}
        if display_name and display_name != row["display_name"]:
            changes["display_name"] = display_name
        if row["erased_at"] is not None:
            changes["erased_at"] = None
        if changes:
            await self._conn.execute(
                update(customers).where(customers.c.id == row["id"]).values(**changes)
            )
            row = {**row, **changes}
        return _customer(row)

    async def get(self, customer_id: int) -> Customer | None:
        result = await self._conn.execute(select(customers).where(customers.c.id == customer_id))
        row = result.mappings().one_or_none()
        return None if row is None else _customer(row)

    async def update(self, customer: Customer) -> None:
        await self._conn.execute(
            update(customers)
            .where(customers.c.id == customer.id)
            .values(language=customer.language)
        )

    async def erase(self, customer_id: int, now: datetime) -> None:
        """Forget the person, keep what billing needs.

        Gone: account links, display name, the texts of inbound events, sent or failed replies,
        the customer's and the bot's lines in escalations and the escalations' reasons, the
        dialog state. Kept: readings, visits, link attempts, the consent records (marked
        withdrawn), operators' lines, and replies still pending (the confirmation of this very
        erasure is usually one of them).
        """
        # What they chose to be told goes too: a customer who comes back is asked again. So do
        # notices still queued (they name accounts, addresses, amounts; replies stay).
        await self._conn.execute(
            delete(subscriptions).where(subscriptions.c.customer_id == customer_id)
        )
        # The addresses they confirmed for receipts, and the addresses mails went to.
        await self._conn.execute(
            delete(email_addresses).where(email_addresses.c.customer_id == customer_id)
        )
        await self._conn.execute(
            delete(outbox).where(
                outbox.c.lane > 0,
                outbox.c.status == "pending",
                outbox.c.conversation_id.in_(
                    select(conversations.c.id).where(conversations.c.customer_id == customer_id)
                ),
            )
        )
        await self._conn.execute(
            delete(account_links).where(account_links.c.customer_id == customer_id)
        )
        await self._conn.execute(
            update(consents)
            .where(consents.c.customer_id == customer_id, consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=now)
        )
        await self._conn.execute(
            update(customers)
            .where(customers.c.id == customer_id)
            .values(display_name="", erased_at=now)
        )
        conversation_ids = select(conversations.c.id).where(
            conversations.c.customer_id == customer_id
        )
        events = await self._conn.execute(
            select(inbox.c.id, inbox.c.body).where(inbox.c.conversation_id.in_(conversation_ids))
        )
        erased = [
            {"_pk": event_id, "body": {"kind": (body or {}).get("kind"), "erased": True}}
            for event_id, body in events.all()
        ]
        if erased:
            await self._conn.execute(update(inbox).where(inbox.c.id == bindparam("_pk")), erased)
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.conversation_id.in_(conversation_ids), outbox.c.status != PENDING)
            .values(body={"erased": True})
        )
        await self._conn.execute(
            update(outbox)
            .where(
                outbox.c.conversation_id.in_(conversation_ids),
                outbox.c.channel == "email",
                outbox.c.status != PENDING,
            )
            .values(user_id="")
        )
        escalation_ids = select(escalations.c.id).where(
            escalations.c.conversation_id.in_(conversation_ids)
        )
        # The bot's lines quote the customer too: the transcript of its replies, the contacts
        # note with the full new phone or e-mail. Operators' own lines stay as their record.
        await self._conn.execute(
            update(escalation_messages)
            .where(
                escalation_messages.c.escalation_id.in_(escalation_ids),
                escalation_messages.c.author.in_((Author.CUSTOMER.value, Author.BOT.value)),
            )
            .values(text="")
        )
        # A reason is the customer's own words or a summary of their request.
        await self._conn.execute(
            update(escalations).where(escalations.c.id.in_(escalation_ids)).values(reason="")
        )
        await self._conn.execute(
            update(conversations)
            .where(conversations.c.customer_id == customer_id)
            .values(state={}, updated_at=now)
        )

    async def _by_identity(self, channel: str, user_id: str) -> dict[str, Any] | None:
        def build() -> Any:
            return select(customers).where(
                customers.c.channel == bindparam("p_channel"),
                customers.c.user_id == bindparam("p_user_id"),
            )

        rows = await self._rows(
            "customers.by_identity", build, {"p_channel": channel, "p_user_id": user_id}
        )
        return rows[0] if rows else None


class ConversationRepo(Repo):
    async def get_for_update(self, customer: Customer, now: datetime) -> Conversation:
        """Locked FOR UPDATE on PostgreSQL; SQLite's single writer serialises by itself."""
        row = await self._locked(customer.id)
        if row is None:
            await self._conn.execute(
                self._insert(conversations)
                .values(
                    customer_id=customer.id,
                    status=ConversationStatus.BOT.value,
                    state={},
                    version=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["customer_id"])
            )
            row = await self._locked(customer.id)
            assert row is not None
        return _conversation(row, customer)

    async def open(self, channel: str, user_id: str) -> tuple[Customer, Conversation] | None:
        rows = await self._rows(
            "conversations.open",
            lambda: _opening(self._postgres),
            {"p_channel": channel, "p_user_id": user_id},
        )
        return _opened(rows[0]) if rows else None

    async def open_with_event(
        self, channel: str, user_id: str, event_id: str, body: JSONObject, received_at: datetime
    ) -> tuple[Customer, Conversation, bool] | None:
        if not self._postgres:  # in process: two statements cost no round trip
            opened = await self.open(channel, user_id)
            if opened is None:
                return None
            added = await InboxRepo(self._conn).add(
                channel, event_id, body, received_at, opened[1].id
            )
            return *opened, added

        def build() -> Any:
            found = _opening(postgres=True, skip_locked=True).cte("opened")
            event = select(
                bindparam("p_channel", type_=inbox.c.channel.type),
                bindparam("p_event_id", type_=inbox.c.event_id.type),
                bindparam("p_body", type_=inbox.c.body.type),
                bindparam("p_received_at", type_=inbox.c.received_at.type),
                found.c.c_id,
            )
            added = (
                pg_insert(inbox)
                .from_select(
                    ["channel", "event_id", "body", "received_at", "conversation_id"], event
                )
                .on_conflict_do_nothing(index_elements=["channel", "event_id"])
                .returning(inbox.c.id)
                .cte("added")
            )
            count = select(func.count()).select_from(added).scalar_subquery()
            return select(found, count.label("added"))

        values = {
            "p_channel": channel,
            "p_user_id": user_id,
            "p_event_id": event_id,
            "p_body": body,
            "p_received_at": received_at,
        }
        rows = await self._rows("conversations.open_with_event", build, values)
        if not rows:
            return None
        return *_opened(rows[0]), rows[0]["added"] == 1

    async def save(
        self,
        conversation: Conversation,
        replies: Sequence[JSONObject] = (),
        at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "p_id": conversation.id,
            "p_status": ConversationStatus(conversation.status).value,
            "p_state": conversation.state,
            "p_version": conversation.version,
            "p_last_inbound_at": conversation.last_inbound_at,
            "p_send_blocked": conversation.send_blocked,
            "p_updated_at": utcnow(),
        }
        if not replies:
            await self._write("conversations.save", _save, values)
            return
        made = at or utcnow()
        who = (conversation.id, conversation.channel, conversation.user_id)
        if not self._postgres:  # no round trips to save on SQLite, nor DML in a WITH
            await OutboxRepo(self._conn).add_all(*who, replies, made)
            await self._write("conversations.save", _save, values)
            return
        rows = [new_row(*who, body, made) for body in replies]
        # One round trip: the state saved in a WITH, the replies inserted in order.
        for number, row in enumerate(rows):
            values.update({f"r{number}_{key}": value for key, value in row.items()})
        await self._write(
            f"conversations.save.replies.{len(rows)}",
            lambda: (
                insert(outbox)
                .values([_reply(n, rows[0]) for n in range(len(rows))])
                .add_cte(_save().cte("saved"))
            ),
            values,
        )

    async def block_sending(self, conversation_id: int, reason: str | None) -> None:
        """Record why nothing can be delivered to the conversation now; None clears it."""
        await self._conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(send_blocked=reason[:64] if reason else None)
        )

    async def last_inbound_at(self, conversation_id: int) -> datetime | None:
        result = await self._conn.execute(
            select(conversations.c.last_inbound_at).where(conversations.c.id == conversation_id)
        )
        return result.scalar_one_or_none()

    async def transcript(self, conversation_id: int, limit: int) -> list[EscalationMessage]:
        """Inbound events and outbox replies merged by time; the latest `limit`, oldest first."""
        if limit <= 0:
            return []
        events = await self._conn.execute(
            select(inbox.c.id, inbox.c.body, inbox.c.received_at)
            .where(inbox.c.conversation_id == conversation_id)
            .order_by(inbox.c.received_at.desc(), inbox.c.id.desc())
            .limit(limit)
        )
        replies = await self._conn.execute(
            select(outbox.c.id, outbox.c.body, outbox.c.created_at)
            .where(outbox.c.conversation_id == conversation_id)
            .order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
            .limit(limit)
        )
        # At equal times the customer's message comes first: the reply answers it.
        merged: list[tuple[datetime, int, int, EscalationMessage]] = []
        for event_id, body, at in events.all():
            text = transcript_line(
                body.get("kind", ""),
                body.get("text") or "",
                body.get("file_id") or "",
                body.get("phone") or "",
            )
            merged.append((at, 0, event_id, EscalationMessage(Author.CUSTOMER, text, at)))
        for reply_id, body, at in replies.all():
            operator = body.get("operator")
            author = Author.OPERATOR if operator else Author.BOT
            message = EscalationMessage(author, body.get("text") or "", at, operator or None)
            merged.append((at, 1, reply_id, message))
        merged.sort(key=lambda item: item[:3])
        return [item[3] for item in merged[-limit:]]

    async def _locked(self, customer_id: int) -> dict[str, Any] | None:
        def build() -> Any:
            query = select(conversations).where(
                conversations.c.customer_id == bindparam("p_customer_id")
            )
            return query.with_for_update() if self._postgres else query

        rows = await self._rows("conversations.locked", build, {"p_customer_id": customer_id})
        return rows[0] if rows else None


class ConsentRepo(Repo):
    async def has(self, customer_id: int, version: str) -> bool:
        """A consent to this text version that has not been withdrawn."""
        rows = await self._rows(
            "consents.has",
            lambda: (
                select(consents.c.id)
                .where(
                    consents.c.customer_id == bindparam("p_customer_id"),
                    consents.c.version == bindparam("p_version"),
                    consents.c.withdrawn_at.is_(None),
                )
                .limit(1)
            ),
            {"p_customer_id": customer_id, "p_version": version},
        )
        return bool(rows)

    async def record(self, customer_id: int, version: str, channel: str, at: datetime) -> None:
        """Idempotent while the consent stands; after a withdrawal a new record is made."""
        if await self.has(customer_id, version):
            return
        await self._conn.execute(
            consents.insert().values(
                customer_id=customer_id, version=version, channel=channel, given_at=at
            )
        )


_CONVERSATION_COLUMNS = tuple(
    conversations.c[name]
    for name in ("id", "status", "state", "version", "last_inbound_at", "send_blocked")
)


def _opening(postgres: bool, *, skip_locked: bool = False) -> Any:
    """A known customer with their conversation, locked on PostgreSQL."""
    query = (
        select(customers, *(c.label(f"c_{c.name}") for c in _CONVERSATION_COLUMNS))
        .join(conversations, conversations.c.customer_id == customers.c.id)
        .where(
            customers.c.channel == bindparam("p_channel"),
            customers.c.user_id == bindparam("p_user_id"),
            customers.c.erased_at.is_(None),
        )
    )
    return query.with_for_update(of=conversations, skip_locked=skip_locked) if postgres else query


def _opened(row: Mapping[str, Any]) -> tuple[Customer, Conversation]:
    customer = _customer(row)
    own = {c.name: row[f"c_{c.name}"] for c in _CONVERSATION_COLUMNS}
    return customer, _conversation(own, customer)


def _conversation(row: Any, customer: Customer) -> Conversation:
    return Conversation(
        id=row["id"],
        customer_id=customer.id,
        channel=customer.channel,
        user_id=customer.user_id,
        status=ConversationStatus(row["status"]),
        state=row["state"],
        version=row["version"],
        last_inbound_at=row["last_inbound_at"],
        send_blocked=row["send_blocked"],
    )


def _customer(row: Any) -> Customer:
    return Customer(
        id=row["id"],
        channel=row["channel"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        language=row["language"],
        created_at=row["created_at"],
    )


def _save() -> Any:
    return (
        update(conversations)
        .where(conversations.c.id == bindparam("p_id"))
        .values(
            status=bindparam("p_status"),
            state=bindparam("p_state"),
            version=bindparam("p_version"),
            last_inbound_at=bindparam("p_last_inbound_at"),
            send_blocked=bindparam("p_send_blocked"),
            updated_at=bindparam("p_updated_at"),
        )
    )


def _reply(number: int, row: dict[str, object]) -> dict[str, Any]:
    """The parameters of one reply's row in a multi-row VALUES."""
    return {key: bindparam(f"r{number}_{key}", type_=outbox.c[key].type) for key in row}
