"""The outbox sender against a real database and a scripted channel."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.database
from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError
from dialogs.messages import Reply
from outbox.sender import OutboxSender, SenderConfig
from storage.database import Database
from storage.migrate import upgrade

CHANNEL = "scripted"
LIMITS = ChannelLimits(text_max=4096, buttons_max=10, button_label_max=64, payload_max_bytes=64)


class ScriptedChannel:
    """Delivers in memory; `script[user]` lists outcomes for the next sends (an exception to
    raise, or a number of seconds to take), then it succeeds."""

    name = CHANNEL
    limits = LIMITS

    def __init__(self, rates: Rates | None = None, window: timedelta | None = None) -> None:
        self.rates = rates or Rates(per_second=0, per_chat_per_second=0)
        self.window = window  # a messaging window: replies after it are refused
        self.delivered: dict[str, list[str]] = defaultdict(list)
        self.attempts: list[tuple[str, str]] = []
        self.contexts: list[SendContext | None] = []
        self.script: dict[str, list[BaseException | float]] = defaultdict(list)
        self.times: list[float] = []

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        if self.window is None or context.within(self.window):
            return None
        return Refusal.WINDOW_CLOSED

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        self.attempts.append((user_id, reply.text))
        self.contexts.append(context)
        if self.script[user_id]:
            outcome = self.script[user_id].pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            await asyncio.sleep(outcome)
        self.delivered[user_id].append(reply.text)
        self.times.append(asyncio.get_running_loop().time())
        return str(len(self.delivered[user_id]))

    async def close(self) -> None:
        return None


async def conversation(database: Database, user: str) -> int:
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, user, "", "ru", now)
        conv = await store.conversations.get_for_update(customer, now)
        await store.commit()
        return conv.id


async def enqueue(database: Database, user: str, *texts: str) -> int:
    conversation_id = await conversation(database, user)
    async with database.unit_of_work() as store:
        for text in texts:
            body = Reply(text).to_dict()
            await store.outbox.add(conversation_id, CHANNEL, user, body, datetime.now(UTC))
        await store.commit()
    return conversation_id


async def rows(database: Database) -> list:
    async with database.unit_of_work() as store:
        return [await store.outbox.get(i) for i in range(1, 200) if await store.outbox.get(i)]


def sender(database: Database, channel: ScriptedChannel, **config: float) -> OutboxSender:
    options = {"poll_seconds": 0.05, "report_seconds": 3600, **config}
    return OutboxSender(database.unit_of_work, {CHANNEL: channel}, SenderConfig(**options))


async def until(condition, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - state changed by other tasks
            await asyncio.sleep(0.01)


async def test_rows_go_out_in_order_per_conversation_and_are_marked_sent(
    database: Database,
) -> None:
    await enqueue(database, "a", "a1", "a2", "a3")
    await enqueue(database, "b", "b1")
    await enqueue(database, "a", "a4")
    channel = ScriptedChannel()
    outbox = sender(database, channel)
    outbox.start()
    await until(lambda: sum(map(len, channel.delivered.values())) == 5)
    await outbox.stop()
    assert channel.delivered == {"a": ["a1", "a2", "a3", "a4"], "b": ["b1"]}
    assert {row.status for row in await rows(database)} == {"sent"}


async def test_retry_after_delays_the_chat_and_keeps_its_order(database: Database) -> None:
    await enqueue(database, "a", "a1", "a2", "a3")
    channel = ScriptedChannel()
    channel.script["a"] = [SendError("Too Many Requests: retry after 1", retry_after=0.3)]
    outbox = sender(database, channel)
    started = asyncio.get_running_loop().time()
    outbox.start()
    await until(lambda: len(channel.delivered["a"]) == 3)
    await outbox.stop()
    assert channel.delivered["a"] == ["a1", "a2", "a3"]
    assert channel.times[0] - started >= 0.25  # waited as told
    first = (await rows(database))[0]
    assert first.attempts == 0  # a 429 is not a failure


async def test_transient_errors_back_off_then_deliver_in_order(database: Database) -> None:
    await enqueue(database, "a", "a1", "a2")
    channel = ScriptedChannel()
    channel.script["a"] = [SendError("Bad Gateway"), TimeoutError()]
    outbox = sender(database, channel)
    # Backoff is 1 s, then 2 s: let the clock run ahead instead of waiting.
    skew = timedelta()
    outbox._clock = lambda: datetime.now(UTC) + skew  # type: ignore[method-assign]
    outbox.start()
    await until(lambda: len(channel.attempts) == 1)
    skew = timedelta(seconds=2)
    await until(lambda: len(channel.attempts) == 2)
    skew = timedelta(seconds=10)
    await until(lambda: len(channel.delivered["a"]) == 2)
    await outbox.stop()
    assert channel.delivered["a"] == ["a1", "a2"]
    first, second = await rows(database)
    assert (first.status, first.attempts, second.attempts) == ("sent", 2, 0)


async def test_a_send_that_takes_too_long_is_cut_off_and_retried(database: Database) -> None:
    await enqueue(database, "a", "slow")
    channel = ScriptedChannel()
    channel.script["a"] = [5.0]
    outbox = sender(database, channel, send_timeout_seconds=0.1)
    outbox.start()
    await until(lambda: len(channel.attempts) == 1)
    await asyncio.sleep(0.3)
    await outbox.stop()
    (row,) = await rows(database)
    assert row.status == "pending" and row.attempts == 1
    assert "TimeoutError" in (row.last_error or "")


async def test_blocked_by_the_user_is_recorded_and_not_retried(database: Database) -> None:
    conversation_id = await enqueue(database, "a", "a1", "a2")
    await enqueue(database, "b", "b1")
    channel = ScriptedChannel()
    channel.script["a"] = [SendError("Forbidden: bot was blocked by the user", blocks=True)]
    outbox = sender(database, channel)
    outbox.start()
    await until(lambda: channel.delivered["b"] == ["b1"])
    await asyncio.sleep(0.2)
    await outbox.stop()
    assert channel.attempts.count(("a", "a1")) == 1 and ("a", "a2") not in channel.attempts
    statuses = {row.body["text"]: (row.status, row.last_error) for row in await rows(database)}
    assert statuses["a1"] == ("failed", "Forbidden: bot was blocked by the user")
    assert statuses["a2"][0] == "failed"
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, "a", "", "ru", datetime.now(UTC))
        conv = await store.conversations.get_for_update(customer, datetime.now(UTC))
    assert conv.id == conversation_id and conv.send_blocked


async def test_a_refused_message_does_not_hold_back_the_next(database: Database) -> None:
    await enqueue(database, "a", "bad", "good")
    channel = ScriptedChannel()
    channel.script["a"] = [SendError("Bad Request: message is too long", permanent=True)]
    outbox = sender(database, channel)
    outbox.start()
    await until(lambda: channel.delivered["a"] == ["good"])
    await outbox.stop()
    statuses = [row.status for row in await rows(database)]
    assert statuses == ["failed", "sent"]


async def test_unsent_rows_go_out_after_a_restart(database: Database) -> None:
    """A process died after committing replies (or mid-send, its lease ran out)."""
    await enqueue(database, "a", "a1", "a2")
    lease_holder = sender(database, ScriptedChannel(), lease_seconds=0.2)
    claimed = await lease_holder._claim(CHANNEL, 10)  # claimed, then the process "died"
    assert [len(group) for group in claimed] == [2]
    channel = ScriptedChannel()
    outbox = sender(database, channel)
    outbox.start()
    await until(lambda: channel.delivered["a"] == ["a1", "a2"])
    await outbox.stop()


async def test_chat_rate_allows_a_burst_then_spaces_messages(database: Database) -> None:
    await enqueue(database, "a", "1", "2", "3", "4", "5")
    channel = ScriptedChannel(Rates(per_second=0, per_chat_per_second=10, per_chat_burst=3))
    outbox = sender(database, channel)
    outbox.start()
    await until(lambda: len(channel.delivered["a"]) == 5)
    await outbox.stop()
    # After the burst of 3, 10 a second: the 5th message cannot leave before 0.2 s. (Only
    # lower bounds: waits are guaranteed, promptness is not on a shared machine.)
    assert channel.times[4] - channel.times[0] >= 0.19


async def test_two_senders_never_send_a_row_twice(database: Database) -> None:
    for user in "abcdefgh":
        await enqueue(database, user, f"{user}1", f"{user}2", f"{user}3")
    channel = ScriptedChannel()
    first, second = sender(database, channel, batch=2), sender(database, channel, batch=2)
    first.start()
    second.start()
    await until(lambda: sum(map(len, channel.delivered.values())) == 24)
    await asyncio.sleep(0.2)
    await asyncio.gather(first.stop(), second.stop())
    assert len(channel.attempts) == 24
    for user in "abcdefgh":
        assert channel.delivered[user] == [f"{user}1", f"{user}2", f"{user}3"]


async def test_flush_delivers_one_conversation_now(database: Database) -> None:
    conversation_id = await enqueue(database, "a", "a1", "a2")
    await enqueue(database, "b", "b1")
    channel = ScriptedChannel()
    outbox = sender(database, channel)
    assert await outbox.flush(CHANNEL, conversation_id) == 2
    assert channel.delivered == {"a": ["a1", "a2"]}


@pytest.mark.parametrize("blocked", [True, False])
async def test_customer_notices_block_and_resume_sending(database: Database, blocked: bool) -> None:
    from dialogs.messages import Inbound, InboundKind
    from energobot.settings import Settings
    from energobot.wiring import build_pipeline

    pipeline = build_pipeline(Settings(), database)
    now = datetime.now(UTC)
    kind = InboundKind.STOPPED if blocked else InboundKind.RESUMED
    handled = await pipeline.handle(Inbound(CHANNEL, "a", "e1", kind, now))
    assert handled.replies == ()
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, "a", "", "ru", now)
        conv = await store.conversations.get_for_update(customer, now)
    assert bool(conv.send_blocked) is blocked
    if blocked:  # writing again makes the customer reachable again
        await pipeline.handle(Inbound(CHANNEL, "a", "e2", InboundKind.TEXT, now, text="привет"))
        async with database.unit_of_work() as store:
            conv = await store.conversations.get_for_update(customer, now)
        assert conv.send_blocked is None


async def test_a_reply_outside_the_channels_window_is_refused_and_never_sent(
    database: Database,
) -> None:
    channel = ScriptedChannel(window=timedelta(hours=24))
    conversation_id = await enqueue(database, "late", "поздний ответ")
    wrote = datetime.now(UTC) - timedelta(hours=25)
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, "late", "", "ru", wrote)
        conv = await store.conversations.get_for_update(customer, wrote)
        await store.conversations.save(replace(conv, last_inbound_at=wrote))
        await store.commit()
    await sender(database, channel).flush(CHANNEL, conversation_id)
    assert channel.attempts == []
    (row,) = await rows(database)
    assert (row.status, row.last_error) == ("failed", "refused: window_closed")


async def test_the_channel_is_told_when_the_customer_last_wrote(database: Database) -> None:
    channel = ScriptedChannel(window=timedelta(hours=24))
    conversation_id = await enqueue(database, "recent", "ответ")
    wrote = datetime.now(UTC) - timedelta(hours=23)
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, "recent", "", "ru", wrote)
        conv = await store.conversations.get_for_update(customer, wrote)
        await store.conversations.save(replace(conv, last_inbound_at=wrote))
        await store.commit()
    await sender(database, channel).flush(CHANNEL, conversation_id)
    assert channel.delivered["recent"] == ["ответ"]
    (context,) = channel.contexts
    assert context is not None and context.last_inbound_at == wrote
    assert context.now - wrote >= timedelta(hours=23)


def admitted_by_platform(times: list[float], rate: float, burst: float) -> bool:
    """Whether a platform's token bucket (`rate` a second, `burst` saved up, full at first)
    takes every send at these times without a 429."""
    tokens, last = burst, times[0] if times else 0.0
    for at in sorted(times):
        tokens = min(burst, tokens + (at - last) * rate)
        last = at
        tokens -= 1
        if tokens < -1e-6:
            return False
    return True


async def test_a_chat_waiting_for_its_turn_does_not_hold_a_place_in_the_channels_rate(
    database: Database,
) -> None:
    # 20/s for the bot, 2/s per chat: backlogs of a few chats next to many with one reply.
    channel = ScriptedChannel(Rates(per_second=20, per_chat_per_second=2, per_chat_burst=1))
    busy = [f"busy{n}" for n in range(6)]
    for user in busy:
        await enqueue(database, user, *(f"{user} {n}" for n in range(4)))
    for n in range(60):
        await enqueue(database, f"chat{n}", "one reply")
    running = sender(database, channel)
    running.start()
    try:
        await until(lambda: sum(len(v) for v in channel.delivered.values()) == 84, seconds=30)
    finally:
        await running.stop()
    for user in busy:
        assert channel.delivered[user] == [f"{user} {n}" for n in range(4)]
    # Never more than the platform's own buckets take: no 429 for the bot, none for the chat.
    assert admitted_by_platform(channel.times, rate=20, burst=20)


async def test_senders_alive_share_the_channels_rate(database: Database) -> None:
    """Two processes, one bot: each sends at half the platform's rate while both are alive;
    when one stops, the other takes the whole rate at its next beat."""
    channel = ScriptedChannel(Rates(per_second=30, per_chat_per_second=0))
    first, second = (sender(database, channel, heartbeat_seconds=0.05) for _ in range(2))
    assert first.id != second.id
    first.start()
    await until(lambda: first.share == 1 and first._global[CHANNEL].rate == 30 * 0.98)
    second.start()
    await until(lambda: first.share == second.share == 2)
    for one in (first, second):
        bucket = one._global[CHANNEL]
        assert (bucket.rate, bucket.burst) == (pytest.approx(30 * 0.98 / 2), 14)
    await second.stop()
    await until(lambda: first.share == 1)
    assert first._global[CHANNEL].rate == pytest.approx(30 * 0.98)
    await first.stop()
    async with database.unit_of_work() as store:  # both said goodbye
        now = datetime.now(UTC)
        assert await store.senders.beat("probe", now, now - timedelta(seconds=10)) == 1


async def test_two_senders_at_their_shares_keep_the_channels_rate(database: Database) -> None:
    channel = ScriptedChannel(Rates(per_second=10, per_chat_per_second=0))
    first, second = (sender(database, channel, batch=2, heartbeat_seconds=0.05) for _ in range(2))
    first.start()
    second.start()
    await until(lambda: first.share == second.share == 2)
    for user in "abcdefghij":
        await enqueue(database, user, f"{user}1", f"{user}2")
    await until(lambda: sum(map(len, channel.delivered.values())) == 20, seconds=10)
    await asyncio.gather(first.stop(), second.stop())
    # The platform's own bucket (10 a second, 10 saved up) never runs dry: each sender's burst
    # is 4 (of 10 - 1), then 4.9 a second.
    tokens, last = 10.0, min(channel.times)
    for at in sorted(channel.times):
        tokens = min(10.0, tokens + (at - last) * 10) - 1
        last = at
        assert tokens >= -0.01


async def test_rows_of_a_sender_that_died_are_sent_without_waiting_for_the_lease(
    database: Database,
) -> None:
    await enqueue(database, "a", "a1", "a2")
    hanging = ScriptedChannel()
    hanging.script["a"] = [3600.0]  # the send never comes back: the process dies during it
    dead = sender(database, hanging, heartbeat_seconds=0.05, lease_seconds=3600)
    dead.start()
    await until(lambda: len(hanging.attempts) == 1)
    # Killed: no goodbye, no more beats, the rows stay leased for an hour.
    assert dead._task is not None and dead._beats is not None
    killed = (dead._task, dead._beats, *dead._inflight)
    for task in killed:
        task.cancel()
    await asyncio.gather(*killed, return_exceptions=True)
    channel = ScriptedChannel()
    alive = sender(database, channel, heartbeat_seconds=0.05, lease_seconds=3600)
    alive.start()
    # Three beats after the dead one's last, its rows are due again.
    await until(lambda: channel.delivered["a"] == ["a1", "a2"])
    await alive.stop()
    assert {row.status for row in await rows(database)} == {"sent"}


class _Dropped(Exception):
    """What SQLAlchemy raises when the connection was lost (it renews the pool)."""

    connection_invalidated = True


class _FlakyStore:
    def __init__(self, fail_commit: bool) -> None:
        self.fail_commit = fail_commit

    async def commit(self) -> None:
        if self.fail_commit:
            raise _Dropped("connection lost during COMMIT")


@pytest.mark.parametrize("during_commit", [False, True])
async def test_the_ledger_runs_again_after_a_lost_connection_only_before_the_commit(
    during_commit: bool,
) -> None:
    """Lost before COMMIT, nothing was kept: run again. Lost during it, the commit may have
    landed and an outcome such as a counted failure must not be written twice."""
    from contextlib import asynccontextmanager

    from outbox.ledger import Ledger

    transactions = 0

    @asynccontextmanager
    async def unit_of_work():  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        yield _FlakyStore(fail_commit=during_commit and transactions == 1)

    writes: list[int] = []

    async def op(store: object) -> None:
        writes.append(transactions)
        if not during_commit and transactions == 1:
            raise _Dropped("connection lost before the statement ran")

    ledger = Ledger(unit_of_work)  # type: ignore[arg-type]
    if during_commit:
        with pytest.raises(_Dropped):
            await ledger.write(op)
        assert writes == [1]
    else:
        await ledger.write(op)
        assert writes == [1, 2]


async def test_a_sqlite_file_busy_past_the_wait_costs_a_beat_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holding SQLite's write lock past the wait (two servers on one file
    under load) costs this sender one beat: a warning without a traceback, and the next
    beat lands. An error there failed a two-process check on a loaded machine."""
    monkeypatch.setattr(storage.database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "busy.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    database = Database(url)
    outbox = sender(database, ScriptedChannel())
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.INFO, logger="outbox"):
            await outbox._beat()
            await outbox._report()
        assert [r.levelname for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert [r for r in caplog.records if r.exc_info] == []
        assert any("busy" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
        other.execute("ROLLBACK")
        await outbox._beat()
        async with database.unit_of_work() as store:
            now = datetime.now(UTC)
            assert await store.senders.beat("probe", now, now - timedelta(seconds=10)) == 2
    finally:
        other.close()
        await database.dispose()
