"""The outbox sender delivering to the fake Bot API: 429s, 5xx, blocked users, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage.database import Database
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as build
from tests.telegram.harness import Harness, make_settings, running, until


@pytest.fixture
async def limited(fake_telegram: FakeTelegram, demo: Database) -> AsyncIterator[Harness]:
    """The app with the fake's flood limits on: 2 messages back to back, then 2 a second."""
    fake_telegram.chat_burst = 2
    fake_telegram.chat_rate = 2.0
    async with running(make_settings(fake_telegram), demo, fake_telegram) as harness:
        yield harness


def sent_texts(fake: FakeTelegram, chat: int) -> list[str]:
    return [text.strip() for text in fake.texts(chat)]


async def test_a_429_delays_and_still_delivers_in_order(tg: Harness) -> None:
    chat = 8001
    tg.fake.add_chat(chat)
    await tg.start(chat)
    tg.fake.reset()
    tg.fake.fail_next("sendMessage", status=429, retry_after=1)
    texts = [f"Ответ {i}" for i in range(1, 5)]
    for text in texts:
        await tg.enqueue(chat, text)
    await tg.fake.wait_for(4, chat_id=chat)
    await tg.settle()  # the outcomes are written after the sends
    assert sent_texts(tg.fake, chat) == texts
    refused, *_ = tg.fake.calls_to("sendMessage")
    assert refused.status == 429
    first = tg.fake.sent(chat)[0]
    assert first.at - refused.at >= 0.9  # waited as told (retry_after 1 s)
    assert len(tg.fake.calls_to("sendMessage")) == 5  # one refusal, then each once
    rows = await tg.outbox(chat)
    assert {row["status"] for row in rows} == {"sent"}
    assert max(row["attempts"] for row in rows) == 0  # a 429 is not a failure


async def test_the_fakes_own_flood_limit_is_honoured_in_order(limited: Harness) -> None:
    tg, chat = limited, 8002
    tg.fake.add_chat(chat)
    texts = [f"Сообщение {i}" for i in range(1, 5)]
    await tg.start(chat)  # a conversation to write to
    before = len(tg.fake.sent(chat))
    for text in texts:
        await tg.enqueue(chat, text)
    await tg.fake.wait_for(before + 4, chat_id=chat, timeout=10)
    await tg.settle()
    assert sent_texts(tg.fake, chat)[before:] == texts
    assert tg.fake.throttled, "the burst should have been throttled by the fake"
    assert {row["status"] for row in await tg.outbox(chat)} == {"sent"}


async def test_the_apps_own_chat_rate_keeps_under_telegrams_limit(
    fake_telegram: FakeTelegram, demo: Database
) -> None:
    fake_telegram.chat_burst, fake_telegram.chat_rate = 3, 10.0
    settings = make_settings(fake_telegram)
    # A little under Telegram's limit, as production is configured (network jitter can
    # bunch sends that left evenly spaced).
    settings.telegram.chat_rate_per_second, settings.telegram.chat_burst = 8.0, 2
    async with running(settings, demo, fake_telegram) as tg:
        chat = 8003
        await tg.start(chat)
        for i in range(8):
            await tg.enqueue(chat, f"Сообщение {i}")
        await tg.fake.wait_for(9, chat_id=chat)
        assert tg.fake.throttled == []
        assert sent_texts(tg.fake, chat)[1:] == [f"Сообщение {i}" for i in range(8)]


class Skewed:
    """The sender's clock, moved ahead by the test instead of waiting out its backoff."""

    def __init__(self) -> None:
        self.skew = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skew


async def test_a_5xx_is_retried_with_backoff_and_delivered_once_in_order(tg: Harness) -> None:
    chat = 8004
    await tg.start(chat)
    tg.fake.reset()
    clock = Skewed()
    tg.services.sender._clock = clock  # the sender's injectable clock (see tests/outbox)
    tg.fake.fail_next("sendMessage", status=502, times=2)
    first = await tg.enqueue(chat, "Первый")
    await tg.enqueue(chat, "Второй")

    def failures() -> int:
        return sum(1 for call in tg.fake.calls if call.status == 502)

    await until(failures, lambda n: n >= 1)
    assert tg.fake.sent(chat) == []  # backing off, not hammering
    clock.skew = timedelta(seconds=5)
    await until(failures, lambda n: n >= 2)
    clock.skew = timedelta(seconds=60)
    await tg.fake.wait_for(2, chat_id=chat)
    await tg.settle()
    assert sent_texts(tg.fake, chat) == ["Первый", "Второй"]
    rows = {row["id"]: row for row in await tg.outbox(chat)}
    assert rows[first]["status"] == "sent" and rows[first]["attempts"] == 2
    assert len(tg.fake.calls_to("sendMessage")) == 4


async def test_blocked_by_the_user_is_recorded_and_not_retried(tg: Harness) -> None:
    chat = 8005
    await tg.start(chat)
    tg.fake.reset()
    tg.fake.block(chat)  # no my_chat_member seen: the 403 is how we learn it
    first = await tg.enqueue(chat, "Первый")
    second = await tg.enqueue(chat, "Второй")
    await tg.settle()
    rows = {row["id"]: row for row in await tg.outbox(chat)}
    assert rows[first]["status"] == "failed" and "blocked" in rows[first]["last_error"]
    assert rows[second]["status"] == "failed"
    assert (await tg.conversation(chat))["send_blocked"]
    calls = len(tg.fake.calls_to("sendMessage"))
    assert calls == 1  # the first 403 stops the rest
    await tg.enqueue(chat, "Третий")
    await tg.settle()
    assert len(tg.fake.calls_to("sendMessage")) == calls  # not even tried
    # The user is back and writes: sending resumes.
    tg.fake.unblock(chat)
    sent = await tg.say(chat, "тарифы")
    assert sent and (await tg.conversation(chat))["send_blocked"] is None


async def test_a_long_reply_of_emoji_arrives_whole(tg: Harness) -> None:
    """An operator's answer of 3 000 emoji: 6 000 UTF-16 units, Telegram's limit is 4 096."""
    chat = 8006
    await tg.start(chat)
    text = "👍" * 3000
    row_id = await tg.enqueue(chat, text)
    await tg.settle()
    (row,) = [row for row in await tg.outbox(chat) if row["id"] == row_id]
    assert row["status"] == "sent", row["last_error"]
    assert "".join(tg.fake.texts(chat)[1:]).replace("\n", "") == text


async def test_replies_committed_before_a_crash_go_out_after_a_restart(
    fake_telegram: FakeTelegram, demo: Database, database_url: str
) -> None:
    chat = 8007
    fake_telegram.rate_limits = False
    settings = make_settings(fake_telegram)
    async with running(settings, demo, fake_telegram) as first:
        await first.services.sender.stop()  # the process dies right after its commits
        for update in (
            build.start_update(chat, fake=fake_telegram),
            build.text_update(chat, "тарифы", fake=fake_telegram),
            build.text_update(chat, "оператор", fake=fake_telegram),
        ):
            status, _ = await first.post(update)
            assert status == 200
        committed = [row["body"]["text"] for row in await first.outbox(chat)]
        assert len(committed) >= 3 and await first.pending() == len(committed)
    assert fake_telegram.calls_to("sendMessage") == []
    async with running(settings, Database(database_url), fake_telegram) as second:
        await fake_telegram.wait_for(len(committed), chat_id=chat)
        await second.settle()
        assert sent_texts(fake_telegram, chat) == [text.strip() for text in committed]
        assert {row["status"] for row in await second.outbox(chat)} == {"sent"}


async def test_rows_claimed_by_a_sender_that_died_go_out_after_its_lease(
    fake_telegram: FakeTelegram, demo: Database, database_url: str
) -> None:
    chat = 8008
    fake_telegram.rate_limits = False
    settings = make_settings(fake_telegram, lease_seconds=0.5)
    async with running(settings, demo, fake_telegram) as first:
        await first.services.sender.stop()
        await first.post(build.start_update(chat, fake=fake_telegram))
        await first.post(build.text_update(chat, "тарифы", fake=fake_telegram))
        now = datetime.now(UTC)
        async with first.database.unit_of_work() as store:  # claimed, never sent
            claimed = await store.outbox.claim(
                "telegram", now, now + timedelta(seconds=0.5), limit=10
            )
            await store.commit()
        assert len(claimed) >= 2
    async with running(settings, Database(database_url), fake_telegram) as second:
        await fake_telegram.wait_for(len(claimed), chat_id=chat)
        await second.settle()
        assert sent_texts(fake_telegram, chat) == [r.body["text"].strip() for r in claimed]
