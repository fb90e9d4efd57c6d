"""After the signature: messages and postbacks through the pipeline, delivery and read notices
onto the outbox rows they name or cover."""

from __future__ import annotations

import logging
from typing import Any

from bots.messenger.updates import CHANNEL, parse_body
from bots.plugin import Pipeline

log = logging.getLogger(__name__)


class MessengerReceiver:
    def __init__(self, sink: Pipeline) -> None:
        self._sink = sink

    async def receive(self, body: dict[str, Any]) -> None:
        batch = parse_body(body)
        for reason in batch.ignored:
            log.debug("messenger: ignored %s", reason)
        for notice in batch.warnings:
            log.warning("messenger: %s", notice)
        for inbound in batch.inbounds:
            await self._sink.handle(inbound)
        for receipt in batch.receipts:
            if receipt.mids:
                await self._sink.record_delivery(CHANNEL, receipt.mids, receipt.status, receipt.at)
            if receipt.until is not None:
                # Everything sent before the watermark has been delivered (or read).
                await self._sink.record_delivery_until(
                    CHANNEL, receipt.user_id, receipt.status, receipt.until, receipt.at
                )
