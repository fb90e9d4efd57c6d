"""Callback bodies as Viber POSTs them to the webhook (shapes of the REST Bot API "Callbacks"),
and their signature."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.viber.models import User
from tests.fakes.viber.server import FakeViber, sign

__all__ = ["encode", "sign"]


def now_ms() -> int:
    return int(time.time() * 1000)


def encode(body: dict[str, Any]) -> bytes:
    """As Viber sends it: UTF-8 JSON, big integers as they are."""
    return json.dumps(body, ensure_ascii=False).encode()


def _user(fake: FakeViber, user_id: str) -> User:
    return fake.users.get(user_id) or fake.add_user(user_id)


def message(
    fake: FakeViber,
    user_id: str,
    content: dict[str, Any],
    *,
    tracking_data: str | None = None,
    token: int | None = None,
) -> dict[str, Any]:
    content = dict(content)
    if tracking_data is not None:
        content["tracking_data"] = tracking_data
    return {
        "event": "message",
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-05_",
        "message_token": token if token is not None else fake.next_token(),
        "sender": _user(fake, user_id).as_dict(),
        "message": content,
        "silent": False,
    }


def text(fake: FakeViber, user_id: str, value: str, **options: Any) -> dict[str, Any]:
    return message(fake, user_id, {"type": "text", "text": value}, **options)


def contact(
    fake: FakeViber, user_id: str, phone: str, name: str = "Иван", **options: Any
) -> dict[str, Any]:
    content = {"type": "contact", "contact": {"name": name, "phone_number": phone}}
    return message(fake, user_id, content, **options)


def picture(fake: FakeViber, user_id: str, caption: str = "", **options: Any) -> dict[str, Any]:
    content = {
        "type": "picture",
        "text": caption,
        "media": "https://dl-media.viber.com/1/share/2/long/vibes/icon/image/0x0/95e0/meter.jpg",
        "thumbnail": "https://dl-media.viber.com/1/share/2/long/vibes/icon/image/0x0/95e0/t.jpg",
        "file_name": "meter.jpg",
        "size": 184_320,
    }
    return message(fake, user_id, content, **options)


def location(fake: FakeViber, user_id: str, **options: Any) -> dict[str, Any]:
    content = {"type": "location", "location": {"lat": 58.0105, "lon": 56.2502}}
    return message(fake, user_id, content, **options)


def conversation_started(
    fake: FakeViber, user_id: str, *, subscribed: bool = False, context: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": "conversation_started",
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-05_",
        "message_token": fake.next_token(),
        "type": "open",
        "user": _user(fake, user_id).as_dict(),
        "subscribed": subscribed,
    }
    if context is not None:
        body["context"] = context
    return body


def subscribed(fake: FakeViber, user_id: str) -> dict[str, Any]:
    return {
        "event": "subscribed",
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-05_",
        "user": _user(fake, user_id).as_dict(),
        "message_token": fake.next_token(),
    }


def unsubscribed(fake: FakeViber, user_id: str) -> dict[str, Any]:
    return {
        "event": "unsubscribed",
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-05_",
        "user_id": user_id,
        "message_token": fake.next_token(),
    }


def receipt(event: str, message_token: int, user_id: str, desc: str = "") -> dict[str, Any]:
    """delivered, seen or failed (failed carries `desc`)."""
    body: dict[str, Any] = {
        "event": event,
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-05_",
        "message_token": message_token,
        "user_id": user_id,
    }
    if event == "failed":
        body["desc"] = desc or "failed to deliver"
    return body
