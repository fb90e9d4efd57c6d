"""Telegram Update (a decoded JSON object) → one neutral event, or a reason to ignore it.

Read field by field rather than validated into aiogram's models: an update with one odd
field (no chat.type, a string is_bot, keys newer than our aiogram) still carries a customer's
message, and only what the dialog needs is read (cheaper than the full model too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bots.render import typed_option
from dialogs.messages import Inbound, InboundKind

CHANNEL = "telegram"
# What setWebhook / getUpdates ask Telegram for; everything else is not for this bot.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
_UNSUPPORTED_MESSAGE_KEYS = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
)


class BadUpdate(ValueError):
    """Not a Telegram update at all: the sender gets a 400."""


@dataclass(frozen=True, slots=True)
class Parsed:
    update_id: int
    inbound: Inbound | None  # None: acknowledged and ignored
    ignored: str = ""  # why, for the log
    callback_id: str = ""  # a callback query to answer (stops the button's spinner)


def parse_update(update: Any) -> Parsed:
    if not isinstance(update, dict):
        raise BadUpdate("an update is a JSON object")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadUpdate("update_id must be an integer")
    if isinstance(message := update.get("message"), dict):
        return _message(update_id, message)
    if isinstance(query := update.get("callback_query"), dict):
        return _callback(update_id, query)
    if isinstance(member := update.get("my_chat_member"), dict):
        return _member(update_id, member)
    if "edited_message" in update:
        # An edit is not a new message: answering it again would repeat a step.
        return Parsed(update_id, None, "edited message")
    kind = next((k for k in update if k != "update_id"), "empty")
    return Parsed(update_id, None, f"update kind {kind}")


def _message(update_id: int, message: dict[str, Any]) -> Parsed:
    chat = _dict(message.get("chat"))
    sender = _dict(message.get("from"))
    if not _private(chat):
        return Parsed(update_id, None, "not a private chat")
    if not sender or _truthy(sender.get("is_bot")):
        return Parsed(update_id, None, "not from a person")
    if _chat_id(chat, sender) is None:
        return Parsed(update_id, None, "no chat to answer")
    base = _base(update_id, chat, sender, message.get("date"))
    base["event_id"] = str(update_id)
    text = _str(message.get("text"))
    if contact := _dict(message.get("contact")):
        own = str(contact.get("user_id", "")) == base["user_id"]
        return Parsed(
            update_id,
            Inbound(
                kind=InboundKind.CONTACT,
                phone=_str(contact.get("phone_number")),
                own_contact=own,
                **base,
            ),
        )
    if text.startswith("/start") and (len(text) == 6 or text[6] in " @"):
        _, _, param = text.partition(" ")
        return Parsed(update_id, Inbound(kind=InboundKind.START, payload=param.strip(), **base))
    if text:
        return Parsed(update_id, Inbound(kind=InboundKind.TEXT, text=text, **base))
    if file_id := _file_id(message):
        caption = _str(message.get("caption"))
        return Parsed(
            update_id, Inbound(kind=InboundKind.FILE, text=caption, file_id=file_id, **base)
        )
    if any(key in message for key in _UNSUPPORTED_MESSAGE_KEYS):
        return Parsed(update_id, Inbound(kind=InboundKind.UNSUPPORTED, **base))
    return Parsed(update_id, None, "a service message")


def _callback(update_id: int, query: dict[str, Any]) -> Parsed:
    callback_id = _str(query.get("id"))
    sender = _dict(query.get("from"))
    message = _dict(query.get("message"))
    chat = _dict(message.get("chat")) or {"id": sender.get("id"), "type": "private"}
    if not sender or not _private(chat) or _chat_id(chat, sender) is None:
        return Parsed(update_id, None, "callback outside a private chat", callback_id)
    base = _base(update_id, chat, sender, None)
    base["event_id"] = str(update_id)
    data = _str(query.get("data"))
    if (number := typed_option(data)) is not None:
        inbound = Inbound(kind=InboundKind.TEXT, text=number, **base)
    else:
        inbound = Inbound(kind=InboundKind.BUTTON, payload=data, **base)
    return Parsed(update_id, inbound, callback_id=callback_id)


def _member(update_id: int, member: dict[str, Any]) -> Parsed:
    chat = _dict(member.get("chat"))
    sender = _dict(member.get("from"))
    if not _private(chat) or not sender or _chat_id(chat, sender) is None:
        return Parsed(update_id, None, "membership outside a private chat")
    status = _str(_dict(member.get("new_chat_member")).get("status"))
    if status in ("kicked", "left"):
        kind = InboundKind.STOPPED
    elif status in ("member", "administrator", "creator"):
        kind = InboundKind.RESUMED
    else:
        return Parsed(update_id, None, f"membership {status or 'unknown'}")
    base = _base(update_id, chat, sender, member.get("date"))
    base["event_id"] = str(update_id)
    return Parsed(update_id, Inbound(kind=kind, **base))


def _base(
    update_id: int, chat: dict[str, Any], sender: dict[str, Any], date: Any
) -> dict[str, Any]:
    name = " ".join(
        part for part in (_str(sender.get("first_name")), _str(sender.get("last_name"))) if part
    )
    when = _time(date)
    return {
        "channel": CHANNEL,
        "user_id": str(_chat_id(chat, sender)),
        "time": when or datetime.now(UTC),
        "display_name": name[:256],
        "language": _str(sender.get("language_code"))[:8],
    }


def _time(date: Any) -> datetime | None:
    """A unix date; None for a missing, zero (inaccessible message) or impossible one."""
    if not isinstance(date, int) or isinstance(date, bool) or date <= 0:
        return None
    try:
        return datetime.fromtimestamp(date, UTC)
    except (OverflowError, OSError, ValueError):  # beyond the calendar
        return None


def _chat_id(chat: dict[str, Any], sender: dict[str, Any]) -> int | None:
    """Where replies go: the chat's id (a private chat's is the user's), an integer."""
    for value in (chat.get("id"), sender.get("id")):
        if isinstance(value, int) and not isinstance(value, bool) and value != 0:
            return value
    return None


def _private(chat: dict[str, Any]) -> bool:
    """A private chat. Some updates come without chat.type: private chat ids are positive
    (groups and channels are negative)."""
    kind: object = chat.get("type")
    if kind is None:
        chat_id = chat.get("id")
        return isinstance(chat_id, int) and chat_id > 0
    return kind == "private"


def _file_id(message: dict[str, Any]) -> str:
    photos = message.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], dict):
        return _str(photos[-1].get("file_id"))  # the largest size comes last
    document = _dict(message.get("document"))
    return _str(document.get("file_id"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _truthy(value: Any) -> bool:
    """is_bot as real updates carry it: true/false, and in odd ones "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
