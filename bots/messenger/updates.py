"""A Messenger Platform notification (`object: page`) → neutral events and delivery receipts.

`entry[].messaging[]` items are read one by one: messages (text, quick replies, attachments),
postbacks (Get Started, the persistent menu, button templates), delivery and read watermarks.
Echoes of our own messages, `standby` items (another app owns the thread) and anything newer
are acknowledged and dropped. Ids come as strings, and in some SDK fixtures as numbers.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bots.meta.fields import as_dict, as_id, as_list, as_str, unix_time
from bots.meta.webhook import entries_of
from bots.render import typed_option
from dialogs.messages import Inbound, InboundKind

log = logging.getLogger(__name__)

CHANNEL = "messenger"
OBJECT = "page"
GET_STARTED = "GET_STARTED"
# Pages set up by other tools send their own Get Started payload («__GET_STARTED__»,
# «get_started», «GET_STARTED_PAYLOAD»): any payload with these letters starts the dialog.
_GET_STARTED_LETTERS = "getstarted"
# Meta restricting or blocking the page: not a customer's event, but operators must see it.
POLICY_KEYS = ("policy-enforcement", "policy_enforcement")
USER_ID_MAX = 128  # what the customers table keeps
FILE_ATTACHMENTS = frozenset({"image", "file", "video"})
# The user_phone_number quick reply sends the phone itself as its payload; our own payloads
# always hold a ":" or a "#", so a payload of only phone characters is the shared phone.
_PHONE = re.compile(r"\+?[\d\s().-]{7,24}")


@dataclass(frozen=True, slots=True)
class Receipt:
    """A delivery or read notice: named messages (`mids`) and/or everything up to `until`."""

    user_id: str
    status: str  # delivered | read
    at: datetime
    mids: tuple[str, ...] = ()
    until: datetime | None = None


@dataclass
class Batch:
    inbounds: list[Inbound] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # policy notices, logged as warnings


def parse_body(body: Any) -> Batch:
    entries = entries_of(body, OBJECT)
    batch = Batch()
    if entries is None:
        batch.ignored.append(f"object {str(body.get('object'))[:40]!r}")
        return batch
    seen: set[str] = set()
    for entry in entries:
        entry = as_dict(entry)
        for key in entry:
            if key not in ("id", "time", "messaging"):
                batch.ignored.append(f"entry key {key[:40]}")  # standby, changes, newer ones
        for item in as_list(entry.get("messaging")):
            _event(as_dict(item), batch, seen)
    return batch


def _event(event: dict[str, Any], batch: Batch, seen: set[str]) -> None:
    for key in POLICY_KEYS:
        if key in event:  # comes without a sender: the page itself is concerned
            policy = as_dict(event[key])
            action, reason = as_str(policy.get("action")), as_str(policy.get("reason"))
            batch.warnings.append(f"policy enforcement {action[:40]!r}: {reason[:400]}")
            return
    user_id = as_id(as_dict(event.get("sender")).get("id"))
    if not user_id or len(user_id) > USER_ID_MAX:
        batch.ignored.append("an event without a usable sender.id (a user_ref)")
        return
    at = unix_time(event.get("timestamp")) or datetime.now(UTC)
    if isinstance(message := event.get("message"), dict):
        if message.get("is_echo"):
            batch.ignored.append("an echo of our own message")
            return
        inbound = _message(user_id, at, message, event)
    elif isinstance(postback := event.get("postback"), dict):
        inbound = _postback(user_id, at, postback, event)
    elif isinstance(delivery := event.get("delivery"), dict):
        mids = tuple(m for m in (as_str(x) for x in as_list(delivery.get("mids"))) if m)
        until = unix_time(delivery.get("watermark"))
        batch.receipts.append(Receipt(user_id, "delivered", at, mids, until))
        return
    elif isinstance(read := event.get("read"), dict):
        until = unix_time(read.get("watermark"))
        if until is not None:
            batch.receipts.append(Receipt(user_id, "read", at, (), until))
        return
    else:
        kind = next((k for k in event if k not in ("sender", "recipient", "timestamp")), "empty")
        batch.ignored.append(f"event {kind[:40]}")
        return
    if isinstance(inbound, str):
        batch.ignored.append(inbound)
    elif inbound.event_id not in seen:  # repeated inside one body: handled once
        seen.add(inbound.event_id)
        batch.inbounds.append(inbound)


def _message(
    user_id: str, at: datetime, message: dict[str, Any], event: dict[str, Any]
) -> Inbound | str:
    base = _base(user_id, at, as_str(message.get("mid")), "message", event)
    text = as_str(message.get("text"))
    quick = as_str(as_dict(message.get("quick_reply")).get("payload"))
    if quick:
        if _PHONE.fullmatch(quick.strip()) and sum(c.isdigit() for c in quick) >= 7:
            # The user_phone_number quick reply: the phone of the person's own profile.
            return Inbound(kind=InboundKind.CONTACT, phone=quick.strip(), own_contact=True, **base)
        return _pressed(quick, base)
    attachments = [as_dict(a) for a in as_list(message.get("attachments"))]
    if text.strip():
        return Inbound(kind=InboundKind.TEXT, text=text, **base)
    for attachment in attachments:
        payload = as_dict(attachment.get("payload"))
        kind = as_str(attachment.get("type"))
        if kind in FILE_ATTACHMENTS and "sticker_id" not in payload:
            reference = as_str(payload.get("url")) or as_id(payload.get("attachment_id"))
            if reference:
                return Inbound(kind=InboundKind.FILE, file_id=reference[:2000], **base)
    if attachments or message.get("sticker_id"):
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    return "a message without text or attachments"


def _postback(
    user_id: str, at: datetime, postback: dict[str, Any], event: dict[str, Any]
) -> Inbound | str:
    payload = as_str(postback.get("payload"))
    base = _base(user_id, at, as_str(postback.get("mid")), f"postback:{payload}", event)
    if is_get_started(payload):
        ref = as_str(as_dict(postback.get("referral")).get("ref"))
        return Inbound(kind=InboundKind.START, payload=ref, **base)
    if payload:
        return _pressed(payload, base)
    title = as_str(postback.get("title"))
    if title:
        return Inbound(kind=InboundKind.TEXT, text=title, **base)
    return "a postback without payload"


def is_get_started(payload: str) -> bool:
    """GET_STARTED, or another spelling of it: case, underscores and dashes aside."""
    letters = payload.casefold().replace("_", "").replace("-", "").replace(" ", "")
    return _GET_STARTED_LETTERS in letters


def _pressed(payload: str, base: dict[str, Any]) -> Inbound:
    if (number := typed_option(payload)) is not None:
        return Inbound(kind=InboundKind.TEXT, text=number, **base)
    return Inbound(kind=InboundKind.BUTTON, payload=payload, **base)


def _base(user_id: str, at: datetime, mid: str, what: str, event: dict[str, Any]) -> dict[str, Any]:
    if not mid:
        # Older postbacks have no mid: the same event delivered again has the same sender,
        # timestamp and content, so the same derived id.
        stamp = str(event.get("timestamp"))
        digest = hashlib.sha256(f"{user_id}|{stamp}|{what}".encode()).hexdigest()[:32]
        mid = f"derived:{digest}"
    return {"channel": CHANNEL, "user_id": user_id, "event_id": mid[:255], "time": at}
