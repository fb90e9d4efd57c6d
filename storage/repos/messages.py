"""Inbox (inbound events, deduplicated) and outbox (replies waiting to be sent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from core.jsontypes import JSONObject
from storage.repos._base import Repo, hold_exclusive, utcnow
from storage.tables import campaigns, conversations, customers, inbox, outbox, senders

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"  # a notice that was not to be sent after all (last_error says why)
SENDING = "sending"  # last_error of a notice handed to the platform, its outcome not yet written
DELIVERY_FAILED = "failed"  # a receipt: the platform took the message but could not deliver it

BACKOFF_MAX_SECONDS = 300
FORGET_AFTER_WINDOWS = 10  # a sender silent this many liveness windows is dropped


def backoff(attempts_before: int) -> timedelta:
    """The wait before the next try: 1 s after the first failure, doubling, at most 5 min."""
    return timedelta(seconds=min(2 ** min(attempts_before, 16), BACKOFF_MAX_SECONDS))


class InboxRepo(Repo):
    async def add(
        self,
        channel: str,
        event_id: str,
        body: JSONObject,
        received_at: datetime,
        conversation_id: int | None = None,
    ) -> bool:
        # ON CONFLICT DO NOTHING: a duplicate is not an error, so the transaction stays usable.
        values = {
            "channel": channel,
            "event_id": event_id,
            "body": body,
            "received_at": received_at,
            "conversation_id": conversation_id,
        }
        added = await self._write(
            "inbox.add",
            lambda: self._insert(inbox).on_conflict_do_nothing(
                index_elements=["channel", "event_id"]
            ),
            values,
        )
        return added == 1

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
    send_blocked: str | None = None  # why no message can go out now on the row's channel
    last_inbound_at: datetime | None = None  # the customer's last message (messaging windows)
    lane: int = 0  # core.notices.Lane
    campaign_id: int | None = None  # a notice's rule run or broadcast
    notice_key: str | None = None
    kind: str | None = None  # a notice's core.notices.Kind
    account: str | None = None  # the account a notice is about
    customer_id: int | None = None  # filled in for notices (the gate checks the customer)


class OutboxRepo(Repo):
    async def add(
        self,
        conversation_id: int,
        channel: str,
        user_id: str,
        body: JSONObject,
        created_at: datetime,
        lane: int = 0,
    ) -> int:
        values = new_row(conversation_id, channel, user_id, body, created_at, lane)
        rows = await self._rows(
            "outbox.add", lambda: outbox.insert().returning(outbox.c.id), values
        )
        return int(rows[0]["id"])

    async def add_all(
        self,
        conversation_id: int,
        channel: str,
        user_id: str,
        bodies: Sequence[JSONObject],
        created_at: datetime,
    ) -> None:
        """A turn's replies, in order, in one statement (lane 0)."""
        if not bodies:
            return
        rows = [new_row(conversation_id, channel, user_id, body, created_at) for body in bodies]
        await self._write_many("outbox.add_all", outbox.insert, rows)

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

    async def claim(
        self,
        channel: str,
        now: datetime,
        lease_until: datetime,
        *,
        limit: int,
        conversation_id: int | None = None,
        leased_by: str | None = None,
        lane: int = 0,
    ) -> list[OutboxRecord]:
        """Take every pending row of one lane of up to `limit` conversations whose oldest
        pending row in that lane is due, in id order, and lease them until `lease_until`
        (another sender leaves them alone until then; a sender that dies mid-send leaves them
        to be retried after it).

        Only a conversation's oldest pending row of the lane decides, so its messages go out in
        order and one waiting for a retry holds back the ones after it (order is kept within a
        lane: a reply may overtake a notice). Notices of a paused or cancelled campaign wait.
        On PostgreSQL the deciding rows are locked FOR UPDATE SKIP LOCKED: concurrent senders
        take different conversations.
        """

        def claimable(table: Any) -> Any:
            """A notice that may go now: due, and of no paused or cancelled campaign."""
            return and_(
                or_(
                    table.c.next_attempt_at.is_(None),
                    table.c.next_attempt_at <= bindparam("p_now"),
                ),
                or_(
                    table.c.campaign_id.is_(None),
                    exists().where(
                        campaigns.c.id == table.c.campaign_id, campaigns.c.status == "running"
                    ),
                ),
            )

        def build_head() -> Any:
            older = aliased(outbox)
            before = and_(
                older.c.conversation_id == outbox.c.conversation_id,
                # A conversation may have rows of another channel (its e-mails): each channel
                # keeps its own order and is claimed by its own sender round.
                older.c.channel == outbox.c.channel,
                older.c.status == PENDING,
                older.c.lane == lane,
                older.c.id < outbox.c.id,
            )
            if lane:
                # Among notices only those that may go keep their order: one held till the
                # morning, in backoff or paused holds back no other (an emergency at night).
                before = and_(before, claimable(older))
            head = (
                select(outbox.c.id, outbox.c.conversation_id)
                .where(
                    outbox.c.status == PENDING,
                    outbox.c.channel == bindparam("p_channel"),
                    outbox.c.lane == lane,
                    or_(
                        outbox.c.next_attempt_at.is_(None),
                        outbox.c.next_attempt_at <= bindparam("p_now"),
                    ),
                    ~exists().where(before),
                )
                .order_by(outbox.c.id)
                .limit(bindparam("p_limit"))
            )
            if lane:
                head = head.where(claimable(outbox))
            if conversation_id is not None:
                head = head.where(outbox.c.conversation_id == bindparam("p_conversation_id"))
            return head.with_for_update(skip_locked=True) if self._postgres else head

        def build_rows() -> Any:
            # The conversation's block is its messenger's («стоп», the bot blocked): rows of a
            # side channel (e-mail) go all the same.
            blocked = case(
                (customers.c.channel == outbox.c.channel, conversations.c.send_blocked),
                else_=None,
            )
            rows = (
                select(
                    outbox,
                    blocked.label("send_blocked"),
                    conversations.c.last_inbound_at,
                    conversations.c.customer_id,
                )
                .join(conversations, conversations.c.id == outbox.c.conversation_id)
                .join(customers, customers.c.id == conversations.c.customer_id)
                .where(
                    outbox.c.status == PENDING,
                    outbox.c.channel == bindparam("p_channel"),
                    outbox.c.lane == lane,
                    self._among(outbox.c.conversation_id, "p_chosen"),
                    # Said of both sides, or PostgreSQL merge-joins through every conversation.
                    self._among(conversations.c.id, "p_chosen"),
                )
                .order_by(outbox.c.id)
            )
            return rows.where(claimable(outbox)) if lane else rows

        one = "one" if conversation_id is not None else "any"
        heads = await self._rows(
            f"outbox.claim.head.{one}.{lane}",
            build_head,
            {
                "p_channel": channel,
                "p_now": now,
                "p_limit": limit,
                "p_conversation_id": conversation_id,
            },
        )
        if not heads:
            return []
        chosen = [row["conversation_id"] for row in heads]
        found = await self._rows_among(
            f"outbox.claim.rows.{lane}",
            build_rows,
            {"p_chosen": chosen, "p_now": now, "p_channel": channel},
        )
        records = [_record(row) for row in found]
        await self._write_among(
            "outbox.claim.lease",
            lambda: (
                update(outbox)
                .where(self._among(outbox.c.id, "p_ids"))
                .values(next_attempt_at=bindparam("p_lease"), leased_by=bindparam("p_by"))
            ),
            {"p_ids": [r.id for r in records], "p_lease": lease_until, "p_by": leased_by},
        )
        return records

    async def release(self, row_ids: list[int]) -> None:
        """Give leased rows back untried: due at once (still behind their conversation's head)."""
        if row_ids:
            await self._conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(row_ids))
                .values(next_attempt_at=None, leased_by=None)
            )

    async def skip(self, reasons: dict[int, str]) -> None:
        """Notices not to be sent after all, each with its reason (core.notices.Skip)."""
        statement = self._prepared(
            "outbox.skip",
            lambda: (
                update(outbox)
                .where(outbox.c.id == bindparam("p_id"), outbox.c.status == PENDING)
                .values(
                    status=SKIPPED,
                    last_error=bindparam("p_reason"),
                    next_attempt_at=None,
                    leased_by=None,
                )
            ),
        )
        if reasons:
            await self._conn.execute(
                statement, [{"p_id": k, "p_reason": v} for k, v in reasons.items()]
            )

    async def sending(self, row_id: int, leased_by: str | None) -> bool:
        """A notice is about to go to the platform: if this process dies before its outcome is
        written, nobody knows whether it arrived, and it is not sent again (at most once).
        False when the row is no longer this sender's to send (its lease ran out meanwhile and
        another took it, or it was marked already): then it must not be sent."""
        owner = (
            outbox.c.leased_by.is_(None)
            if leased_by is None
            else outbox.c.leased_by == bindparam("p_by")
        )
        statement = (
            update(outbox)
            .where(
                outbox.c.id == bindparam("p_id"),
                outbox.c.status == PENDING,
                owner,
                or_(outbox.c.last_error.is_(None), outbox.c.last_error != SENDING),
            )
            .values(last_error=SENDING)
        )
        result = await self._conn.execute(statement, {"p_id": row_id, "p_by": leased_by})
        return result.rowcount == 1

    async def rewrite(self, bodies: Mapping[int, JSONObject]) -> None:
        """Notices as they will be sent (rendered just before, in the customer's language):
        the transcript shows what went out."""
        statement = self._prepared(
            "outbox.rewrite",
            lambda: (
                update(outbox)
                .where(outbox.c.id == bindparam("p_id"))
                .values(body=bindparam("p_body", type_=outbox.c.body.type))
            ),
        )
        if bodies:
            await self._conn.execute(
                statement, [{"p_id": k, "p_body": v} for k, v in bodies.items()]
            )

    async def defer(self, row_id: int, until: datetime, error: str) -> None:
        """Try again at `until` without counting a failure (the platform asked us to wait)."""
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(next_attempt_at=until, last_error=error, leased_by=None)
        )

    async def due_notices(self, now: datetime, channels: Sequence[str] | None = None) -> int:
        """Notices pending and due by `now` (held ones and those in flight are not), of these
        channels only if named."""
        query = select(func.count()).where(
            outbox.c.status == PENDING,
            outbox.c.lane > 0,
        )
        if channels is not None:
            query = query.where(outbox.c.channel.in_(list(channels)))
        result = await self._conn.execute(
            query.where(
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
                # A paused or cancelled broadcast's notices are not due.
                or_(
                    outbox.c.campaign_id.is_(None),
                    exists().where(
                        campaigns.c.id == outbox.c.campaign_id, campaigns.c.status == "running"
                    ),
                ),
            )
        )
        return int(result.scalar_one())

    async def depth(self) -> list[tuple[str, int, datetime | None]]:
        """Per channel: pending replies (lane 0) and the oldest one's creation time — what
        customers wait for; a broadcast draining at the platform's rate is not a backlog."""
        result = await self._conn.execute(
            select(outbox.c.channel, func.count(), func.min(outbox.c.created_at))
            .where(outbox.c.status == PENDING, outbox.c.lane == 0)
            .group_by(outbox.c.channel)
            .order_by(outbox.c.channel)
        )
        return [(row[0], int(row[1]), row[2]) for row in result]

    async def record_delivery(
        self,
        channel: str,
        platform_ids: list[str],
        status: str,
        at: datetime,
        error: str = "",
        *,
        earlier_too: bool = False,
    ) -> int:
        """A receipt for the rows the platform knows by these ids; returns the rows changed.
        `earlier_too`: the receipt stands for everything sent to that customer before as well
        (Viber sends one «seen» for all the messages a customer has just read)."""
        values = _delivery_values(status, at, error)
        if not platform_ids:
            return 0
        if earlier_too:
            latest = await self._conn.execute(
                select(outbox.c.user_id, func.max(outbox.c.sent_at))
                .where(
                    outbox.c.channel == channel,
                    outbox.c.platform_message_id.in_(platform_ids),
                    outbox.c.sent_at.is_not(None),
                )
                .group_by(outbox.c.user_id)
            )
            changed = 0
            for user_id, until in latest.all():
                changed += await self.record_delivery_until(channel, user_id, status, until, at)
            return changed
        result = await self._conn.execute(
            update(outbox)
            .where(
                outbox.c.channel == channel,
                outbox.c.platform_message_id.in_(platform_ids),
                _moves_forward(status),
            )
            .values(**values)
        )
        return int(result.rowcount)

    async def record_delivery_until(
        self, channel: str, user_id: str, status: str, until: datetime, at: datetime
    ) -> int:
        """A watermark receipt: every message to `user_id` sent at or before `until`."""
        values = _delivery_values(status, at, "")
        result = await self._conn.execute(
            update(outbox)
            .where(
                outbox.c.channel == channel,
                outbox.c.user_id == user_id,
                outbox.c.status == SENT,
                outbox.c.sent_at <= until,
                _moves_forward(status),
            )
            .values(**values)
        )
        return int(result.rowcount)

    async def get(self, row_id: int) -> OutboxRecord | None:
        result = await self._conn.execute(select(outbox).where(outbox.c.id == row_id))
        row = result.mappings().one_or_none()
        return None if row is None else _record(row)

    async def attachment(self, row_id: int) -> JSONObject | None:
        """The file of an outbox row's reply (its body's `attachment`), for GET /media."""
        result = await self._conn.execute(select(outbox.c.body).where(outbox.c.id == row_id))
        body = result.scalar_one_or_none()
        found = body.get("attachment") if isinstance(body, dict) else None
        return found if isinstance(found, dict) else None

    async def last_queued(
        self, conversation_id: int, channel: str, user_id: str
    ) -> datetime | None:
        result = await self._conn.execute(
            select(func.max(outbox.c.created_at)).where(
                outbox.c.conversation_id == conversation_id,
                outbox.c.channel == channel,
                outbox.c.user_id == user_id,
            )
        )
        found: datetime | None = result.scalar_one_or_none()
        return found

    async def mark_sent(self, row_id: int, at: datetime, platform_id: str | None = None) -> None:
        await self._write(
            "outbox.mark_sent",
            lambda: (
                update(outbox)
                .where(outbox.c.id == bindparam("p_id"))
                .values(
                    status=SENT,
                    sent_at=bindparam("p_at"),
                    platform_message_id=bindparam("p_platform_id"),
                    next_attempt_at=None,
                    leased_by=None,
                    # A notice's «sending» mark goes; an earlier try's error stays as history.
                    last_error=case(
                        (outbox.c.last_error == SENDING, None), else_=outbox.c.last_error
                    ),
                )
            ),
            {"p_id": row_id, "p_at": at, "p_platform_id": platform_id},
        )

    async def mark_failed(
        self,
        row_id: int,
        at: datetime,
        error: str,
        permanent: bool,
        max_attempts: int | None = None,
    ) -> None:
        """Count the attempt; retry after backoff(attempts so far), or give up if permanent
        or if this was attempt number `max_attempts`."""
        result = await self._conn.execute(select(outbox.c.attempts).where(outbox.c.id == row_id))
        attempts = result.scalar_one()
        values: dict[str, Any] = {
            "attempts": attempts + 1,
            "last_error": error[:2000],
            "leased_by": None,
        }
        if permanent or (max_attempts is not None and attempts + 1 >= max_attempts):
            values.update(status=FAILED, next_attempt_at=None)
        else:
            values["next_attempt_at"] = at + backoff(attempts)
        await self._conn.execute(update(outbox).where(outbox.c.id == row_id).values(**values))


# A receipt moves a row forward only: "delivered" after "read" changes nothing; "failed" is
# always recorded (a platform may fail a message it first reported sent).
_DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3}


def _delivery_values(status: str, at: datetime, error: str) -> dict[str, Any]:
    if status not in (*_DELIVERY_RANK, DELIVERY_FAILED):
        raise ValueError(f"unknown delivery status {status!r}")
    values: dict[str, Any] = {"delivery": status, "delivery_at": at}
    if status == DELIVERY_FAILED:
        values["delivery_error"] = error[:2000] or None
    return values


def _moves_forward(status: str) -> ColumnElement[bool]:
    """The rows a receipt of `status` may update."""
    if status == DELIVERY_FAILED:
        return outbox.c.delivery.is_distinct_from(DELIVERY_FAILED)
    lower = [name for name, rank in _DELIVERY_RANK.items() if rank < _DELIVERY_RANK[status]]
    return or_(outbox.c.delivery.is_(None), outbox.c.delivery.in_(lower))


def _record(row: Mapping[Any, Any]) -> OutboxRecord:
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
        send_blocked=row.get("send_blocked"),
        last_inbound_at=row.get("last_inbound_at"),
        lane=row.get("lane") or 0,
        campaign_id=row.get("campaign_id"),
        notice_key=row.get("notice_key"),
        kind=row.get("kind"),
        account=row.get("account"),
        customer_id=row.get("customer_id"),
    )


class SenderRepo(Repo):
    async def beat(self, sender_id: str, now: datetime, alive_since: datetime) -> int:
        # One beat at a time: two at once would each count only itself (neither sees the
        # other's row before it commits), and both senders would take the whole rate.
        await hold_exclusive(self._conn, "outbox.senders")
        upsert = self._insert(senders).values(id=sender_id, seen_at=now)
        await self._conn.execute(
            upsert.on_conflict_do_update(index_elements=["id"], set_={"seen_at": now})
        )
        # Killed processes never say goodbye: forget them once long silent.
        forgotten = alive_since - (now - alive_since) * FORGET_AFTER_WINDOWS
        await self._conn.execute(senders.delete().where(senders.c.seen_at < forgotten))
        alive = select(senders.c.id).where(senders.c.seen_at >= alive_since)
        # Rows leased by a sender that is gone (killed) are due again now, not when their
        # lease ends: it will never send them.
        await self._conn.execute(
            update(outbox)
            .where(
                outbox.c.leased_by.is_not(None),
                outbox.c.leased_by.not_in(alive.scalar_subquery()),
                outbox.c.status == PENDING,
            )
            .values(next_attempt_at=None, leased_by=None)
        )
        count = select(func.count()).select_from(alive.subquery())
        return int((await self._conn.execute(count)).scalar_one())

    async def leave(self, sender_id: str) -> None:
        await self._conn.execute(senders.delete().where(senders.c.id == sender_id))


def new_row(
    conversation_id: int,
    channel: str,
    user_id: str,
    body: JSONObject,
    created_at: datetime,
    lane: int = 0,
) -> dict[str, object]:
    """An outbox row as a turn or a producer writes it: pending, not yet tried."""
    return {
        "conversation_id": conversation_id,
        "channel": channel,
        "user_id": user_id,
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "created_at": created_at,
        "lane": lane,
    }
