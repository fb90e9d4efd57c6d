"""A MAX Update (decoded JSON) → one neutral event, or a reason to ignore it.

Read field by field from the plain dict rather than validated into a model: real updates come
with fields missing (no timestamp, no mid, a callback without its user), ids as strings, types
newer than any schema, and still carry a customer's message (README.md, "maxapi"). Ids stay
exact: json gives Python ints, and nothing here goes through float.

What is not an update at all (not an object, no update_type) is BadUpdate (HTTP 400). Anything
with an update_type is acknowledged: MAX retries every non-200 for hours and then drops the
subscription, so an update we cannot use is ignored, never refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bots.render import typed_option
from dialogs.messages import Inbound, InboundKind

CHANNEL = "max"
# What the webhook subscription and long polling ask MAX for; the rest is not for this bot.
UPDATE_TYPES = (
    "message_created",
    "message_callback",
    "bot_started",
    "bot_stopped",
)
# Not asked for: bot_removed is the bot taken out of a group chat or channel (its user is the
# administrator who did it, whose own dialog goes on); a dialog ends with bot_stopped.
START_PAYLOAD_MAX = 512  # a deep link's payload, at most (longer ones MAX drops itself)
FILE_TYPES = ("image", "file")  # kept for operators (a photo of the meter, a receipt)
NOT_CONTENT = ("inline_keyboard",)  # a bot's keyboard, never a customer's content
_EVENT_ID_MAX = 200  # inbox.event_id is 255 characters
_SECONDS_BELOW = 100_000_000_000  # a "timestamp" under this is in seconds (year 5138), not ms
_DIGITS = re.compile(r"-?\d{1,20}")


class BadUpdate(ValueError):
    """Not a MAX update at all: the sender gets a 400."""


@dataclass(frozen=True, slots=True)
class Parsed:
    update_type: str
    inbound: Inbound | None  # None: acknowledged and ignored
    ignored: str = ""  # why, for the log
    callback_id: str = ""  # a button press to answer (POST /answers)


def parse_update(update: Any) -> Parsed:
    if not isinstance(update, dict):
        raise BadUpdate("an update is a JSON object")
    kind = update.get("update_type")
    if not isinstance(kind, str) or not kind:
        raise BadUpdate("update_type must be a non-empty string")
    reader = _READERS.get(kind)
    if reader is None:
        # message_edited, message_removed (an edit is not a new message: answering it again
        # would repeat a step), group events, dialog_* and types newer than this code.
        return Parsed(kind, None, f"update type {kind}")
    return reader(kind, update)


# -- the kinds we act on ----------------------------------------------------------------------


def _message_created(kind: str, update: dict[str, Any]) -> Parsed:
    message = _dict(update.get("message"))
    if not message:
        return Parsed(kind, None, "no message")
    if not _dialog(_dict(message.get("recipient"))):
        return Parsed(kind, None, "not a dialog with the bot")
    sender = _dict(message.get("sender"))
    user_id = user_id_of(sender.get("user_id"))
    if user_id is None:
        return Parsed(kind, None, "no sender")
    if _truthy(sender.get("is_bot")):
        return Parsed(kind, None, "from a bot")
    body = _dict(message.get("body"))
    when = _first_int(message.get("timestamp"), update.get("timestamp"))
    base = _base(user_id, sender, update, when)
    base["event_id"] = _event_id(kind, _str(body.get("mid")), user_id, when, update)
    content = body
    link = _dict(message.get("link"))
    if not _has_content(body) and link.get("type") == "forward":
        content = _dict(link.get("message"))  # a forwarded message alone: its content counts
    inbound = _content(content, user_id, base)
    return Parsed(kind, inbound, "" if inbound else "an empty message")


def _content(body: dict[str, Any], user_id: str, base: dict[str, Any]) -> Inbound | None:
    text = _str(body.get("text"))
    attachments = [a for a in _list(body.get("attachments")) if isinstance(a, dict)]
    for attachment in attachments:
        if attachment.get("type") == "contact":
            phone, owner = contact_of(_dict(attachment.get("payload")))
            return Inbound(
                kind=InboundKind.CONTACT, phone=phone, own_contact=owner == user_id, **base
            )
    for attachment in attachments:
        if attachment.get("type") in FILE_TYPES and (reference := _file_reference(attachment)):
            return Inbound(kind=InboundKind.FILE, text=text, file_id=reference, **base)
    if text.startswith("/start") and (len(text) == 6 or text[6] in " @"):
        _, _, param = text.partition(" ")
        payload = param.strip()[:START_PAYLOAD_MAX]
        return Inbound(kind=InboundKind.START, payload=payload, **base)
    if text:
        return Inbound(kind=InboundKind.TEXT, text=text, **base)
    if any(a.get("type") not in NOT_CONTENT for a in attachments):
        # Stickers, locations, voice, video, shared links: a polite answer.
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    return None


def _message_callback(kind: str, update: dict[str, Any]) -> Parsed:
    callback = _dict(update.get("callback"))
    callback_id = _str(callback.get("callback_id"))
    recipient = _dict(_dict(update.get("message")).get("recipient"))
    if not _dialog(recipient):
        return Parsed(kind, None, "a button in a group chat", callback_id)
    user = _dict(callback.get("user"))
    # Older updates have no callback.user: the message with the button went to the user.
    user_id = user_id_of(user.get("user_id")) or user_id_of(recipient.get("user_id"))
    if user_id is None:
        return Parsed(kind, None, "a button press without its user", callback_id)
    when = _first_int(callback.get("timestamp"), update.get("timestamp"))
    base = _base(user_id, user, update, when)
    base["event_id"] = _event_id(kind, callback_id, user_id, when, update)
    data = _str(callback.get("payload"))
    if (number := typed_option(data)) is not None:
        inbound = Inbound(kind=InboundKind.TEXT, text=number, **base)
    else:
        inbound = Inbound(kind=InboundKind.BUTTON, payload=data, **base)
    return Parsed(kind, inbound, callback_id=callback_id)


def _bot_started(kind: str, update: dict[str, Any]) -> Parsed:
    # Also the way back after bot_stopped: any message clears the stop, and this is one.
    user = _dict(update.get("user"))
    user_id = user_id_of(user.get("user_id"))
    if user_id is None:
        return Parsed(kind, None, "no user")
    when = _first_int(update.get("timestamp"))
    base = _base(user_id, user, update, when)
    base["event_id"] = _event_id(kind, "", user_id, when, update)
    payload = _str(update.get("payload"))[:START_PAYLOAD_MAX]
    return Parsed(kind, Inbound(kind=InboundKind.START, payload=payload, **base))


def _bot_stopped(kind: str, update: dict[str, Any]) -> Parsed:
    if _truthy(update.get("is_channel")):
        return Parsed(kind, None, "removed from a channel")
    user = _dict(update.get("user"))
    user_id = user_id_of(user.get("user_id"))
    if user_id is None:
        return Parsed(kind, None, "no user")
    when = _first_int(update.get("timestamp"))
    base = _base(user_id, user, update, when)
    base["event_id"] = _event_id(kind, "", user_id, when, update)
    return Parsed(kind, Inbound(kind=InboundKind.STOPPED, **base))


_READERS: dict[str, Callable[[str, dict[str, Any]], Parsed]] = {
    "message_created": _message_created,
    "message_callback": _message_callback,
    "bot_started": _bot_started,
    "bot_stopped": _bot_stopped,
}


# -- contacts ---------------------------------------------------------------------------------


def contact_of(payload: dict[str, Any]) -> tuple[str, str | None]:
    """The phone of a contact attachment and whose contact it is (max_info.user_id; TamTam's
    legacy name tam_info). A request_contact button sends the user's own; a card from the
    address book names someone else or no one."""
    info = _dict(payload.get("max_info")) or _dict(payload.get("tam_info"))
    phone = (
        vcf_phone(_str(payload.get("vcf_info")))
        or _str(payload.get("vcf_phone"))
        or _str(info.get("phone"))
    )
    return phone.strip()[:32], user_id_of(info.get("user_id"))


def vcf_phone(vcf: str) -> str:
    """The first TEL of a vCard ("TEL;TYPE=cell:+79001234567", "item1.TEL:…", "TEL;VALUE=uri:
    tel:+7…"), folded lines joined; "" if there is none."""
    unfolded = re.sub(r"\r?\n[ \t]", "", vcf)
    for line in unfolded.splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            continue
        prop = name.split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()
        if prop != "TEL":
            continue
        value = value.strip()
        if value.lower().startswith("tel:"):
            value = value[4:]
        if any(c.isdigit() for c in value):
            return value
    return ""


# -- pieces -----------------------------------------------------------------------------------


def user_id_of(value: Any) -> str | None:
    """A MAX user id as our user_id: its decimal digits (ids come as numbers, in odd updates as
    strings). None for what is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
        return str(number) if number else None
    return None


def _dialog(recipient: dict[str, Any]) -> bool:
    """A one-to-one dialog with the bot. Dialog chat ids can be negative, so only chat_type
    tells; an update without it (never seen from MAX itself) counts as one."""
    kind = recipient.get("chat_type")
    return kind is None or kind == "dialog"


def _event_id(kind: str, own: str, user_id: str, when: int | None, update: Any) -> str:
    """The update's own identity: its message id or callback id; else type, user and time;
    else (no time either) a digest of the whole body, the same on every retry."""
    if own:
        return own if len(own) <= _EVENT_ID_MAX else f"{kind}:{_digest(own)}"
    if when is not None:
        return f"{kind}:{user_id}:{when}"
    return f"{kind}:{user_id}:{_digest(update)}"


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _base(
    user_id: str, user: dict[str, Any], update: dict[str, Any], when: int | None
) -> dict[str, Any]:
    name = " ".join(p for p in (_str(user.get("first_name")), _str(user.get("last_name"))) if p)
    return {
        "channel": CHANNEL,
        "user_id": user_id,
        "time": _time(when) or datetime.now(UTC),
        "display_name": (name or _str(user.get("name")))[:256],
        "language": _language(update.get("user_locale")),
    }


def _language(locale: Any) -> str:
    """IETF BCP 47 ("ru", "ru-RU", "en_US") → its language ("ru")."""
    if not isinstance(locale, str):
        return ""
    return re.split(r"[-_]", locale.strip(), maxsplit=1)[0].lower()[:8]


def _time(when: int | None) -> datetime | None:
    """MAX's milliseconds (seconds in odd updates); None for a missing or impossible time."""
    if when is None or when <= 0:
        return None
    try:
        if when < _SECONDS_BELOW:
            return datetime.fromtimestamp(when, UTC)
        seconds, millis = divmod(when, 1000)
        return datetime.fromtimestamp(seconds, UTC) + timedelta(milliseconds=millis)
    except (OverflowError, OSError, ValueError):  # beyond the calendar
        return None


def _first_int(*values: Any) -> int | None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _file_reference(attachment: dict[str, Any]) -> str:
    """What an operator can open: the file's URL, else MAX's token for it."""
    payload = _dict(attachment.get("payload"))
    for value in (payload.get("url"), payload.get("token")):
        if isinstance(value, str) and value:
            return value
    return ""


def _has_content(body: dict[str, Any]) -> bool:
    return bool(_str(body.get("text")) or _list(body.get("attachments")))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _truthy(value: Any) -> bool:
    """is_bot / is_channel as real updates carry them: true/false, in odd ones "true"."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
