"""A WhatsApp Cloud API notification → the neutral events in it, and the delivery receipts.

One POST may carry several entries, each several changes, each several messages and statuses:
every one is read on its own, and one odd item is skipped without losing the others. Customers
are keyed by the business-scoped user id (`user_id`, "US.1349…", from April 2026) when the body
has it, else by the phone-number id `wa_id`: a user who adopted a username may come without a
phone at all. The phone is never taken as a shared phone — only a contact card the customer sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bots.meta.fields import as_dict, as_id, as_list, as_str, unix_time
from bots.meta.webhook import entries_of
from bots.render import typed_option
from dialogs.messages import Inbound, InboundKind

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
USER_ID_MAX = 128  # what the customers table keeps
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
FILE_TYPES = ("image", "document")  # kept for operators; the others cannot be shown to them
UNSUPPORTED_TYPES = frozenset(
    {"audio", "video", "sticker", "location", "order", "unsupported", "unknown", "voice"}
)
# Not new messages: an edit of an earlier one would repeat a step already taken (Telegram's
# edited_message is dropped alike), a deleted one asks for nothing. Acknowledged, not answered.
SILENT_TYPES = frozenset({"reaction", "system", "ephemeral", "edit", "revoke", "deleted"})
# Account-level notices (a policy violation, a ban, a restriction): operators must see them.
ACCOUNT_FIELDS = frozenset({"account_update", "account_alerts"})


@dataclass(frozen=True, slots=True)
class Receipt:
    """A status of one message we sent."""

    platform_id: str  # the wamid send() returned
    status: str  # sent | delivered | read | failed
    at: datetime
    user_id: str = ""
    error: str = ""


@dataclass
class Batch:
    inbounds: list[Inbound] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # why, for the log
    warnings: list[str] = field(default_factory=list)  # account notices, logged as warnings
    other_numbers: set[str] = field(default_factory=set)  # notifications for another number


def parse_body(body: Any, phone_number_id: str = "") -> Batch:
    """Every message and status of a notification to `phone_number_id` (empty: any number)."""
    entries = entries_of(body, OBJECT)
    batch = Batch()
    if entries is None:
        batch.ignored.append(f"object {str(body.get('object'))[:40]!r}")
        return batch
    seen: set[str] = set()
    for entry in entries:
        for change in as_list(as_dict(entry).get("changes")):
            change = as_dict(change)
            name = str(change.get("field"))[:40]
            if name in ACCOUNT_FIELDS:
                batch.warnings.append(f"{name}: {_account_notice(as_dict(change.get('value')))}")
                continue
            if name != "messages":
                batch.ignored.append(f"field {name}")
                continue
            _value(as_dict(change.get("value")), phone_number_id, batch, seen)
    return batch


def _value(value: dict[str, Any], phone_number_id: str, batch: Batch, seen: set[str]) -> None:
    ours = as_id(as_dict(value.get("metadata")).get("phone_number_id"))
    if phone_number_id and ours and ours != phone_number_id:
        # One app may serve several numbers; another number's customers are not ours to answer.
        batch.other_numbers.add(ours)
        return
    contacts = [as_dict(c) for c in as_list(value.get("contacts"))]
    for message in as_list(value.get("messages")):
        message = as_dict(message)
        wamid = as_str(message.get("id"))
        if not wamid:
            batch.ignored.append("a message without id")
            continue
        if wamid in seen:  # repeated inside one body: handled once
            continue
        seen.add(wamid)
        inbound = _message(message, contacts)
        if isinstance(inbound, str):
            batch.ignored.append(inbound)
        else:
            batch.inbounds.append(inbound)
    for status in as_list(value.get("statuses")):
        receipt = _status(as_dict(status))
        if receipt is None:
            batch.ignored.append("a status without id or known value")
        else:
            batch.receipts.append(receipt)
    for error in as_list(value.get("errors")):
        error = as_dict(error)
        log.warning("whatsapp notification error %s: %s", error.get("code"), error.get("title"))


def _sender(message: dict[str, Any], contacts: list[dict[str, Any]]) -> tuple[str, str, str]:
    """(customer key, wa_id, display name) of a message's sender."""
    wa_id = as_id(message.get("from"))
    user_id = as_id(message.get("from_user_id"))
    contact: dict[str, Any] = {}
    for candidate in contacts:
        if (wa_id and as_id(candidate.get("wa_id")) == wa_id) or (
            user_id and as_id(candidate.get("user_id")) == user_id
        ):
            contact = candidate
            break
    else:
        if len(contacts) == 1 and not wa_id and not user_id:
            contact = contacts[0]
    user_id = user_id or as_id(contact.get("user_id"))
    wa_id = wa_id or as_id(contact.get("wa_id"))
    name = as_str(as_dict(contact.get("profile")).get("name"))
    return user_id or wa_id, wa_id, name


def _message(message: dict[str, Any], contacts: list[dict[str, Any]]) -> Inbound | str:
    key, wa_id, name = _sender(message, contacts)
    if not key or len(key) > USER_ID_MAX:
        return "a message without a usable sender id"
    kind = as_str(message.get("type"))
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": key,
        "event_id": as_str(message.get("id")),
        "time": unix_time(message.get("timestamp")) or datetime.now(UTC),
        "display_name": name[:256],
    }
    if kind == "text":
        text = as_str(as_dict(message.get("text")).get("body"))
        if text.strip():
            return Inbound(kind=InboundKind.TEXT, text=text, **base)
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    if kind == "interactive":
        return _interactive(as_dict(message.get("interactive")), base)
    if kind == "button":  # a template's quick-reply button
        button = as_dict(message.get("button"))
        payload, label = as_str(button.get("payload")), as_str(button.get("text"))
        if payload:
            return _pressed(payload, base)
        if label:
            return Inbound(kind=InboundKind.TEXT, text=label, **base)
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    if kind == "contacts":
        return _contact(as_list(message.get("contacts")), wa_id, base)
    if kind in FILE_TYPES:
        media = as_dict(message.get(kind))
        media_id = as_id(media.get("id"))
        if media_id:
            caption = as_str(media.get("caption"))
            return Inbound(kind=InboundKind.FILE, text=caption, file_id=media_id, **base)
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    if kind == "request_welcome":  # the customer opened the chat for the first time
        return Inbound(kind=InboundKind.START, **base)
    if kind in SILENT_TYPES:
        return f"a {kind} message"
    if kind in UNSUPPORTED_TYPES or kind:
        return Inbound(kind=InboundKind.UNSUPPORTED, **base)
    return "a message without type"


def _interactive(interactive: dict[str, Any], base: dict[str, Any]) -> Inbound:
    kind = as_str(interactive.get("type"))
    if kind in ("button_reply", "list_reply"):
        reply = as_dict(interactive.get(kind))
        payload = as_str(reply.get("id"))
        if payload:
            return _pressed(payload, base)
        title = as_str(reply.get("title"))
        if title:
            return Inbound(kind=InboundKind.TEXT, text=title, **base)
    # nfm_reply (a Flow's answer) and newer kinds: nothing the dialogs can read.
    return Inbound(kind=InboundKind.UNSUPPORTED, **base)


def _pressed(payload: str, base: dict[str, Any]) -> Inbound:
    if (number := typed_option(payload)) is not None:
        return Inbound(kind=InboundKind.TEXT, text=number, **base)
    return Inbound(kind=InboundKind.BUTTON, payload=payload, **base)


def _contact(cards: list[Any], sender_wa_id: str, base: dict[str, Any]) -> Inbound:
    """A shared contact card: its first phone. The customer's own card is the one whose phone
    WhatsApp recognises as the sender's own number (phones[].wa_id == the sender's wa_id)."""
    first_phone = ""
    for card in cards:
        for phone in as_list(as_dict(card).get("phones")):
            phone = as_dict(phone)
            number = as_str(phone.get("phone")) or as_id(phone.get("wa_id"))
            if not number:
                continue
            if sender_wa_id and as_id(phone.get("wa_id")) == sender_wa_id:
                return Inbound(kind=InboundKind.CONTACT, phone=number, own_contact=True, **base)
            first_phone = first_phone or number
    if first_phone:
        return Inbound(kind=InboundKind.CONTACT, phone=first_phone, own_contact=False, **base)
    return Inbound(kind=InboundKind.UNSUPPORTED, **base)


def _account_notice(value: dict[str, Any]) -> str:
    """What an account_update / account_alerts change says, short enough for one log line."""
    event = as_str(value.get("event")) or as_str(value.get("alert_type")) or "?"
    details = {
        key: value[key]
        for key in ("violation_info", "ban_info", "restriction_info", "alert_description")
        if key in value
    }
    return f"{event[:60]} {str(details)[:400]}" if details else event[:60]


def _status(status: dict[str, Any]) -> Receipt | None:
    wamid = as_str(status.get("id"))
    value = as_str(status.get("status"))
    if not wamid or value not in STATUSES:
        return None
    errors = [as_dict(e) for e in as_list(status.get("errors"))]
    error = "; ".join(_describe(e) for e in errors if e)
    return Receipt(
        platform_id=wamid,
        status=value,
        at=unix_time(status.get("timestamp")) or datetime.now(UTC),
        user_id=as_id(status.get("recipient_user_id")) or as_id(status.get("recipient_id")),
        error=error[:500],
    )


def _describe(error: dict[str, Any]) -> str:
    details = as_str(as_dict(error.get("error_data")).get("details"))
    title = as_str(error.get("title")) or as_str(error.get("message"))
    text = f"{error.get('code', '?')}: {title}"
    return f"{text} — {details}" if details and details != title else text
