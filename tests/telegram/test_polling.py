"""telegram.mode: polling — the app's poller takes updates from the fake's getUpdates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from dialogs.messages import Inbound
from dialogs.pipeline import Handled, Pipeline
from storage.database import Database
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as build
from tests.fakes.telegram.models import Webhook
from tests.telegram.harness import make_settings, running, until


@pytest.fixture
def fake(fake_telegram: FakeTelegram) -> FakeTelegram:
    fake_telegram.rate_limits = False
    return fake_telegram


def offsets(fake: FakeTelegram) -> list[object]:
    return [call.params.get("offset") for call in fake.calls_to("getUpdates")]


async def test_updates_pushed_to_the_fake_are_answered(fake: FakeTelegram, demo: Database) -> None:
    chat = 9001
    async with running(make_settings(fake, mode="polling"), demo, fake):
        start = fake.push_update(build.start_update(chat, fake=fake))
        await fake.wait_for(1, chat_id=chat)
        assert "Здравствуйте" in fake.texts(chat)[0]
        pressed = fake.push_update(
            build.callback_update(chat, "go:tariffs", fake=fake)  # a main-menu button
        )
        await fake.wait_for(2, chat_id=chat)
        assert "тариф" in fake.texts(chat)[1].casefold()
        await fake.wait_for(lambda: len(fake.answered_callbacks) == 1)
        await until(lambda: offsets(fake), lambda seen: pressed["update_id"] + 1 in seen)
        assert start["update_id"] + 1 in offsets(fake)
        assert fake.updates == []  # everything confirmed
    assert fake.calls_to("setWebhook") == []  # polling never touches the webhook


async def test_a_409_because_a_webhook_is_set_is_logged_and_retried(
    fake: FakeTelegram, demo: Database, caplog: pytest.LogCaptureFixture
) -> None:
    chat = 9002
    fake.webhook = Webhook(url="https://bot.example/webhooks/telegram")
    caplog.set_level(logging.INFO)
    async with running(make_settings(fake, mode="polling"), demo, fake):
        await until(lambda: [c.status for c in fake.calls_to("getUpdates")], lambda s: 409 in s)
        assert any("webhook" in r.getMessage() for r in caplog.records if r.levelno >= 30)
        fake.webhook = Webhook()  # the operator removed it
        fake.push_update(build.start_update(chat, fake=fake))
        await fake.wait_for(1, chat_id=chat, timeout=10)
        assert "Здравствуйте" in fake.texts(chat)[0]


def blocking_handle(
    gate: asyncio.Event, entered: asyncio.Event
) -> Callable[[Pipeline, Inbound], Awaitable[Handled]]:
    original = Pipeline.handle

    async def handle(self: Pipeline, inbound: Inbound) -> Handled:
        entered.set()
        await gate.wait()
        return await original(self, inbound)

    return handle


async def test_an_update_is_confirmed_only_after_it_was_handled(
    fake: FakeTelegram, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = 9003
    gate, entered = asyncio.Event(), asyncio.Event()
    monkeypatch.setattr(Pipeline, "handle", blocking_handle(gate, entered))
    async with running(make_settings(fake, mode="polling"), demo, fake):
        update = fake.push_update(build.start_update(chat, fake=fake))
        await asyncio.wait_for(entered.wait(), 5)
        await asyncio.sleep(0.2)  # time for a wrongly eager poller to confirm it
        assert update["update_id"] in [u["update_id"] for u in fake.updates]
        assert all(o is None or o <= update["update_id"] for o in offsets(fake))
        gate.set()
        await fake.wait_for(1, chat_id=chat)
        await until(lambda: offsets(fake), lambda seen: update["update_id"] + 1 in seen)
        assert fake.updates == []


async def test_an_update_taken_by_a_process_that_died_is_handled_after_restart(
    fake: FakeTelegram, demo: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = 9004
    gate, entered = asyncio.Event(), asyncio.Event()
    monkeypatch.setattr(Pipeline, "handle", blocking_handle(gate, entered))
    settings = make_settings(fake, mode="polling")
    async with running(settings, demo, fake):
        fake.push_update(build.start_update(chat, fake=fake))
        await asyncio.wait_for(entered.wait(), 5)
    # Killed mid-handling: nothing was committed, nothing confirmed.
    assert fake.sent(chat) == [] and len(fake.updates) == 1
    monkeypatch.undo()
    async with running(settings, Database(database_url), fake) as second:
        await fake.wait_for(1, chat_id=chat)
        await second.settle()
        assert len(fake.sent(chat)) == 1 and "Здравствуйте" in fake.texts(chat)[0]
        assert len(await second.inbox()) == 1
