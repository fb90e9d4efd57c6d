"""A Viber callback (a decoded JSON object) → what it means for the bot.

viberbot (Viber's Python SDK) reads the callback into its request and message objects; it raises
a bare Exception on an event or message type it does not know, and KeyError/TypeError on missing
or odd fields. Those are acknowledged and ignored: Viber would only retry them for an hour.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from viberbot.api import messages as sdk_messages
from viberbot.api.event_type import EventType
from viberbot.api.messages import (
    ContactMessage,
    FileMessage,
    LocationMessage,
    PictureMessage,
    StickerMessage,
    TextMessage,
    URLMessage,
    VideoMessage,
)
from viberbot.api.viber_requests import (
    EVENT_TYPE_TO_CLASS,
    ViberConversationStartedRequest,
    ViberDeliveredRequest,
    ViberFailedRequest,
    ViberMessageRequest,
    ViberSeenRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
    create_request,
)

from bots.render import typed_option
from bots.viber.tracking import PAYLOAD_SHAPE, Tracking, decode
from dialogs.messages import Inbound, InboundKind

log = logging.getLogger(__name__)

CHANNEL = "viber"
# Delivery statuses as the outbox records them (Pipeline.record_delivery).
RECEIPT_STATUS = {
    EventType.DELIVERED: "delivered",
    EventType.SEEN: "read",
    EventType.FAILED: "failed",
}
NAME_MAX = 256


class BadCallback(ValueError):
    """Not a Viber callback at all: the sender gets a 400."""


@dataclass(frozen=True, slots=True)
class Receipt:
    status: str  # delivered | read | failed
    message_token: str
    user_id: str
    at: datetime
    error: str = ""


@dataclass(frozen=True, slots=True)
class Opened:
    """conversation_started: the customer opened the chat (not a subscription)."""

    user_id: str
    name: str
    language: str
    subscribed: bool
    context: str


@dataclass(frozen=True, slots=True)
class Callback:
    event: str
    inbound: Inbound | None = None  # a message or a notice, for the pipeline
    receipt: Receipt | None = None
    opened: Opened | None = None
    ignored: str = ""  # why nothing is done, for the log


def parse_callback(body: Any) -> Callback:
    if not isinstance(body, dict):
        raise BadCallback("a callback is a JSON object")
    event = body.get("event")
    if not isinstance(event, str) or not event:
        raise BadCallback("a callback has an event")
    if event == EventType.FAILED and "desc" not in body:
        body = {**body, "desc": ""}  # the SDK requires it; a receipt without a reason is still one
    if "timestamp" not in body:  # the SDK requires it; the time of arrival will do
        body = {**body, "timestamp": int(time.time() * 1000)}
    if event == EventType.CONVERSATION_STARTED and "message_token" not in body:
        # Required by the SDK, unused here: the welcome is answered, nothing is stored.
        body = {**body, "message_token": 0}
    try:
        request = create_request(body)
    except Exception as exc:  # the SDK raises bare Exception, KeyError, TypeError ...
        return Callback(event, ignored=_unknown(body, event) or f"malformed {event}: {exc!r}")
    try:
        return _meaning(event, request, body)
    except (AttributeError, TypeError, ValueError) as exc:  # odd field types past the SDK
        return Callback(event, ignored=f"malformed {event}: {exc!r}")


def _unknown(body: dict[str, Any], event: str) -> str:
    if event not in EVENT_TYPE_TO_CLASS:
        return f"event type {event}"
    message = body.get("message")
    if event == EventType.MESSAGE and isinstance(message, dict):
        kind = message.get("type")
        if isinstance(kind, str) and kind not in sdk_messages.MESSAGE_TYPE_TO_CLASS:
            return f"message type {kind}"
    return ""


def _meaning(event: str, request: Any, body: dict[str, Any]) -> Callback:
    at = _time(request.timestamp)
    if isinstance(request, ViberMessageRequest):
        return _message(event, request, at)
    if isinstance(request, ViberConversationStartedRequest):
        user = request.user
        user_id = _id(user.id)
        if not user_id:
            return Callback(event, ignored="no user")
        opened = Opened(
            user_id,
            _str(user.name)[:NAME_MAX],
            _str(user.language)[:8],
            request.subscribed is True,
            _str(request.context),
        )
        return Callback(event, opened=opened)
    if isinstance(request, ViberSubscribedRequest | ViberUnsubscribedRequest):
        subscribed = isinstance(request, ViberSubscribedRequest)
        user = request.user if subscribed else None
        user_id = _id(user.id if user is not None else request.user_id)
        if not user_id:
            return Callback(event, ignored="no user")
        token = _token(body.get("message_token"))
        inbound = Inbound(
            channel=CHANNEL,
            user_id=user_id,
            # Notices share the inbox with messages: the event keeps their keys apart.
            event_id=f"{event}:{token or f'{user_id}:{request.timestamp}'}",
            kind=InboundKind.RESUMED if subscribed else InboundKind.STOPPED,
            time=at or datetime.now(UTC),
            display_name=_str(user.name)[:NAME_MAX] if user is not None else "",
            language=_str(user.language)[:8] if user is not None else "",
        )
        return Callback(event, inbound=inbound)
    if isinstance(request, ViberDeliveredRequest | ViberSeenRequest | ViberFailedRequest):
        token = _token(request.message_token)
        user_id = _id(request.user_id)
        if not token:
            return Callback(event, ignored="no message token")
        error = _str(request.desc) if isinstance(request, ViberFailedRequest) else ""
        receipt = Receipt(RECEIPT_STATUS[event], token, user_id, at or datetime.now(UTC), error)
        return Callback(event, receipt=receipt)
    return Callback(event, ignored="webhook check" if event == EventType.WEBHOOK else event)


def _message(event: str, request: ViberMessageRequest, at: datetime | None) -> Callback:
    sender = request.sender
    user_id = _id(sender.id)
    if not user_id:
        return Callback(event, ignored="no sender")
    token = _token(request.message_token)
    if not token:
        return Callback(event, ignored="no message token")
    message = request.message
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "event_id": token,
        "time": at or datetime.now(UTC),
        "display_name": _str(sender.name)[:NAME_MAX],
        "language": _str(sender.language)[:8],
    }
    tracking = decode(message.tracking_data)
    inbound: Inbound
    if isinstance(message, TextMessage):
        inbound = _text(_str(message.text), tracking, base)
    elif isinstance(message, URLMessage):
        inbound = Inbound(kind=InboundKind.TEXT, text=_str(message.media), **base)
    elif isinstance(message, ContactMessage):
        contact = message.contact
        phone = _str(contact.phone_number) if contact is not None else ""
        # Viber marks neither a share-phone answer nor a forwarded contact card. The button's
        # answer comes while it is on screen; a contact while our last keyboard did not ask
        # for one is taken as somebody else's.
        own = tracking is None or tracking.phone
        inbound = Inbound(kind=InboundKind.CONTACT, phone=phone, own_contact=own, **base)
    elif isinstance(message, PictureMessage | VideoMessage | FileMessage):
        caption = _str(getattr(message, "text", None))
        if isinstance(message, FileMessage):
            caption = caption or _str(message.file_name)
        media = _str(message.media)
        if not media:
            return Callback(event, ignored="a file without its media")
        inbound = Inbound(kind=InboundKind.FILE, text=caption, file_id=media, **base)
    elif isinstance(message, LocationMessage | StickerMessage):
        inbound = Inbound(kind=InboundKind.UNSUPPORTED, **base)
    else:  # rich_media or a keyboard from a user: nothing a customer sends
        inbound = Inbound(kind=InboundKind.UNSUPPORTED, **base)
    return Callback(event, inbound=inbound)


def _text(text: str, tracking: Tracking | None, base: dict[str, Any]) -> Inbound:
    """A reply button sends its ActionBody as the message text: a press when it is one of the
    payloads the last keyboard showed (or, with no tracking data back, looks like one)."""
    pressed = text in tracking.payloads if tracking is not None else bool(PAYLOAD_SHAPE.match(text))
    if pressed:
        if (number := typed_option(text)) is not None:
            return Inbound(kind=InboundKind.TEXT, text=number, **base)
        return Inbound(kind=InboundKind.BUTTON, payload=text, **base)
    return Inbound(kind=InboundKind.TEXT, text=text, **base)


def _token(value: Any) -> str:
    """message_token as its exact decimal digits (Python's json keeps big integers exact)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 40:
        return value
    return ""


def _id(value: Any) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= 128 else ""


def _time(value: Any) -> datetime | None:
    """A callback's timestamp: milliseconds since the epoch."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
