"""Webhook bodies as Meta POSTs them, signed as Meta signs them, for tests and benchmarks."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any

from tests.fakes.graph.models import (
    APP_SECRET,
    DISPLAY_PHONE,
    PAGE_ID,
    PHONE_NUMBER_ID,
    WABA_ID,
)

_counter = itertools.count(1)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(body: dict[str, Any]) -> bytes:
    """As Meta sends it: compact JSON with \\u escapes (the signature is over these bytes)."""
    return json.dumps(body, separators=(",", ":")).encode()


def wamid() -> str:
    return f"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz{next(_counter):06d}{secrets.token_hex(6)}"


def mid() -> str:
    return f"m_{secrets.token_urlsafe(20)}{next(_counter)}"


# ------------------------------------------------------------------------------ WhatsApp


def wa_notification(*values: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    """One body; `values` spread over `entries` entries, one change each."""
    changes = [{"field": "messages", "value": value} for value in values]
    per = max(1, -(-len(changes) // entries))
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA_ID, "changes": changes[i : i + per]} for i in range(0, len(changes), per)
        ],
    }


def wa_value(
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    *,
    contacts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_PHONE, "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return value


def wa_contact(wa_id: str | None, name: str = "Ирина Соколова", user_id: str = "") -> dict:
    contact: dict[str, Any] = {"profile": {"name": name}}
    if wa_id:
        contact["wa_id"] = wa_id
    if user_id:
        contact["user_id"] = user_id
    return contact


def wa_message(
    wa_id: str | None,
    kind: str,
    content: dict[str, Any] | list[Any],
    *,
    message_id: str | None = None,
    user_id: str = "",
    timestamp: int | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": message_id or wamid(),
        "timestamp": str(timestamp or int(time.time())),
        "type": kind,
        kind: content,
    }
    if wa_id:
        message["from"] = wa_id
    if user_id:
        message["from_user_id"] = user_id
    return message


def wa_body(
    wa_id: str | None,
    kind: str,
    content: dict[str, Any] | list[Any],
    *,
    user_id: str = "",
    name: str = "Ирина Соколова",
    message_id: str | None = None,
) -> dict[str, Any]:
    """One message from one customer."""
    message = wa_message(wa_id, kind, content, message_id=message_id, user_id=user_id)
    return wa_notification(wa_value([message], contacts=[wa_contact(wa_id, name, user_id)]))


def wa_text(wa_id: str, text: str, **options: Any) -> dict[str, Any]:
    return wa_body(wa_id, "text", {"body": text}, **options)


def wa_button_reply(wa_id: str, reply_id: str, title: str, **options: Any) -> dict[str, Any]:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return wa_body(wa_id, "interactive", interactive, **options)


def wa_list_reply(wa_id: str, row_id: str, title: str, **options: Any) -> dict[str, Any]:
    interactive = {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
    return wa_body(wa_id, "interactive", interactive, **options)


def wa_contact_card(wa_id: str, phone: str, card_wa_id: str | None, **options: Any) -> dict:
    """A shared contact card; `card_wa_id` is what WhatsApp recognises the phone as."""
    entry: dict[str, Any] = {"phone": phone, "type": "CELL"}
    if card_wa_id:
        entry["wa_id"] = card_wa_id
    card = {"name": {"formatted_name": "Ирина Соколова", "first_name": "Ирина"}, "phones": [entry]}
    return wa_body(wa_id, "contacts", [card], **options)


def wa_status(
    message_id: str,
    status: str,
    recipient: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp or int(time.time())),
        "recipient_id": recipient,
    }
    if errors:
        item["errors"] = errors
    return item


# ------------------------------------------------------------------------------ Messenger


def fb_notification(*events: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    now = int(time.time() * 1000)
    per = max(1, -(-len(events) // entries))
    return {
        "object": "page",
        "entry": [
            {"id": PAGE_ID, "time": now, "messaging": list(events[i : i + per])}
            for i in range(0, len(events), per)
        ],
    }


def fb_event(psid: str | int, key: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        key: content,
    }


def fb_text(psid: str | int, text: str, *, message_id: str | None = None) -> dict[str, Any]:
    return fb_notification(fb_event(psid, "message", {"mid": message_id or mid(), "text": text}))


def fb_quick_reply(psid: str | int, payload: str, title: str) -> dict[str, Any]:
    message = {"mid": mid(), "text": title, "quick_reply": {"payload": payload}}
    return fb_notification(fb_event(psid, "message", message))


def fb_postback(psid: str | int, payload: str, title: str, *, with_mid: bool = True) -> dict:
    postback: dict[str, Any] = {"title": title, "payload": payload}
    if with_mid:
        postback["mid"] = mid()
    return fb_notification(fb_event(psid, "postback", postback))


def fb_delivery(psid: str | int, mids: list[str], watermark_ms: int) -> dict[str, Any]:
    delivery: dict[str, Any] = {"watermark": watermark_ms}
    if mids:
        delivery["mids"] = mids
    return fb_notification(fb_event(psid, "delivery", delivery))


def fb_read(psid: str | int, watermark_ms: int) -> dict[str, Any]:
    return fb_notification(fb_event(psid, "read", {"watermark": watermark_ms}))
