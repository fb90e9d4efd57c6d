"""GET /metrics after real traffic: Telegram updates through the webhook, the sender delivering
to the fake Bot API, an escalation; parsed with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, select

from energobot.app import create_app
from energobot.metrics import CACHE_SECONDS, Metrics
from energobot.settings import Settings
from storage.database import Database, is_sqlite
from storage.tables import escalations
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as build
from tests.telegram.harness import Harness, make_settings, running, until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no {name}{labels} in {sorted(k for k in samples if k[0] == name)}"
    return samples[key]


async def scrape(tg: Harness) -> Samples:
    async with tg.client.get("/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(await response.text())


async def fresh_scrape(tg: Harness) -> Samples:
    """A scrape after the cached database reading has expired."""
    await asyncio.sleep(CACHE_SECONDS)
    return await scrape(tg)


@pytest.fixture
async def tg(fake_telegram: FakeTelegram, demo: Database) -> AsyncIterator[Harness]:
    fake_telegram.rate_limits = False
    async with running(make_settings(fake_telegram), demo, fake_telegram) as harness:
        yield harness


async def sent_rows(tg: Harness) -> int:
    return sum(row["status"] == "sent" for row in await tg.outbox())


async def test_a_fresh_app_shows_every_series_at_zero(tg: Harness) -> None:
    samples = await scrape(tg)
    for kind in ("text", "button", "contact", "start", "stopped"):
        name = "energobot_events_received_total"
        assert value(samples, name, channel="telegram", kind=kind) == 0
    assert value(samples, "energobot_duplicates_dropped_total", channel="telegram") == 0
    assert value(samples, "energobot_event_processing_seconds_count", channel="telegram") == 0
    for result in ("sent", "failed", "refused", "deferred"):
        assert value(samples, "energobot_sends_total", channel="telegram", result=result) == 0
    assert value(samples, "energobot_database_up") == 1
    assert value(samples, "energobot_outbox_depth", channel="telegram") == 0
    assert value(samples, "energobot_outbox_oldest_age_seconds", channel="telegram") == 0
    assert value(samples, "energobot_escalations_waiting") == 0
    assert value(samples, "energobot_senders_alive") == 1  # this process's sender alone
    # The app's own process, in its own registry.
    assert ("process_cpu_seconds_total", frozenset()) in samples


async def test_events_duplicates_latency_and_sends_are_counted(tg: Harness) -> None:
    chat = 9101
    start = build.start_update(chat, fake=tg.fake)
    await tg.deliver(start)
    status, _ = await tg.post(start)  # Telegram redelivers: acknowledged, dropped
    assert status == 200
    await tg.press(chat, "Тарифы и расчёт")
    await tg.say(chat, "меню")
    samples = await scrape(tg)
    received = "energobot_events_received_total"
    assert value(samples, received, channel="telegram", kind="start") == 2
    assert value(samples, received, channel="telegram", kind="button") == 1
    assert value(samples, received, channel="telegram", kind="text") == 1
    assert value(samples, received, channel="telegram", kind="contact") == 0
    assert value(samples, "energobot_duplicates_dropped_total", channel="telegram") == 1
    count = value(samples, "energobot_event_processing_seconds_count", channel="telegram")
    total = value(samples, "energobot_event_processing_seconds_sum", channel="telegram")
    assert count == 4 and 0 < total < 20
    fastest = value(
        samples, "energobot_event_processing_seconds_bucket", channel="telegram", le="5.0"
    )
    assert fastest == 4
    # Every reply row the sender marked sent, once; nothing else.
    delivered = await sent_rows(tg)
    assert delivered >= 3
    sends = "energobot_sends_total"
    assert value(samples, sends, channel="telegram", result="sent") == delivered
    assert value(samples, sends, channel="telegram", result="failed") == 0
    assert value(samples, sends, channel="telegram", result="deferred") == 0


async def test_outbox_depth_and_age_while_telegram_makes_the_sender_wait(tg: Harness) -> None:
    chat = 9102
    tg.fake.add_chat(chat)
    await tg.start(chat)
    # The platform tells us to wait half a minute: the row stays pending, deferred.
    tg.fake.fail_next("sendMessage", status=429, retry_after=30)
    await tg.enqueue(chat, "Первый ответ")
    await tg.enqueue(chat, "Второй ответ")

    async def deferred() -> float:
        sends = "energobot_sends_total"
        return value(await scrape(tg), sends, channel="telegram", result="deferred")

    await until(deferred, lambda n: n == 1)
    samples = await fresh_scrape(tg)
    assert value(samples, "energobot_outbox_depth", channel="telegram") == 2
    age = value(samples, "energobot_outbox_oldest_age_seconds", channel="telegram")
    assert 0 < age < 60
    # Within the cache time a scrape does not read the database again ...
    await tg.enqueue(chat, "Третий ответ")
    cached = await scrape(tg)
    assert value(cached, "energobot_outbox_depth", channel="telegram") == 2
    # ... after it, it does.
    samples = await fresh_scrape(tg)
    assert value(samples, "energobot_outbox_depth", channel="telegram") == 3
    assert value(samples, "energobot_outbox_oldest_age_seconds", channel="telegram") > age


async def test_escalations_waiting_until_an_operator_takes_one(tg: Harness) -> None:
    chat = 9103
    await tg.start(chat)
    sent = await tg.say(chat, "оператор")
    assert "оператор" in tg.text(sent).casefold()
    samples = await fresh_scrape(tg)
    assert value(samples, "energobot_escalations_waiting") == 1
    assert 0 <= value(samples, "energobot_escalations_oldest_wait_seconds") < 60
    (row,) = await tg.rows(select(escalations.c.id))
    async with tg.database.unit_of_work() as store:
        assert await store.console.claim(row["id"], "operator1", datetime.now(UTC))
        await store.commit()
    samples = await fresh_scrape(tg)
    assert value(samples, "energobot_escalations_waiting") == 0
    assert value(samples, "energobot_escalations_oldest_wait_seconds") == 0


def pool_role(database: Database) -> str:
    return "writer" if is_sqlite(database.url) else "readwrite"


async def test_pool_gauges_show_a_transaction_in_progress(database: Database) -> None:
    # A long cache: the reading is taken once, the pool is looked at on every scrape.
    metrics = Metrics(database, ["telegram"], cache_seconds=3600)
    role = pool_role(database)
    idle = parse((await metrics.exposition())[0].decode())
    size = 1 if is_sqlite(database.url) else 10  # SQLite's single writer; Database's default
    assert value(idle, "energobot_db_pool_size", role=role) == size
    assert value(idle, "energobot_db_pool_checked_out", role=role) == 0
    writers = 1 if is_sqlite(database.url) else 10 - 3  # the pool less what others need
    assert value(idle, "energobot_db_writers") == writers
    async with database.unit_of_work():
        busy = parse((await metrics.exposition())[0].decode())
    assert value(busy, "energobot_db_pool_checked_out", role=role) == 1


async def test_a_scrape_storm_reads_the_database_once(database: Database) -> None:
    metrics = Metrics(database, ["telegram"])
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "escalations" in statement:
            statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    bodies = await asyncio.gather(*(metrics.exposition() for _ in range(20)))
    assert len(statements) == 1
    assert all(b"energobot_escalations_waiting 0.0" in body for body, _ in bodies)


async def test_a_database_that_cannot_be_read_is_reported_not_hidden(tmp_path: Any) -> None:
    # A database without the schema: the read fails, the scrape still answers.
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        samples = parse((await Metrics(database, ["telegram"]).exposition())[0].decode())
    finally:
        await database.dispose()
    assert value(samples, "energobot_database_up") == 0
    assert not [key for key in samples if key[0].startswith("energobot_outbox_")]
    assert value(samples, "energobot_events_received_total", channel="telegram", kind="text") == 0


async def test_two_apps_in_one_process_have_their_own_registries(database_url: str) -> None:
    settings = Settings(database={"url": database_url})
    first, second = Database(database_url), Database(database_url)
    async with (
        TestClient(TestServer(create_app(settings, first))) as a,
        TestClient(TestServer(create_app(settings, second))) as b,
    ):
        for client in (a, b):
            response = await client.get("/metrics")
            assert response.status == 200
            assert "energobot_database_up 1.0" in await response.text()
