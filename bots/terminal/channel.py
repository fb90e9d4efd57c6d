"""The terminal's outbound side: replies are collected for the command to print."""

from __future__ import annotations

from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext
from bots.terminal.adapter import CHANNEL
from dialogs.messages import Reply

# A terminal shows anything; the limits only keep the renderer's ladder honest.
LIMITS = ChannelLimits(
    text_max=100_000, buttons_max=100, button_label_max=1_000, payload_max_bytes=10_000
)


class TerminalChannel(AlwaysOpen):
    name = CHANNEL
    limits = LIMITS
    rates = Rates(per_second=0, per_chat_per_second=0)

    def __init__(self) -> None:
        self.delivered: list[Reply] = []

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        self.delivered.append(reply)
        return None

    def take(self) -> list[Reply]:
        taken, self.delivered = self.delivered, []
        return taken

    async def close(self) -> None:
        return None
