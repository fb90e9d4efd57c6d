"""What every channel adapter offers the outbox sender: its limits, its rates and `send`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from dialogs.messages import Reply


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    text_max: int  # characters in one message
    buttons_max: int  # native buttons in one message; 0: the channel has none
    button_label_max: int  # characters of a button's label
    payload_max_bytes: int  # bytes a button may carry back
    request_phone: bool = False  # has a native "share my phone" control
    documents: bool = False  # can send a file (a PDF receipt)
    measure: Callable[[str], int] = len  # how the platform counts text_max (Telegram: UTF-16)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Rates:
    """Sending limits the sender keeps to; 0 means no limit."""

    per_second: float  # the whole channel (a bot token, a phone number)
    per_chat_per_second: float  # one recipient
    per_chat_burst: int = 1  # messages a recipient may get back to back before the rate applies


class SendError(Exception):
    """A send that did not go through, classified for the sender.

    permanent: retrying will not help (the user blocked the bot, the chat does not exist, the
    message is refused as it is); blocks: the recipient cannot be reached at all, so the
    conversation is marked and nothing more is sent until they write again; retry_after: the
    platform's own wait in seconds (a 429) — the row waits that long, without counting as a failure.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        blocks: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or blocks
        self.blocks = blocks
        self.retry_after = retry_after


class Channel(Protocol):
    """An outbound channel as the sender uses it."""

    name: str
    limits: ChannelLimits
    rates: Rates

    async def send(self, user_id: str, reply: Reply) -> str | None:
        """Deliver one reply (several platform messages if it must be split); returns the
        platform's id of the last one. Raises SendError; any other exception is transient."""

    async def close(self) -> None:
        """Release connections."""
