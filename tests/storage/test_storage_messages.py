"""Inbox deduplication and the outbox's order, backoff and claims."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from core.conversations import Customer
from storage.database import Database
from storage.repos.messages import backoff
from storage.tables import audit, inbox, outbox, senders


async def _conversation_id(db: Database, customer: Customer, now: datetime) -> int:
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        await store.commit()
    return conversation.id


async def test_duplicate_event_returns_false_and_the_transaction_still_commits(
    db: Database, now: datetime
) -> None:
    body = {"kind": "text", "text": "привет"}
    async with db.unit_of_work() as store:
        assert await store.inbox.add("telegram", "u1", body, now) is True
        await store.commit()
    async with db.unit_of_work() as store:
        assert (
            await store.inbox.add("telegram", "u1", {"kind": "text", "text": "again"}, now) is False
        )
        # Same id on another channel is another event.
        assert await store.inbox.add("viber", "u1", body, now) is True
        await store.audit.record("system", "after duplicate", now)
        await store.commit()
    async with db.unit_of_work() as store:
        rows = (await store.connection.execute(select(inbox.c.channel, inbox.c.body))).all()
        actions = (await store.connection.execute(select(audit.c.action))).scalars().all()
    assert sorted(rows) == [("telegram", body), ("viber", body)]
    assert actions == ["after duplicate"]


async def test_duplicate_inside_one_transaction(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        assert await store.inbox.add("webchat", "e1", {"kind": "start"}, now)
        assert not await store.inbox.add("webchat", "e1", {"kind": "start"}, now)
        await store.commit()


async def test_an_event_kept_as_its_conversation_is_opened(
    db: Database, customer: Customer, now: datetime
) -> None:
    """open_with_event: the conversation locked and the event kept with it (on PostgreSQL in
    one statement); again, the event is a duplicate; for an unknown sender nothing is kept."""
    conversation_id = await _conversation_id(db, customer, now)
    body = {"kind": "text", "text": "баланс"}
    async with db.unit_of_work() as store:
        found = await store.conversations.open_with_event(
            customer.channel, customer.user_id, "e1", body, now
        )
        assert found is not None
        kept_customer, conversation, added = found
        assert (kept_customer.id, conversation.id, added) == (customer.id, conversation_id, True)
        again = await store.conversations.open_with_event(
            customer.channel, customer.user_id, "e1", body, now + timedelta(seconds=1)
        )
        assert again is not None and again[2] is False
        unknown = await store.conversations.open_with_event(
            customer.channel, "no such user", "e2", body, now
        )
        assert unknown is None
        await store.commit()
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(inbox.c.event_id, inbox.c.body, inbox.c.received_at, inbox.c.conversation_id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("e1", body, now, conversation_id)]


async def test_an_event_is_not_kept_while_another_transaction_holds_its_conversation(
    database_url: str, customer: Customer, now: datetime
) -> None:
    """PostgreSQL: open_with_event does not wait for a lock another transaction holds (the
    caller then takes the way that waits, and the time after it). SQLite: the transaction
    itself waits for the one writer, and then finds the conversation."""
    postgres = database_url.startswith("postgresql")
    holder, waiter = Database(database_url), Database(database_url)

    async def attempt() -> object:
        async with waiter.unit_of_work() as store:
            found = await store.conversations.open_with_event(
                customer.channel, customer.user_id, "e1", {"text": "x"}, now
            )
            await store.commit()
        return found

    try:
        async with holder.unit_of_work() as store:
            await store.conversations.get_for_update(customer, now)  # made, as it is by then
            await store.commit()
        async with holder.unit_of_work() as held:
            await held.conversations.get_for_update(customer, now)
            waiting = asyncio.create_task(attempt())
            await asyncio.sleep(0.3)
            assert waiting.done() is postgres
            await held.commit()
        found = await waiting
        async with holder.engine.connect() as conn:
            kept = (await conn.execute(select(inbox.c.event_id))).scalars().all()
    finally:
        await holder.dispose()
        await waiter.dispose()
    assert (found is None, kept) == ((True, []) if postgres else (False, ["e1"]))


async def test_attach(db: Database, customer: Customer, now: datetime) -> None:
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        await store.inbox.add("telegram", "e1", {"kind": "text", "text": "a"}, now)
        await store.inbox.attach("telegram", "e1", conversation_id)
        await store.commit()
    async with db.unit_of_work() as store:
        result = await store.connection.execute(select(inbox.c.conversation_id))
        assert result.scalar_one() == conversation_id


async def test_pending_in_id_order_per_channel_and_conversation(
    db: Database, customer: Customer, now: datetime
) -> None:
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        other = await store.customers.get_or_create("telegram", "2002", "", "ru", now)
        other_conversation = await store.conversations.get_for_update(other, now)
        ids = [
            await store.outbox.add(conversation_id, "telegram", "1001", {"text": "one"}, now),
            await store.outbox.add(other_conversation.id, "telegram", "2002", {"text": "x"}, now),
            # Created earlier but added later: order is by id, i.e. by insertion.
            await store.outbox.add(
                conversation_id, "telegram", "1001", {"text": "two"}, now - timedelta(1)
            ),
            await store.outbox.add(conversation_id, "viber", "1001", {"text": "elsewhere"}, now),
        ]
        await store.commit()
    async with db.unit_of_work() as store:
        pending = await store.outbox.pending("telegram", now=now)
        assert [row.id for row in pending] == ids[:3]
        assert [row.body["text"] for row in pending] == ["one", "x", "two"]
        mine = await store.outbox.pending("telegram", conversation_id, now=now)
        assert [row.id for row in mine] == [ids[0], ids[2]]
        first = pending[0]
        assert (first.conversation_id, first.channel, first.user_id, first.attempts) == (
            conversation_id,
            "telegram",
            "1001",
            0,
        )
        assert first.created_at == now
        assert [row.id for row in await store.outbox.pending("telegram", limit=2, now=now)] == ids[
            :2
        ]


async def test_sent_rows_leave_the_queue(db: Database, customer: Customer, now: datetime) -> None:
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        row_id = await store.outbox.add(conversation_id, "telegram", "1001", {"text": "hi"}, now)
        await store.outbox.mark_sent(row_id, now + timedelta(seconds=1), "tg-42")
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.outbox.pending("telegram", now=now + timedelta(days=1)) == []
        result = await store.connection.execute(
            select(outbox.c.status, outbox.c.sent_at, outbox.c.platform_message_id)
        )
        assert result.one() == ("sent", now + timedelta(seconds=1), "tg-42")


def test_backoff_doubles_from_one_second_up_to_five_minutes() -> None:
    assert [backoff(n).total_seconds() for n in range(10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        300,
    ]
    assert backoff(10_000) == timedelta(seconds=300)


async def test_failed_rows_wait_for_their_backoff(
    db: Database, customer: Customer, now: datetime
) -> None:
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        row_id = await store.outbox.add(conversation_id, "telegram", "1001", {"text": "a"}, now)
        later_id = await store.outbox.add(conversation_id, "telegram", "1001", {"text": "b"}, now)
        await store.outbox.mark_failed(row_id, now, "timeout", permanent=False)
        await store.commit()
    async with db.unit_of_work() as store:
        # Within the first second only the untouched row is due.
        assert [r.id for r in await store.outbox.pending("telegram", now=now)] == [later_id]
        due = await store.outbox.pending("telegram", now=now + timedelta(seconds=1))
        assert [r.id for r in due] == [row_id, later_id]
        assert due[0].attempts == 1
        failed_at = now + timedelta(seconds=1)
        await store.outbox.mark_failed(row_id, failed_at, "HTTP 502", permanent=False)
        await store.commit()
    async with db.unit_of_work() as store:
        assert row_id not in [
            r.id
            for r in await store.outbox.pending("telegram", now=failed_at + timedelta(seconds=1.9))
        ]
        due = await store.outbox.pending("telegram", now=failed_at + timedelta(seconds=2))
        assert [r.id for r in due] == [row_id, later_id]
        record = await store.outbox.get(row_id)
        assert record is not None
        assert (record.attempts, record.last_error) == (2, "HTTP 502")


async def test_permanent_failure_leaves_the_queue_for_good(
    db: Database, customer: Customer, now: datetime
) -> None:
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        row_id = await store.outbox.add(conversation_id, "telegram", "1001", {"text": "a"}, now)
        await store.outbox.mark_failed(row_id, now, "Forbidden: bot was blocked", permanent=True)
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.outbox.pending("telegram", now=now + timedelta(days=365)) == []
        record = await store.outbox.get(row_id)
        assert record is not None
        assert (record.status, record.attempts, record.next_attempt_at) == ("failed", 1, None)


async def test_concurrent_senders_claim_different_rows(
    db: Database, customer: Customer, now: datetime
) -> None:
    """SKIP LOCKED on PostgreSQL; on SQLite the single connection makes the second sender
    wait until the first has marked its rows sent."""
    conversation_id = await _conversation_id(db, customer, now)
    async with db.unit_of_work() as store:
        for text in "abc":
            await store.outbox.add(conversation_id, "telegram", "1001", {"text": text}, now)
        await store.commit()
    claimed: list[list[str]] = []
    first_claimed = asyncio.Event()

    async def sender(wait_for: asyncio.Event | None) -> None:
        if wait_for is not None:
            await wait_for.wait()
        async with db.unit_of_work() as store:
            rows = await store.outbox.pending("telegram", now=now)
            claimed.append([row.body["text"] for row in rows])
            first_claimed.set()
            await asyncio.sleep(0.2)
            for row in rows:
                await store.outbox.mark_sent(row.id, now)
            await store.commit()

    await asyncio.gather(sender(None), sender(first_claimed))
    assert claimed == [["a", "b", "c"], []]


async def _sent_rows(
    db: Database, customer: Customer, now: datetime, count: int
) -> list[tuple[int, str]]:
    """`count` rows sent one minute apart, with platform ids m0, m1, ..."""
    conversation_id = await _conversation_id(db, customer, now)
    sent = []
    async with db.unit_of_work() as store:
        for n in range(count):
            row_id = await store.outbox.add(
                conversation_id, customer.channel, customer.user_id, {"text": "x"}, now
            )
            await store.outbox.mark_sent(row_id, now + timedelta(minutes=n), f"m{n}")
            sent.append((row_id, f"m{n}"))
        await store.commit()
    return sent


async def _deliveries(db: Database) -> list[tuple[str, str | None, str | None]]:
    async with db.unit_of_work() as store:
        query = select(
            outbox.c.platform_message_id, outbox.c.delivery, outbox.c.delivery_error
        ).order_by(outbox.c.id)
        return [tuple(row) for row in (await store.connection.execute(query)).all()]


async def test_receipts_move_a_row_forward_only(
    db: Database, customer: Customer, now: datetime
) -> None:
    await _sent_rows(db, customer, now, 3)
    channel = customer.channel
    async with db.unit_of_work() as store:
        assert await store.outbox.record_delivery(channel, ["m0", "m1"], "read", now) == 2
        # Delivered arriving after read (platforms do reorder) changes nothing.
        assert await store.outbox.record_delivery(channel, ["m0"], "delivered", now) == 0
        assert await store.outbox.record_delivery(channel, ["m2"], "delivered", now) == 1
        # Another channel's ids are other messages.
        assert await store.outbox.record_delivery("other", ["m2"], "read", now) == 0
        assert await store.outbox.record_delivery(channel, ["unknown"], "read", now) == 0
        assert await store.outbox.record_delivery(channel, ["m2"], "failed", now, "gone") == 1
        await store.commit()
    assert await _deliveries(db) == [
        ("m0", "read", None),
        ("m1", "read", None),
        ("m2", "failed", "gone"),
    ]


async def test_a_watermark_receipt_covers_what_was_sent_by_then(
    db: Database, customer: Customer, now: datetime
) -> None:
    await _sent_rows(db, customer, now, 3)
    async with db.unit_of_work() as store:
        until = now + timedelta(minutes=1)
        changed = await store.outbox.record_delivery_until(
            customer.channel, customer.user_id, "delivered", until, now
        )
        assert changed == 2
        await store.commit()
    assert [row[1] for row in await _deliveries(db)] == ["delivered", "delivered", None]


async def test_an_unknown_receipt_status_is_refused(
    db: Database, customer: Customer, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        try:
            await store.outbox.record_delivery(customer.channel, ["m0"], "lost", now)
        except ValueError as exc:
            assert "lost" in str(exc)
        else:
            raise AssertionError("an unknown status was accepted")


async def test_senders_alive_are_counted_and_the_long_silent_forgotten(
    db: Database, now: datetime
) -> None:
    window = timedelta(seconds=15)
    async with db.unit_of_work() as store:
        assert await store.senders.beat("a", now, now - window) == 1
        assert await store.senders.beat("b", now, now - window) == 2
        assert await store.senders.beat("a", now + window / 2, now - window / 2) == 2
        # b fell silent: no longer alive, and after ten windows gone from the table.
        later = now + window * 2
        assert await store.senders.beat("a", later, later - window) == 1
        much_later = now + window * 20
        assert await store.senders.beat("c", much_later, much_later - window) == 1
        rows = (await store.connection.execute(select(senders.c.id))).scalars().all()
        assert rows == ["c"]
        await store.senders.leave("c")
        assert "c" not in (await store.connection.execute(select(senders.c.id))).scalars().all()
        await store.commit()


async def test_beats_at_the_same_moment_see_each_other(database_url: str, now: datetime) -> None:
    """The second of two overlapping beats waits for the first and counts it: otherwise each
    would count only itself and both take the whole rate."""
    first, second = Database(database_url), Database(database_url)
    window = timedelta(seconds=15)
    first_counted = asyncio.Event()
    try:

        async def one() -> int:
            async with first.unit_of_work() as store:
                count = await store.senders.beat("one", now, now - window)
                first_counted.set()
                await asyncio.sleep(0.3)
                await store.commit()
                return count

        async def two() -> int:
            await first_counted.wait()
            async with second.unit_of_work() as store:
                count = await store.senders.beat("two", now, now - window)
                await store.commit()
                return count

        assert await asyncio.gather(one(), two()) == [1, 2]
    finally:
        await first.dispose()
        await second.dispose()
