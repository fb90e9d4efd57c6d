"""Viber's answers to send_message as the outbox sees them: status 12, 5 and 6, account and
HTTP errors, timeouts; the bot-initiated rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bots.channel import Rates, Refusal, SendContext, SendError
from bots.viber import Sender, ViberApi, ViberApiError, ViberChannel, send_error
from dialogs.messages import Reply
from outbox.produce import notify
from storage.database import Database
from storage.tables import conversations
from tests.fakes.viber import FakeViber
from tests.fakes.viber import errors as status
from tests.viber.harness import Harness, make_settings, running

USER = "dElIvErY+user/9Q=="


async def operator_says(vb: Harness, text: str, *, user_id: str = USER) -> dict:
    """An operator's message queued in the console's way; returns its outbox row once the
    sender is done with it."""
    conversation = await vb.conversation(user_id)
    async with vb.database.unit_of_work() as store:
        assert await notify(
            store, conversation["customer_id"], lambda _: text, datetime.now(UTC), operator="Анна"
        )
        await store.commit()
    vb.services.sender.wake()
    await vb.settle()
    return (await vb.outbox(user_id))[-1]


@pytest.mark.parametrize(
    ("code", "permanent", "blocks"),
    [
        (status.RECEIVER_NOT_REGISTERED, True, True),
        (status.RECEIVER_NOT_SUBSCRIBED, True, True),
        (status.TOO_MANY_REQUESTS, True, False),
        (status.BAD_DATA, True, False),
        (status.MISSING_DATA, True, False),
        (status.RECEIVER_NO_SUITABLE_DEVICE, True, False),
        (status.INVALID_AUTH_TOKEN, False, False),
        (status.PUBLIC_ACCOUNT_BLOCKED, False, False),
        (status.WEBHOOK_NOT_SET, False, False),
        (99, False, False),
        (-1, False, False),  # HTTP error, not Viber's JSON
    ],
)
def test_status_codes_map_to_what_the_sender_does(code: int, permanent: bool, blocks: bool) -> None:
    error = send_error(ViberApiError(code, status.NAMES.get(code, "generalError")))
    assert isinstance(error, SendError)
    assert (error.permanent, error.blocks, error.retry_after) == (permanent, blocks, None)


async def test_status_12_gives_up_those_messages_until_the_customer_writes(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    vb.fake.unanswered_limit = len(vb.fake.sent(USER)) + 1  # one more message may go
    row = await operator_says(vb, "Первое сообщение оператора")
    assert row["status"] == "sent"
    row = await operator_says(vb, "Второе сообщение оператора")
    assert row["status"] == "failed" and "tooManyRequests (12)" in row["last_error"]
    assert (await vb.conversation(USER))["send_blocked"] is None  # not a block
    sent = await vb.say(USER, "спасибо")  # the customer answers: Viber's counter starts again
    assert sent and vb.fake.calls_to("send_message")[-1].status == 0


async def test_status_6_blocks_the_conversation_until_the_customer_writes(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    vb.fake.unsubscribe(USER)  # unsubscribed, and the callback got lost
    calls = len(vb.fake.calls_to("send_message"))
    first = await operator_says(vb, "Вы здесь?")
    assert first["status"] == "failed" and "receiverNotSubscribed (6)" in first["last_error"]
    assert (await vb.conversation(USER))["send_blocked"]
    second = await operator_says(vb, "Напишите нам, пожалуйста")
    assert second["status"] == "failed"
    assert len(vb.fake.calls_to("send_message")) == calls + 1  # the second was not even tried
    sent = await vb.say(USER, "тарифы")  # writing subscribes again
    assert sent


async def test_status_5_for_a_user_viber_does_not_know(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    del vb.fake.users[USER]
    row = await operator_says(vb, "Алло")
    assert row["status"] == "failed" and "receiverNotRegistered (5)" in row["last_error"]
    assert (await vb.conversation(USER))["send_blocked"]


async def test_an_http_error_and_a_general_error_are_tried_again(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    vb.fake.fail_next("send_message", http_status=502)
    vb.fake.fail_next("send_message", status=99, message="generalError")
    row = await operator_says(vb, "Проверяю")
    assert row["status"] == "sent" and row["attempts"] >= 2
    assert vb.fake.texts(USER)[-1] == "Проверяю"
    assert [c.http_status for c in vb.fake.calls_to("send_message")[-3:]] == [502, 200, 200]


async def test_an_http_429_waits_as_told_without_counting_a_failure(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    vb.fake.fail_next("send_message", http_status=429, retry_after=1)
    row = await operator_says(vb, "Минуту")
    assert row["status"] == "sent" and row["attempts"] <= 1
    assert [c.http_status for c in vb.fake.calls_to("send_message")[-2:]] == [429, 200]
    error = send_error(ViberApiError(-1, "HTTP 429", http_status=429, retry_after=7.0))
    assert (error.retry_after, error.permanent) == (7.0, False)


async def test_a_refused_token_keeps_the_message_waiting(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    vb.fake.fail_next("send_message", status=status.INVALID_AUTH_TOKEN, times=1)
    row = await operator_says(vb, "Проверяю")
    assert row["status"] == "sent" and "invalidAuthToken" in (row["last_error"] or "")


async def test_a_timeout_is_transient(fake_viber: FakeViber) -> None:
    fake_viber.webhook.url = "https://bot.example/webhooks/viber"
    fake_viber.add_user(USER)
    fake_viber.delay_next("send_message", 1.0)
    channel = ViberChannel(
        ViberApi(fake_viber.token, fake_viber.base_url, 0.2), Rates(0, 0), Sender("Б")
    )
    try:
        with pytest.raises(TimeoutError):
            await channel.send(USER, Reply("Здравствуйте"))
    finally:
        await channel.close()


def test_bot_initiated_messages_are_refused_outside_the_24_hour_session() -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    api = ViberApi("token-0123456789", "http://127.0.0.1:9/pa")
    strict = ViberChannel(api, Rates(0, 0), Sender("Б"))
    paid = ViberChannel(api, Rates(0, 0), Sender("Б"), allow_bot_initiated=True)
    reply = Reply("Напоминаем о показаниях")
    for last, refused in (
        (None, True),
        (now - timedelta(hours=24, seconds=1), True),
        (now - timedelta(hours=23, minutes=59), False),
        (now - timedelta(seconds=5), False),
    ):
        context = SendContext(now, last)
        assert strict.refusal(reply, context) == (Refusal.BOT_INITIATED if refused else None)
        assert paid.refusal(reply, context) is None


async def test_an_old_conversation_gets_nothing_and_the_reason_is_recorded(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    long_ago = datetime.now(UTC) - timedelta(hours=30)
    async with vb.database.unit_of_work() as store:
        await store.connection.execute(update(conversations).values(last_inbound_at=long_ago))
        await store.commit()
    calls = len(vb.fake.calls)
    row = await operator_says(vb, "Вы ещё здесь?")
    assert row["status"] == "failed" and row["last_error"] == "refused: bot_initiated"
    assert len(vb.fake.calls) == calls
    # The console asks the same question before it queues an operator's reply.
    check = vb.services.reply_check("viber", "Текст", "Анна", long_ago, datetime.now(UTC))
    assert check == "bot_initiated"


async def test_allowed_bot_initiated_messages_go_out(fake_viber: FakeViber, demo: Database) -> None:
    settings = make_settings(fake_viber, allow_bot_initiated=True)
    async with running(settings, demo, fake_viber) as vb:
        await vb.say(USER, "тарифы")
        async with vb.database.unit_of_work() as store:
            old = datetime.now(UTC) - timedelta(days=3)
            await store.connection.execute(update(conversations).values(last_inbound_at=old))
            await store.commit()
        row = await operator_says(vb, "Напоминаем о показаниях")
        assert row["status"] == "sent"
        assert vb.fake.texts(USER)[-1] == "Напоминаем о показаниях"
