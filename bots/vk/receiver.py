"""After the webhook's checks: parse the event, take its turn, answer a callback press."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bots.plugin import Pipeline
from bots.vk.channel import VkChannel
from bots.vk.events import parse_event

log = logging.getLogger(__name__)


class VkReceiver:
    def __init__(self, pipeline: Pipeline, channel: VkChannel) -> None:
        self._pipeline = pipeline
        self._channel = channel
        self._answers: set[asyncio.Task[None]] = set()

    async def receive(self, body: dict[str, Any]) -> None:
        """Handle one event; returns once its turn is committed (or it was a duplicate)."""
        event = parse_event(body)
        duplicate = False
        if event.inbound is None:
            log.debug("vk %s ignored: %s", event.type or "event", event.ignored)
        else:
            handled = await self._pipeline.handle(event.inbound)
            duplicate = handled.duplicate
        if event.answer is not None and not duplicate:
            # After the commit and without waiting: the reply itself travels the outbox, and
            # VK needs its «ok» soon (it delivers again otherwise).
            task = asyncio.create_task(self._channel.answer_event(event.answer))
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    async def close(self) -> None:
        if self._answers:
            await asyncio.wait(self._answers, timeout=5)
