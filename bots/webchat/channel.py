"""The web chat's outbound side: a delivered reply goes live to the session's open pages.

Delivery cannot fail: a customer with no page open reads the reply in the history when they
come back. The key returned (stored as the platform's message id) lets a page that also sees
the row through polling show it once.
"""

from __future__ import annotations

import uuid

from bots.channel import AlwaysOpen, Rates, SendContext
from bots.webchat.hub import Hub
from bots.webchat.messages import CHANNEL, LIMITS, shown_reply
from dialogs.messages import Reply


class WebchatChannel(AlwaysOpen):
    name = CHANNEL
    limits = LIMITS
    rates = Rates(per_second=0, per_chat_per_second=0)

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        key = uuid.uuid4().hex
        row_id = context.row_id if context is not None else None
        self.hub.publish(user_id, shown_reply(reply, key, row_id=row_id, media=self.hub.media))
        return key

    async def close(self) -> None:
        await self.hub.close()
