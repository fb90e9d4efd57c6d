"""Update bodies as MAX sends them (to the webhook or in GET /updates), built for the fake's
users with fresh ids: message mids, seq numbers above 2^53, millisecond timestamps."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from tests.fakes.max.models import BOT_ID, BOT_NAME
from tests.fakes.max.server import FakeMax


def now_ms() -> int:
    return int(time.time() * 1000)


def encode(update: dict[str, Any]) -> bytes:
    """As MAX sends it: UTF-8 JSON, big integers as they are."""
    return json.dumps(update, ensure_ascii=False).encode()


def _user(fake: FakeMax, user_id: str | int) -> dict[str, Any]:
    return (fake.users.get(str(user_id)) or fake.add_user(user_id)).as_dict()


def message(
    fake: FakeMax,
    user_id: str | int,
    text: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    *,
    chat_type: str = "dialog",
) -> dict[str, Any]:
    body: dict[str, Any] = {"mid": fake.next_mid(), "seq": fake.next_seq(), "text": text}
    if attachments is not None:
        body["attachments"] = attachments
    stamp = now_ms()
    recipient: dict[str, Any] = {"chat_id": -int(user_id) - 7, "chat_type": chat_type}
    if chat_type == "dialog":
        recipient["user_id"] = BOT_ID
    user = fake.users.get(str(user_id))
    return {
        "update_type": "message_created",
        "timestamp": stamp,
        "user_locale": user.locale if user else "ru",
        "message": {
            "recipient": recipient,
            "timestamp": stamp,
            "body": body,
            "sender": _user(fake, user_id),
        },
    }


def text(fake: FakeMax, user_id: str | int, value: str) -> dict[str, Any]:
    return message(fake, user_id, value)


def contact(
    fake: FakeMax, user_id: str | int, phone: str, *, owner: str | int | None = None
) -> dict[str, Any]:
    """A contact as a request_contact button sends it (owner: the user themselves), or a card
    of someone else (owner: another id)."""
    owner = user_id if owner is None else owner
    vcf = f"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=cell:{phone}\r\nFN:Контакт\r\nEND:VCARD\r\n"
    info = (
        _user(fake, user_id)
        if str(owner) == str(user_id)
        else {"user_id": int(owner), "first_name": "Другой", "is_bot": False, "name": "Другой"}
    )
    payload = {"vcf_info": vcf, "hash": secrets.token_hex(32), "max_info": info}
    return message(fake, user_id, "", [{"type": "contact", "payload": payload}])


def image(fake: FakeMax, user_id: str | int, caption: str = "") -> dict[str, Any]:
    payload = {
        "photo_id": 4484450835,
        "token": secrets.token_urlsafe(48),
        "url": "https://i.oneme.ru/i?r=BTGBPUwtwgYUeoFhO7rESmr8FddYu8EkRnc1BbDFbQm1bcgN8CO",
    }
    return message(fake, user_id, caption or None, [{"type": "image", "payload": payload}])


def sticker(fake: FakeMax, user_id: str | int) -> dict[str, Any]:
    attachment = {
        "type": "sticker",
        "payload": {"url": "https://i.oneme.ru/i?r=sticker", "code": "f09f918d"},
        "width": 512,
        "height": 512,
    }
    return message(fake, user_id, None, [attachment])


def location(fake: FakeMax, user_id: str | int) -> dict[str, Any]:
    attachment = {"type": "location", "latitude": 58.0105, "longitude": 56.2502}
    return message(fake, user_id, None, [attachment])


def callback(
    fake: FakeMax, user_id: str | int, payload: str, *, on_mid: str = ""
) -> dict[str, Any]:
    """A press of a callback button; the fake remembers its id for POST /answers."""
    callback_id = secrets.token_urlsafe(90)
    fake.callbacks[callback_id] = str(user_id)
    stamp = now_ms()
    return {
        "update_type": "message_callback",
        "timestamp": stamp,
        "user_locale": "ru",
        "callback": {
            "timestamp": stamp,
            "callback_id": callback_id,
            "user": _user(fake, user_id),
            "payload": payload,
        },
        "message": {
            "recipient": {
                "chat_id": -int(user_id) - 7,
                "chat_type": "dialog",
                "user_id": int(user_id),
            },
            "timestamp": stamp - 1000,
            "body": {"mid": on_mid or fake.next_mid(), "seq": fake.next_seq(), "text": "…"},
            "sender": {"user_id": BOT_ID, "first_name": BOT_NAME, "is_bot": True, "name": BOT_NAME},
        },
    }


def bot_started(fake: FakeMax, user_id: str | int, payload: str | None = None) -> dict[str, Any]:
    fake.add_user(user_id).started = True
    update: dict[str, Any] = {
        "update_type": "bot_started",
        "timestamp": now_ms(),
        "chat_id": -int(user_id) - 7,
        "user": _user(fake, user_id),
        "user_id": int(user_id),
        "user_locale": "ru",
    }
    if payload is not None:
        update["payload"] = payload
    return update


def bot_stopped(fake: FakeMax, user_id: str | int) -> dict[str, Any]:
    return {
        "update_type": "bot_stopped",
        "timestamp": now_ms(),
        "chat_id": -int(user_id) - 7,
        "user": _user(fake, user_id),
        "user_locale": "ru",
    }
