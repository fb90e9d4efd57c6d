"""Where a Graph receiver puts what arrived: the pipeline's turn for messages, its receipt
recording for delivery statuses (dialogs.pipeline.Pipeline has exactly these)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dialogs.messages import Inbound


class Sink(Protocol):
    async def handle(self, inbound: Inbound) -> object: ...

    async def record_delivery(
        self,
        channel: str,
        platform_ids: Sequence[str],
        status: str,
        at: datetime,
        error: str = "",
    ) -> int: ...

    async def record_delivery_until(
        self, channel: str, user_id: str, status: str, until: datetime, at: datetime
    ) -> int: ...
