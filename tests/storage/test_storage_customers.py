"""Customers, conversations, transcripts, consents and erasure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.accounts import Account
from core.conversations import Author, ConversationStatus, Customer, EscalationMessage
from core.readings import Reading, ReadingStatus
from storage.database import Database
from storage.tables import consents, customers, escalation_messages, escalations, inbox, outbox


async def test_get_or_create_is_idempotent(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        first = await store.customers.get_or_create("viber", "abc==", "Пётр", "ru", now)
        again = await store.customers.get_or_create(
            "viber", "abc==", "Пётр", "en", now + timedelta(1)
        )
        other = await store.customers.get_or_create("telegram", "abc==", "Пётр", "ru", now)
        await store.commit()
    assert again == first
    assert other.id != first.id
    assert (first.channel, first.user_id, first.display_name, first.language) == (
        "viber",
        "abc==",
        "Пётр",
        "ru",
    )
    assert first.created_at == now
    async with db.unit_of_work() as store:
        assert await store.customers.get(first.id) == first
        assert await store.customers.get(first.id + 1000) is None


async def test_display_name_follows_the_messenger_but_not_blanks(
    db: Database, customer: Customer, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        renamed = await store.customers.get_or_create("telegram", "1001", "Maria P.", "ru", now)
        unchanged = await store.customers.get_or_create("telegram", "1001", "", "ru", now)
        await store.commit()
    assert renamed.display_name == unchanged.display_name == "Maria P."


async def test_update_saves_the_language(db: Database, customer: Customer, now: datetime) -> None:
    customer.language = "en"
    customer.display_name = "ignored"
    async with db.unit_of_work() as store:
        await store.customers.update(customer)
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.customers.get(customer.id)
    assert stored is not None
    assert (stored.language, stored.display_name) == ("en", "Maria")


async def test_conversation_is_created_once_and_saved(
    db: Database, customer: Customer, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        await store.commit()
    assert conversation.customer_id == customer.id
    assert (conversation.channel, conversation.user_id) == ("telegram", "1001")
    assert conversation.status is ConversationStatus.BOT
    assert (conversation.state, conversation.version, conversation.last_inbound_at) == ({}, 0, None)
    assert conversation.send_blocked is None

    conversation.status = ConversationStatus.WAITING_OPERATOR
    conversation.state = {"flow": "submit_reading", "data": {"values": ["12345.6"], "ok": True}}
    conversation.version = 7
    conversation.last_inbound_at = now
    conversation.send_blocked = "blocked_by_user"
    async with db.unit_of_work() as store:
        await store.conversations.save(conversation)
        await store.commit()
    async with db.unit_of_work() as store:
        again = await store.conversations.get_for_update(customer, now + timedelta(1))
    assert again == conversation


def _message(
    author: Author, text: str, at: datetime, operator: str | None = None
) -> EscalationMessage:
    return EscalationMessage(author=author, text=text, at=at, operator=operator)


async def test_transcript_merges_inbox_and_outbox_by_time(
    db: Database, customer: Customer, now: datetime
) -> None:
    t = [now + timedelta(seconds=s) for s in range(6)]
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        cid = conversation.id
        events = [
            ("e1", {"kind": "start", "text": ""}, t[0]),
            ("e2", {"kind": "text", "text": "хочу передать показания"}, t[2]),
            ("e3", {"kind": "contact", "text": None, "phone": "+79123456789"}, t[4]),
            ("e4", {"kind": "file", "text": "", "file_id": "AgAD-42"}, t[4]),
            ("e5", {"kind": "file", "text": "счёт", "file_id": "AgAD-43"}, t[4]),
        ]
        for event_id, body, at in events:
            await store.inbox.add("telegram", event_id, body, at)
            await store.inbox.attach("telegram", event_id, cid)
        # Not attached to this conversation: not in its transcript.
        await store.inbox.add("telegram", "stray", {"kind": "text", "text": "other"}, t[1])
        await store.outbox.add(cid, "telegram", "1001", {"text": "Здравствуйте!"}, t[1])
        await store.outbox.add(cid, "telegram", "1001", {"text": "Введите показания"}, t[2])
        await store.outbox.add(
            cid, "telegram", "1001", {"text": "Сейчас", "operator": "olga"}, t[5]
        )
        await store.commit()
    async with db.unit_of_work() as store:
        full = await store.conversations.transcript(cid, 50)
        latest = await store.conversations.transcript(cid, 3)
        assert await store.conversations.transcript(cid, 0) == []
    assert full == [
        _message(Author.CUSTOMER, "/start", t[0]),
        _message(Author.BOT, "Здравствуйте!", t[1]),
        _message(Author.CUSTOMER, "хочу передать показания", t[2]),
        _message(Author.BOT, "Введите показания", t[2]),
        _message(Author.CUSTOMER, "📱 +7 *** ***-67-89", t[4]),  # a shared phone, masked
        # A file by the platform's id: the console fetches it from there.
        _message(Author.CUSTOMER, "[file: AgAD-42]", t[4]),
        _message(Author.CUSTOMER, "[file: AgAD-43] счёт", t[4]),
        _message(Author.OPERATOR, "Сейчас", t[5], "olga"),
    ]
    assert latest == full[-3:]


async def test_consent_is_recorded_once(db: Database, customer: Customer, now: datetime) -> None:
    async with db.unit_of_work() as store:
        assert not await store.consents.has(customer.id, "2025-01")
        await store.consents.record(customer.id, "2025-01", "telegram", now)
        await store.consents.record(customer.id, "2025-01", "telegram", now + timedelta(1))
        assert await store.consents.has(customer.id, "2025-01")
        assert not await store.consents.has(customer.id, "2025-06")
        await store.commit()
    async with db.unit_of_work() as store:
        rows = (await store.connection.execute(select(consents.c.given_at))).scalars().all()
    assert rows == [now]


async def test_erase(
    db: Database,
    customer: Customer,
    account: Account,
    account_factory: Callable[..., Account],
    now: datetime,
) -> None:
    later = now + timedelta(days=30)
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory("5900999999")])
        await store.consents.record(customer.id, "2025-01", "telegram", now)
        await store.accounts.link(customer.id, account.number, "surname", now)
        await store.accounts.link(customer.id, "5900999999", "phone", now)
        conversation = await store.conversations.get_for_update(customer, now)
        conversation.state = {"flow": "visit", "data": {"phone": "+79120000001"}}
        await store.conversations.save(conversation)
        await store.inbox.add("telegram", "e1", {"kind": "text", "text": "Иванова"}, now)
        await store.inbox.attach("telegram", "e1", conversation.id)
        sent = await store.outbox.add(
            conversation.id, "telegram", "1001", {"text": "Мария П."}, now
        )
        await store.outbox.mark_sent(sent, now)
        pending = await store.outbox.add(
            conversation.id, "telegram", "1001", {"text": "bye"}, later
        )
        escalation = await store.escalations.open(
            conversation.id,
            "мой новый телефон 89125554433",
            now,
            [_message(Author.CUSTOMER, "мой телефон 8912", now)],
        )
        await store.escalations.add_message(
            escalation.id, Author.BOT, "Новый телефон для счёта 5900000001: +79125554433", now
        )
        await store.escalations.add_message(escalation.id, Author.OPERATOR, "Принято", now, "olga")
        reading = await store.readings.add(
            Reading(
                account=account.number,
                serial="M1",
                register="T1",
                value=Decimal("12345.6"),
                consumption_kwh=None,
                period="2025-03",
                submitted_at=now,
                channel="telegram",
                status=ReadingStatus.ACCEPTED,
                customer_id=customer.id,
            )
        )
        # Another customer's data is untouched.
        other = await store.customers.get_or_create("telegram", "2002", "Олег", "ru", now)
        await store.accounts.link(other.id, account.number, "surname", now)
        await store.consents.record(other.id, "2025-01", "telegram", now)
        await store.subscriptions.choose(customer.id, {"debt": False}, "telegram", now)
        await store.subscriptions.choose(other.id, {"debt": False}, "telegram", now)
        await store.commit()

    async with db.unit_of_work() as store:
        await store.customers.erase(customer.id, later)
        await store.commit()

    async with db.unit_of_work() as store:
        assert await store.subscriptions.chosen(customer.id) == {}
        assert await store.subscriptions.chosen(other.id) == {"debt": False}

    async with db.unit_of_work() as store:
        c = store.connection
        assert await store.accounts.linked(customer.id) == []
        assert [a.number for a in await store.accounts.linked(other.id)] == [account.number]
        assert not await store.consents.has(customer.id, "2025-01")
        assert await store.consents.has(other.id, "2025-01")
        withdrawn = (
            (
                await c.execute(
                    select(consents.c.withdrawn_at).where(consents.c.customer_id == customer.id)
                )
            )
            .scalars()
            .all()
        )
        assert withdrawn == [later]
        name, erased_at = (
            await c.execute(
                select(customers.c.display_name, customers.c.erased_at).where(
                    customers.c.id == customer.id
                )
            )
        ).one()
        assert (name, erased_at) == ("", later)
        assert (await c.execute(select(inbox.c.body))).scalar_one() == {
            "kind": "text",
            "erased": True,
        }
        bodies = dict((await c.execute(select(outbox.c.id, outbox.c.body))).all())
        assert bodies == {sent: {"erased": True}, pending: {"text": "bye"}}
        texts = (
            await c.execute(
                select(escalation_messages.c.author, escalation_messages.c.text).order_by(
                    escalation_messages.c.id
                )
            )
        ).all()
        assert texts == [("customer", ""), ("bot", ""), ("operator", "Принято")]
        assert (await c.execute(select(escalations.c.reason))).scalar_one() == ""
        assert (await store.conversations.get_for_update(customer, later)).state == {}
        assert await store.readings.for_meter(account.number, "M1") == [reading]
        stored_other = await store.customers.get(other.id)
        assert stored_other is not None and stored_other.display_name == "Олег"

    # Writing again starts afresh: not erased any more, consent asked anew.
    async with db.unit_of_work() as store:
        back = await store.customers.get_or_create("telegram", "1001", "Maria", "ru", later)
        assert back.id == customer.id and back.display_name == "Maria"
        erased_at = (
            await store.connection.execute(
                select(customers.c.erased_at).where(customers.c.id == customer.id)
            )
        ).scalar_one()
        assert erased_at is None
        assert not await store.consents.has(customer.id, "2025-01")
        await store.consents.record(customer.id, "2025-01", "telegram", later)
        assert await store.consents.has(customer.id, "2025-01")


async def test_open_finds_a_known_customer_and_their_conversation_in_one_go(
    db: Database, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        assert await store.conversations.open("telegram", "3003") is None  # unknown
        customer = await store.customers.get_or_create("telegram", "3003", "Ира", "en", now)
        assert await store.conversations.open("telegram", "3003") is None  # no conversation
        conversation = await store.conversations.get_for_update(customer, now)
        conversation.state = {"flow": "reading"}
        conversation.version = 3
        conversation.last_inbound_at = now
        await store.conversations.save(conversation)
        await store.commit()
    async with db.unit_of_work() as store:
        opened = await store.conversations.open("telegram", "3003")
        assert opened == (customer, conversation)
        assert await store.conversations.open("viber", "3003") is None
        await store.customers.erase(customer.id, now)
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.conversations.open("telegram", "3003") is None  # erased: start afresh
