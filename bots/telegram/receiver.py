"""After receipt, the same for the webhook and for long polling: parse, handle, answer the
button press."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bots.plugin import Pipeline
from bots.telegram.channel import TelegramChannel
from bots.telegram.updates import parse_update

log = logging.getLogger(__name__)


class Receiver:
    def __init__(self, pipeline: Pipeline, channel: TelegramChannel) -> None:
        self._pipeline = pipeline
        self._channel = channel
        self._answers: set[asyncio.Task[None]] = set()

    async def receive(self, update: Any) -> None:
        """Handle one update; raises BadUpdate for what is not an update at all."""
        parsed = parse_update(update)
        duplicate = False
        if parsed.inbound is None:
            log.debug("telegram update %d ignored: %s", parsed.update_id, parsed.ignored)
        else:
            duplicate = (await self._pipeline.handle(parsed.inbound)).duplicate
        if parsed.callback_id and not duplicate:
            # Answered after the commit and without waiting: the reply itself travels the outbox.
            task = asyncio.create_task(self._channel.answer_callback(parsed.callback_id))
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    async def close(self) -> None:
        if self._answers:
            await asyncio.wait(self._answers, timeout=5)
