"""A Callback API event (a decoded JSON object whose secret and group were checked) → what it
means for the bot.

Read field by field from the plain dict: real bodies carry nulls where a field is absent
(`"payload": null`, `"geo": null`), bodies of API versions before 5.103 have the message as the
object itself (with `body` and `user_id` before 5.80), and an odd field must cost one event,
never the webhook a 500.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bots.render import typed_option
from bots.vk.keyboard import PAYLOAD_KEY
from dialogs.messages import Inbound, InboundKind

CHANNEL = "vk"
CHAT_PEER_MIN = 2_000_000_000  # peer ids of group chats: 2e9 + chat id
EVENT_ID_MAX = 128
FILE_ID_MAX = 2000
# VK's language ids (the `lang` parameter of the API): client_info.lang_id.
LANGUAGES = {0: "ru", 1: "uk", 2: "be", 3: "en", 4: "es", 5: "fi", 6: "de", 7: "it"}
# Attachments an operator can open (a photo of the meter, a bill, a voice message).
FILE_TYPES = ("photo", "doc", "audio_message", "video", "audio", "graffiti")
START_COMMAND = "start"  # the payload of VK's own «Начать» button: {"command": "start"}
# Echoes of the community's own messages (ours, and its staff's in VK): nothing to do.
ECHOES = frozenset({"message_reply", "message_edit"})


@dataclass(frozen=True, slots=True)
class EventAnswer:
    """A callback button's press, answered with messages.sendMessageEventAnswer."""

    event_id: str
    user_id: int
    peer_id: int


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    inbound: Inbound | None = None  # a message or a notice, for the pipeline
    answer: EventAnswer | None = None
    ignored: str = ""  # why nothing is done, for the log


def parse_event(body: dict[str, Any]) -> Event:
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return Event("", ignored="no event type")
    try:
        if kind == "message_new":
            return _message_new(body)
        if kind == "message_event":
            return _message_event(body)
        if kind in ("message_allow", "message_deny"):
            return _permission(kind, body)
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        return Event(kind, ignored=f"malformed {kind}: {exc!r}")
    if kind in ECHOES:
        return Event(kind, ignored="an echo of the community's own message")
    return Event(kind, ignored=f"event type {kind[:64]}")


# -- message_new ---------------------------------------------------------------------------


def _message_new(body: dict[str, Any]) -> Event:
    kind = "message_new"
    obj = _dict(body.get("object"))
    # From API 5.103 {"message": {...}, "client_info": {...}}; before, the message itself.
    message = _dict(obj.get("message")) if isinstance(obj.get("message"), dict) else obj
    client = _dict(obj.get("client_info"))
    if _int(message.get("out")) == 1:
        return Event(kind, ignored="an outgoing message")
    if message.get("chat_id") is not None:  # a group chat before API 5.80 (no peer_id then)
        return Event(kind, ignored="a group chat")
    user_id = _customer(message.get("from_id"), message.get("user_id"), message.get("peer_id"))
    if isinstance(user_id, str):
        return Event(kind, ignored=user_id)
    text = _str(message.get("text")) or _str(message.get("body"))  # `body` before 5.80
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": str(user_id),
        "event_id": _event_id(body) or _message_key(user_id, message, text),
        "time": _time(message.get("date")),
        "language": _language(client.get("lang_id")),
    }
    pressed = _payload(message.get("payload"))
    if pressed is not None:
        return Event(kind, inbound=_pressed(pressed, base))
    attachments = [a for a in _list(message.get("attachments")) if isinstance(a, dict)]
    for attachment in attachments:
        reference, title = _file(attachment)
        if reference:
            caption = text or title
            inbound = Inbound(kind=InboundKind.FILE, text=caption, file_id=reference, **base)
            return Event(kind, inbound=inbound)
    if text.strip():
        return Event(kind, inbound=Inbound(kind=InboundKind.TEXT, text=text, **base))
    if attachments or message.get("geo") or _list(message.get("fwd_messages")):
        # A sticker, a location, a forwarded message, a poll, a wall post ...: a polite answer.
        return Event(kind, inbound=Inbound(kind=InboundKind.UNSUPPORTED, **base))
    if message.get("action"):
        return Event(kind, ignored="a service message")
    return Event(kind, ignored="a message without text or attachments")


def _customer(from_id: Any, user_id: Any, peer_id: Any) -> int | str:
    """The customer's id (their dialog with the community), or why the message is not one."""
    sender = _int(from_id) or _int(user_id)  # user_id before API 5.80
    peer = _int(peer_id) or sender
    if peer is None:
        return "no sender"
    if peer >= CHAT_PEER_MIN:
        return "a group chat"
    if sender is None:
        sender = peer
    if sender <= 0 or peer != sender:
        return "not a customer's own dialog"
    return sender


def _message_key(user_id: int, message: dict[str, Any], text: str) -> str:
    """Bodies without event_id (API before 5.103): the message's own identity, the same when
    VK delivers it again."""
    message_id = _int(message.get("id")) or 0
    if message_id > 0:
        return f"message_new:{user_id}:{message_id}"
    stamp = f"{_int(message.get('date'))}:{_int(message.get('conversation_message_id'))}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"message_new:{user_id}:{stamp}:{digest}"


def _file(attachment: dict[str, Any]) -> tuple[str, str]:
    """(a reference an operator can open, the file's title) of a file-like attachment."""
    kind = _str(attachment.get("type"))
    if kind not in FILE_TYPES:
        return "", ""
    item = _dict(attachment.get(kind))
    url = ""
    if kind == "photo":
        sizes = [s for s in _list(item.get("sizes")) if isinstance(s, dict) and _str(s.get("url"))]
        if sizes:
            largest = max(sizes, key=_area)
            url = _str(largest.get("url"))
    elif kind == "audio_message":
        url = _str(item.get("link_ogg")) or _str(item.get("link_mp3"))
    else:
        url = _str(item.get("url"))
    if not url:
        # Videos carry no URL: VK's own reference (video<owner>_<id>) opens it in VK.
        owner, number = _int(item.get("owner_id")), _int(item.get("id"))
        url = f"{kind}{owner}_{number}" if owner is not None and number is not None else ""
    return url[:FILE_ID_MAX], _str(item.get("title"))[:256]


def _area(size: dict[str, Any]) -> int:
    return (_int(size.get("width")) or 0) * (_int(size.get("height")) or 0)


# -- buttons -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Press:
    payload: str  # ours; "" with start
    start: bool = False


def _payload(raw: Any) -> _Press | None:
    """A text button's payload (a JSON string) or a callback button's (an object): ours
    ({"b": ...}), VK's «Начать» ({"command": "start"}), else None."""
    value = raw
    if isinstance(raw, str):
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, dict):
        return None
    ours = value.get(PAYLOAD_KEY)
    if isinstance(ours, str) and ours:
        return _Press(ours)
    if value.get("command") == START_COMMAND:
        return _Press("", start=True)
    return None


def _pressed(press: _Press, base: dict[str, Any]) -> Inbound:
    if press.start:
        return Inbound(kind=InboundKind.START, **base)
    if (number := typed_option(press.payload)) is not None:
        return Inbound(kind=InboundKind.TEXT, text=number, **base)
    return Inbound(kind=InboundKind.BUTTON, payload=press.payload, **base)


# -- message_event: a callback button ------------------------------------------------------


def _message_event(body: dict[str, Any]) -> Event:
    kind = "message_event"
    obj = _dict(body.get("object"))
    user_id = _customer(obj.get("user_id"), None, obj.get("peer_id"))
    if isinstance(user_id, str):
        return Event(kind, ignored=user_id)
    press_id = _str(obj.get("event_id"))[:EVENT_ID_MAX]
    event_id = _event_id(body) or (f"message_event:{press_id}" if press_id else "")
    if not event_id:
        return Event(kind, ignored="a press without an id")
    answer = EventAnswer(press_id, user_id, user_id) if press_id else None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": str(user_id),
        "event_id": event_id,
        "time": datetime.now(UTC),  # a press carries no time of its own
    }
    press = _payload(obj.get("payload"))
    if press is None:
        # Not one of our buttons (another tool's keyboard): the dialogs answer a payload they
        # do not know with the current prompt.
        raw = obj.get("payload")
        foreign = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
        press = _Press(foreign[:1000] or "?")
    return Event(kind, inbound=_pressed(press, base), answer=answer)


# -- message_allow / message_deny ----------------------------------------------------------


def _permission(kind: str, body: dict[str, Any]) -> Event:
    obj = _dict(body.get("object"))
    user_id = _int(obj.get("user_id"))
    if user_id is None or not 0 < user_id < CHAT_PEER_MIN:
        return Event(kind, ignored="no user")
    event_id = _event_id(body)
    if not event_id:
        # Without VK's id a notice cannot be told from the next one (allow, deny, allow carry
        # the same body): each is its own event. Taken twice, it changes nothing more.
        event_id = f"{kind}:{user_id}:{uuid.uuid4().hex}"
    inbound = Inbound(
        channel=CHANNEL,
        user_id=str(user_id),
        event_id=event_id,
        kind=InboundKind.RESUMED if kind == "message_allow" else InboundKind.STOPPED,
        time=datetime.now(UTC),
    )
    return Event(kind, inbound=inbound)


# -- fields --------------------------------------------------------------------------------


def _event_id(body: dict[str, Any]) -> str:
    value = body.get("event_id")
    if isinstance(value, str) and value.strip() and len(value) <= EVENT_ID_MAX:
        return value.strip()
    return ""


def _time(value: Any) -> datetime:
    seconds = _int(value)
    if seconds is not None and seconds > 0:
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    return datetime.now(UTC)


def _language(lang_id: Any) -> str:
    if isinstance(lang_id, int) and not isinstance(lang_id, bool):
        return LANGUAGES.get(lang_id, "")
    return ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 24:
        return int(value.strip())
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
