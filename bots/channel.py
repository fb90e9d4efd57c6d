"""What every channel adapter offers the outbox sender: its limits, its rates and `send`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
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
    # What the platform takes as a file of its own (bots/attachments.py decides the way): a
    # file over a size or of a type not listed goes as a signed link in the text instead.
    document_max_bytes: int = 0  # 0: no documents
    document_types: frozenset[str] = frozenset({"application/pdf"})
    image_max_bytes: int = 0  # 0: no images as images (an image may still go as a document)
    image_types: frozenset[str] = frozenset({"image/png", "image/jpeg"})
    caption_max: int = 0  # characters of a file's caption; 0: the text goes as its own message


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


@dataclass(frozen=True, slots=True)
class SendContext:
    """What the sender knows of a reply's conversation, for platforms with messaging windows."""

    now: datetime  # aware
    last_inbound_at: datetime | None  # the customer's last message to us; None: never wrote
    # The outbox row being sent (0: not from the outbox): a platform that dedups sends by a
    # client id (VK's random_id) derives it from this, so a retried row is not a second message.
    row_id: int = 0

    def within(self, window: timedelta) -> bool:
        """The customer wrote within `window` of now."""
        return self.last_inbound_at is not None and self.now - self.last_inbound_at < window


class Refusal(StrEnum):
    """Why a platform will not take a reply now; the sender records it, the console shows it."""

    WINDOW_CLOSED = "window_closed"  # the customer-service window (24 h) has closed
    TAG_EXPIRED = "tag_expired"  # past even the human-agent tag's 7 days
    BOT_INITIATED = "bot_initiated"  # a paid bot-initiated message the settings do not allow
    NO_TEMPLATE = "no_template"  # a notice outside the window with no approved template for it
    NO_TAG = "no_tag"  # a notice outside the window that no message tag allows (Messenger)


class AlwaysOpen:
    """For channels without messaging windows: every reply may go at any time."""

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        return None


class Channel(Protocol):
    """An outbound channel as the sender uses it."""

    name: str
    limits: ChannelLimits
    rates: Rates

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        """Deliver one reply (several platform messages if it must be split); returns the
        platform's id of the last one. Raises SendError; any other exception is transient.
        `context` None: as if inside every window."""

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        """Why the platform would refuse this reply now, or None; nothing is sent if refused."""

    async def close(self) -> None:
        """Release connections."""
