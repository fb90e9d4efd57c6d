"""After receipt, the same for the webhook and for long polling: parse, handle, answer the
button press."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bots.max.channel import MaxChannel
from bots.max.updates import Parsed, parse_update
from bots.plugin import Pipeline

log = logging.getLogger(__name__)

ANSWERS_GRACE_SECONDS = 5.0  # how long closing waits for callback answers under way


class Receiver:
    def __init__(self, pipeline: Pipeline, channel: MaxChannel) -> None:
        self._pipeline = pipeline
        self._channel = channel
        self._answers: set[asyncio.Task[None]] = set()

    async def receive(self, update: Any) -> Parsed:
        """Handle one update; raises BadUpdate for what is not an update at all."""
        parsed = parse_update(update)
        duplicate = False
        if parsed.inbound is None:
            log.debug("max %s ignored: %s", parsed.update_type, parsed.ignored)
        else:
            duplicate = (await self._pipeline.handle(parsed.inbound)).duplicate
        if parsed.callback_id and not duplicate:
            # Answered after the commit and without waiting: the reply itself travels the
            # outbox. A repeated delivery was answered the first time.
            inbound = parsed.inbound
            user_id, language = (inbound.user_id, inbound.language) if inbound else ("", "")
            answer = self._channel.answer_callback(parsed.callback_id, user_id, language)
            task = asyncio.create_task(answer)
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)
        return parsed

    async def close(self) -> None:
        if self._answers:
            await asyncio.wait(self._answers, timeout=ANSWERS_GRACE_SECONDS)
