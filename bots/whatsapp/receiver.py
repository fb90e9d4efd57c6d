"""After the signature: every message of a notification through the pipeline, every status onto
the outbox row it names."""

from __future__ import annotations

import logging
from typing import Any

from bots.plugin import Pipeline
from bots.whatsapp.updates import CHANNEL, parse_body

log = logging.getLogger(__name__)


class WhatsAppReceiver:
    def __init__(self, sink: Pipeline, phone_number_id: str = "") -> None:
        self._sink = sink
        self._phone_number_id = phone_number_id
        self._other_numbers: set[str] = set()  # told once each

    async def receive(self, body: dict[str, Any]) -> None:
        batch = parse_body(body, self._phone_number_id)
        for reason in batch.ignored:
            log.debug("whatsapp: ignored %s", reason)
        for notice in batch.warnings:
            log.warning("whatsapp: account notice %s", notice)
        for number in batch.other_numbers - self._other_numbers:
            # Another number of the same business account, or a wrong setting that would keep
            # the bot silent: worth a warning, once.
            self._other_numbers.add(number)
            log.warning(
                "whatsapp: notifications for phone number id %s are ignored "
                "(whatsapp.phone_number_id is %s); if the bot stays silent, check that setting",
                number,
                self._phone_number_id,
            )
        # In order: one customer's messages in a body are in the order they were written.
        for inbound in batch.inbounds:
            await self._sink.handle(inbound)
        for receipt in batch.receipts:
            await self._sink.record_delivery(
                CHANNEL, [receipt.platform_id], receipt.status, receipt.at, receipt.error
            )
