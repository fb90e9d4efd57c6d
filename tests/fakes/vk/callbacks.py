"""Callback API bodies as VK POSTs them to the community's server (API 5.199 shapes: the
envelope {type, object, group_id, event_id, v, secret}), built against a FakeVk so the users,
message ids and presses agree with what the fake later checks."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.vk.models import Sent
from tests.fakes.vk.server import FakeVk

BUTTON_ACTIONS = ["text", "vkpay", "open_app", "location", "open_link", "callback"]


def encode(body: dict[str, Any]) -> bytes:
    """As VK sends it: UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False).encode()


def envelope(
    fake: FakeVk,
    kind: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    secret: str | None = None,
    group_id: int | None = None,
) -> dict[str, Any]:
    return {
        "group_id": fake.group_id if group_id is None else group_id,
        "type": kind,
        "event_id": event_id or fake.next_event_id(),
        "v": fake.api_version,
        "object": obj,
        "secret": fake.secret if secret is None else secret,
    }


def confirmation(fake: FakeVk) -> dict[str, Any]:
    """The address check: group_id and type only (and the secret, when one is set)."""
    return {"type": "confirmation", "group_id": fake.group_id, "secret": fake.secret}


def message_new(
    fake: FakeVk,
    user_id: int,
    text: str = "",
    *,
    payload: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    geo: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A message a user writes to the community (who thereby may be answered)."""
    user = fake.users.get(user_id) or fake.add_user(user_id)
    message: dict[str, Any] = {
        "date": int(time.time()),
        "from_id": user_id,
        "id": fake.next_message_id(),
        "out": 0,
        "version": 10012065,
        "attachments": attachments or [],
        "conversation_message_id": len(fake.sent(user_id)) + 1,
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
        "peer_id": user_id,
        "random_id": 0,
        "text": text,
    }
    if payload is not None:
        message["payload"] = payload
    if geo is not None:
        message["geo"] = geo
    client_info = {
        "button_actions": BUTTON_ACTIONS,
        "keyboard": True,
        "inline_keyboard": True,
        "carousel": True,
        "lang_id": user.lang_id,
    }
    obj = {"message": message, "client_info": client_info}
    return envelope(fake, "message_new", obj, **options)


def text(fake: FakeVk, user_id: int, value: str, **options: Any) -> dict[str, Any]:
    return message_new(fake, user_id, value, **options)


def press(fake: FakeVk, user_id: int, sent: Sent, label: str, **options: Any) -> dict[str, Any]:
    """A text button of a message pressed: VK sends its label as the text, with its payload."""
    for button in sent.buttons:
        action = button["action"]
        if label.casefold() in str(action.get("label", "")).casefold():
            assert action["type"] == "text", action
            return message_new(
                fake, user_id, action["label"], payload=action.get("payload"), **options
            )
    raise AssertionError(f"no button {label!r} in {sent.labels}")


def start(fake: FakeVk, user_id: int) -> dict[str, Any]:
    """VK's own «Начать» button of a community with bot capabilities on."""
    return message_new(fake, user_id, "Начать", payload='{"command":"start"}')


def callback_press(
    fake: FakeVk, user_id: int, payload: dict[str, Any], **options: Any
) -> dict[str, Any]:
    """A callback button pressed: message_event, to be answered with
    messages.sendMessageEventAnswer."""
    pressed = fake.press(user_id)
    obj = {
        "user_id": user_id,
        "peer_id": user_id,
        "event_id": pressed.event_id,
        "payload": payload,
        "conversation_message_id": len(fake.sent(user_id)),
    }
    return envelope(fake, "message_event", obj, **options)


def photo(fake: FakeVk, user_id: int, caption: str = "", **options: Any) -> dict[str, Any]:
    attachment = {
        "type": "photo",
        "photo": {
            "album_id": -3,
            "date": int(time.time()),
            "id": 457239018,
            "owner_id": user_id,
            "access_key": "c8a3e1d2f4b5a6e7",
            "sizes": [
                {"height": 75, "type": "s", "width": 56, "url": "https://sun9-1.userapi.com/s.jpg"},
                {
                    "height": 1280,
                    "type": "z",
                    "width": 960,
                    "url": "https://sun9-1.userapi.com/meter-z.jpg",
                },
                {
                    "height": 604,
                    "type": "x",
                    "width": 453,
                    "url": "https://sun9-1.userapi.com/x.jpg",
                },
            ],
            "text": "",
            "has_tags": False,
        },
    }
    return message_new(fake, user_id, caption, attachments=[attachment], **options)


def sticker(fake: FakeVk, user_id: int, **options: Any) -> dict[str, Any]:
    attachment = {
        "type": "sticker",
        "sticker": {
            "product_id": 279,
            "sticker_id": 9008,
            "images": [{"url": "https://vk.com/sticker/1-9008-64", "width": 64, "height": 64}],
        },
    }
    return message_new(fake, user_id, "", attachments=[attachment], **options)


def location(fake: FakeVk, user_id: int, **options: Any) -> dict[str, Any]:
    geo = {
        "type": "point",
        "coordinates": {"latitude": 58.0105, "longitude": 56.2502},
        "place": {"country": "Россия", "city": "Пермь", "title": "Пермь, Россия"},
    }
    return message_new(fake, user_id, "", geo=geo, **options)


def allow(fake: FakeVk, user_id: int, **options: Any) -> dict[str, Any]:
    """«Allow messages» pressed: VK lets the community write again."""
    fake.allow(user_id)
    return envelope(fake, "message_allow", {"user_id": user_id, "key": ""}, **options)


def deny(fake: FakeVk, user_id: int, **options: Any) -> dict[str, Any]:
    """«Forbid messages» pressed: sends to the user get error 901 from now on."""
    fake.deny(user_id)
    return envelope(fake, "message_deny", {"user_id": user_id}, **options)


def reply_echo(fake: FakeVk, sent: Sent, **options: Any) -> dict[str, Any]:
    """message_reply: VK's echo of a message the community sent."""
    message = {
        "date": int(time.time()),
        "from_id": -fake.group_id,
        "id": sent.message_id,
        "out": 1,
        "attachments": [],
        "conversation_message_id": sent.message_id - 7000,
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
        "peer_id": sent.peer_id,
        "random_id": sent.random_id,
        "text": sent.text,
    }
    return envelope(fake, "message_reply", message, **options)
