"""The sender and a conversation's side-channel mails: a mail found «sending» after its sender
died goes again (at least once, like a reply), the messenger's block fails no mail, and a mail
that carries a one-time code keeps only the masked text once it has gone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bots.channel import SendError
from core.notices import Lane
from dialogs.messages import Reply
from outbox.notices.gate import Gate
from outbox.sender import KEPT_TEXT, OutboxSender, SenderConfig
from storage.database import Database
from tests.outbox.test_notices import GATE
from tests.outbox.test_sender import CHANNEL, ScriptedChannel, conversation, until

MAIL = "email"


class MailChannel(ScriptedChannel):
    name = MAIL


def sender(database: Database, *channels: ScriptedChannel) -> OutboxSender:
    config = SenderConfig(poll_seconds=0.05, report_seconds=3600, lease_seconds=0.2)
    return OutboxSender(
        database.unit_of_work, {c.name: c for c in channels}, config, gate=Gate(GATE)
    )


async def add(database: Database, conv: int, channel: str, user: str, reply: Reply) -> int:
    async with database.unit_of_work() as store:
        row = await store.outbox.add(
            conv, channel, user, reply.to_dict(), datetime.now(UTC), lane=Lane.PERSONAL
        )
        await store.commit()
    return row


async def status(database: Database, row: int) -> tuple[str, str | None, str]:
    async with database.unit_of_work() as store:
        record = await store.outbox.get(row)
    assert record is not None
    return record.status, record.last_error, record.body["text"]


async def test_a_mail_left_sending_by_a_dead_sender_is_sent_again(database: Database) -> None:
    conv = await conversation(database, "a")
    first = await add(database, conv, CHANNEL, "a", Reply("mail 1"))
    second = await add(database, conv, CHANNEL, "a", Reply("mail 2"))
    async with database.unit_of_work() as store:
        # What a sender that died mid-send leaves: the «sending» mark and no outcome.
        assert await store.outbox.sending(first, None)
        await store.commit()
    channel = ScriptedChannel()
    outbox = sender(database, channel)
    outbox.start()
    try:
        await until(lambda: len(channel.delivered["a"]) == 2)
    finally:
        await outbox.stop()
    assert channel.delivered["a"] == ["mail 1", "mail 2"]
    assert (await status(database, first))[:2] == ("sent", None)
    assert (await status(database, second))[:2] == ("sent", None)


async def test_the_messengers_block_fails_no_mail(database: Database) -> None:
    conv = await conversation(database, "b")
    async with database.unit_of_work() as store:
        await store.conversations.block_sending(conv, "stopped by customer")
        await store.commit()
    mail = await add(database, conv, MAIL, "ivanov@mail.ru", Reply("квитанция"))
    notice = await add(database, conv, CHANNEL, "b", Reply("визит"))
    messenger, mailer = ScriptedChannel(), MailChannel()
    outbox = sender(database, messenger, mailer)
    outbox.start()
    try:
        await until(lambda: bool(mailer.delivered["ivanov@mail.ru"]))
        await asyncio.sleep(0.3)
    finally:
        await outbox.stop()
    assert (await status(database, mail))[:2] == ("sent", None)
    assert messenger.delivered == {}
    assert (await status(database, notice))[:2] == ("failed", "stopped by customer")


async def test_a_code_mail_keeps_only_the_masked_text_once_sent(database: Database) -> None:
    conv = await conversation(database, "c")
    code = Reply("Ваш код: 123456", values=((KEPT_TEXT, "Ваш код: ••••••"),))
    sent = await add(database, conv, MAIL, "ivanov@mail.ru", code)
    refused = await add(database, conv, MAIL, "petrov@mail.ru", code)
    mailer = MailChannel()
    mailer.script["petrov@mail.ru"].append(SendError("550 no such user", permanent=True))
    outbox = sender(database, mailer)
    outbox.start()
    try:
        await until(lambda: len(mailer.attempts) == 2)
        await asyncio.sleep(0.3)
    finally:
        await outbox.stop()
    assert mailer.delivered["ivanov@mail.ru"] == ["Ваш код: 123456"]  # the mail had it
    assert await status(database, sent) == ("sent", None, "Ваш код: ••••••")
    assert await status(database, refused) == ("failed", "550 no such user", "Ваш код: ••••••")
