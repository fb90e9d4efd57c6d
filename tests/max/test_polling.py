"""Long polling: GET /updates with the marker, which moves (confirms) only after a batch was
handled; the real app in max.mode: polling."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bots.max.api import MaxApi
from bots.max.polling import Poller
from storage.database import Database
from tests.fakes.max import FakeMax
from tests.fakes.max import updates as build
from tests.max.harness import make_settings, running
from tests.telegram.harness import until


class FlakyReceiver:
    """Fails once on the update numbered `fail_on` (a database outage mid-batch)."""

    def __init__(self, fail_on: int) -> None:
        self.fail_on = fail_on
        self.handled: list[int] = []

    async def receive(self, update: dict[str, Any]) -> None:
        if update["n"] == self.fail_on:
            self.fail_on = -1
            raise RuntimeError("the database went away")
        self.handled.append(update["n"])


async def test_the_marker_moves_only_after_the_whole_batch_is_handled(fake_max: FakeMax) -> None:
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    receiver = FlakyReceiver(fail_on=2)
    poller = Poller(api, receiver, timeout=1)  # type: ignore[arg-type]
    updates, marker = await poller.poll()  # an empty queue: where MAX stands
    assert updates == [] and marker is not None
    poller.marker = marker
    for n in (1, 2, 3):
        fake_max.push_update({"update_type": "message_created", "timestamp": n, "n": n})
    task = asyncio.create_task(poller.run())
    try:
        await until(lambda: receiver.handled, lambda h: len(h) >= 4, timeout=10)
        # 1 was handled, 2 failed: the batch came again (1 a duplicate for the pipeline).
        assert receiver.handled == [1, 1, 2, 3]
        markers = [c.params.get("marker") for c in fake_max.calls_to("/updates")]
        assert markers[1] == markers[2] == str(marker)  # not confirmed after the failure
        await until(lambda: fake_max.pending, lambda p: p == [], timeout=5)  # confirmed after
        params = fake_max.calls_to("/updates")[-1].params
        assert params["types"].split(",")[:2] == ["message_created", "message_callback"]
        assert fake_max.calls_to("/updates")[-1].headers["Authorization"] == fake_max.token
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await api.close()


async def test_polling_refused_while_a_webhook_is_set_is_retried_not_fatal(
    fake_max: FakeMax,
) -> None:
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    receiver = FlakyReceiver(fail_on=-1)
    fake_max.push_update({"update_type": "bot_started", "n": 1})
    from tests.fakes.max.models import Subscription

    fake_max.subscriptions.append(Subscription("https://bot.example/webhooks/max", 1, None, None))
    task = asyncio.create_task(Poller(api, receiver, timeout=1).run())  # type: ignore[arg-type]
    try:
        await until(lambda: fake_max.calls_to("/updates"), lambda c: len(c) >= 1, timeout=5)
        assert fake_max.calls_to("/updates")[0].status == 405
        fake_max.subscriptions.clear()  # `energobot webhooks delete max`
        await until(lambda: receiver.handled, lambda h: h == [1], timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await api.close()


async def test_the_app_in_polling_mode_answers_updates_from_get_updates(
    fake_max: FakeMax, demo: Database
) -> None:
    settings = make_settings(fake_max, mode="polling", webhook_secret="", polling_timeout_seconds=1)
    async with running(settings, demo, fake_max) as mx:
        status, _ = await mx.post(build.bot_started(fake_max, 7301))
        assert status in (404, 405)  # no webhook route in polling mode
        await until(lambda: fake_max.polls, lambda n: n >= 1, timeout=5)
        fake_max.push_update(build.bot_started(fake_max, 7301))
        await until(lambda: fake_max.sent(7301), lambda s: len(s) >= 1, timeout=10)
        assert "Здравствуйте" in fake_max.sent(7301)[0].text
        sent = len(fake_max.sent(7301))
        update = build.callback(fake_max, 7301, "go:tariffs")
        fake_max.push_update(update)
        fake_max.push_update(update)  # delivered twice: one effect, one answer
        await until(lambda: fake_max.sent(7301), lambda s: len(s) > sent, timeout=10)
        await mx.settle()
        await until(lambda: fake_max.pending, lambda p: p == [], timeout=5)
        assert len(fake_max.answered(update["callback"]["callback_id"])) == 1
        assert len(await mx.inbox()) == 2
