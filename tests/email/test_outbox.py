"""A conversation's rows of two channels in one lane: each channel's round claims only its own,
keeps its own order, and a mail backing off holds back no message of the messenger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.notices import Lane
from storage.database import Database

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=1)


async def test_each_channel_claims_only_its_own_rows(database: Database) -> None:
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create("telegram", "42", "", "ru", NOW)
        conversation = await store.conversations.get_for_update(customer, NOW)
        mail = await store.outbox.add(
            conversation.id, "email", "ivanov@mail.ru", {"text": "mail"}, NOW, lane=Lane.PERSONAL
        )
        notice = await store.outbox.add(
            conversation.id, "telegram", "42", {"text": "visit"}, NOW, lane=Lane.PERSONAL
        )
        await store.commit()

    async with database.unit_of_work() as store:
        # The older mail is not the messenger's: it neither goes through Telegram nor waits.
        telegram = await store.outbox.claim("telegram", NOW, LEASE, limit=10, lane=Lane.PERSONAL)
        assert [row.id for row in telegram] == [notice]
        email = await store.outbox.claim("email", NOW, LEASE, limit=10, lane=Lane.PERSONAL)
        assert [(row.id, row.user_id) for row in email] == [(mail, "ivanov@mail.ru")]
        await store.commit()


async def test_a_mail_backing_off_holds_back_no_messenger_row(database: Database) -> None:
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create("telegram", "43", "", "ru", NOW)
        conversation = await store.conversations.get_for_update(customer, NOW)
        mail = await store.outbox.add(
            conversation.id, "email", "ivanov@mail.ru", {"text": "mail"}, NOW, lane=Lane.PERSONAL
        )
        await store.outbox.mark_failed(mail, NOW, "451 later", permanent=False)
        await store.outbox.add(
            conversation.id, "telegram", "43", {"text": "visit"}, NOW, lane=Lane.PERSONAL
        )
        await store.commit()
    async with database.unit_of_work() as store:
        assert await store.outbox.claim("email", NOW, LEASE, limit=10, lane=Lane.PERSONAL) == []
        telegram = await store.outbox.claim("telegram", NOW, LEASE, limit=10, lane=Lane.PERSONAL)
        assert [row.channel for row in telegram] == ["telegram"]
