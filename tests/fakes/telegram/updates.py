"""Update bodies as Telegram sends them, for webhook and polling tests.

Each builder returns a fresh dict with a new update_id (a module counter) unless one is given.
Given `fake=`, a builder also tells the fake what Telegram would know after such an update: the
chat exists (the user wrote to the bot), a callback query is waiting for its answer, the message
under a pressed button is the bot's own.
"""

from __future__ import annotations

import itertools
import secrets
import time
from typing import TYPE_CHECKING, Any, Final

from tests.fakes.telegram.models import bot_user

if TYPE_CHECKING:
    from tests.fakes.telegram.server import FakeTelegram

_update_ids = itertools.count(731_000_001)
_message_ids = itertools.count(1001)


class _Sender:
    """Marker: the contact is the sender's own (user_id == from.id)."""


SENDER: Final = _Sender()


def next_update_id() -> int:
    return next(_update_ids)


def next_message_id() -> int:
    return next(_message_ids)


def user(
    user_id: int,
    first_name: str = "Иван",
    *,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "ru",
) -> dict[str, Any]:
    result: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        result["last_name"] = last_name
    if username:
        result["username"] = username
    if language_code:
        result["language_code"] = language_code
    return result


def private_chat(chat_id: int, first_name: str = "Иван", **names: str | None) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "first_name": first_name}
    chat.update({key: value for key, value in names.items() if value})
    chat["type"] = "private"
    return chat


def message(
    chat_id: int,
    *,
    first_name: str = "Иван",
    language_code: str | None = "ru",
    message_id: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A private-chat Message from the user chat_id (its content given as keywords)."""
    return {
        "message_id": message_id or next_message_id(),
        "from": user(chat_id, first_name, language_code=language_code),
        "chat": private_chat(chat_id, first_name),
        "date": int(time.time()),
        **content,
    }


def update(kind: str, payload: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
    return {"update_id": update_id or next_update_id(), kind: payload}


def _known(fake: FakeTelegram | None, chat_id: int, first_name: str = "Иван", **chat: Any) -> None:
    if fake is not None and chat_id not in fake.chats:
        fake.add_chat(chat_id, first_name, **chat)


def text_update(
    chat_id: int,
    text: str,
    *,
    update_id: int | None = None,
    first_name: str = "Иван",
    language_code: str | None = "ru",
    entities: list[dict[str, Any]] | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    _known(fake, chat_id, first_name)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    body = message(chat_id, first_name=first_name, language_code=language_code, **content)
    return update("message", body, update_id)


def start_update(
    chat_id: int,
    param: str | None = None,
    *,
    update_id: int | None = None,
    first_name: str = "Иван",
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """/start, or /start <param> from a t.me/<bot>?start=<param> deep link."""
    text = "/start" if param is None else f"/start {param}"
    command = [{"offset": 0, "length": len("/start"), "type": "bot_command"}]
    return text_update(
        chat_id, text, update_id=update_id, first_name=first_name, entities=command, fake=fake
    )


def callback_update(
    chat_id: int,
    data: str,
    *,
    message_id: int | None = None,
    query_id: str | None = None,
    update_id: int | None = None,
    first_name: str = "Иван",
    message_text: str = "Выберите действие:",
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """A button pressed under a bot message; the fake then expects the query to be answered."""
    query_id = query_id or str(secrets.randbelow(9 * 10**18) + 10**18)
    message_id = message_id or next_message_id()
    markup = {"inline_keyboard": [[{"text": message_text[:20], "callback_data": data}]]}
    _known(fake, chat_id, first_name)
    if fake is not None:
        fake.expect_callback(query_id)
        if (chat_id, message_id) not in fake.messages:
            fake.remember_message(chat_id, message_id, markup)
    bot_message = {
        "message_id": message_id,
        "from": bot_user(fake.bot_id) if fake else bot_user(),
        "chat": private_chat(chat_id, first_name),
        "date": int(time.time()) - 30,
        "text": message_text,
        "reply_markup": markup,
    }
    query = {
        "id": query_id,
        "from": user(chat_id, first_name),
        "message": bot_message,
        "chat_instance": f"-{abs(chat_id) * 2654435761 % 10**18 + 1}",
        "data": data,
    }
    return update("callback_query", query, update_id)


def contact_update(
    chat_id: int,
    phone: str,
    *,
    user_id: int | _Sender | None = SENDER,
    first_name: str = "Иван",
    last_name: str | None = None,
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """A shared contact: by default the sender's own (request_contact button); user_id=None
    leaves user_id out (a contact typed into the address book), another id is someone else's."""
    _known(fake, chat_id, first_name)
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    if last_name:
        contact["last_name"] = last_name
    if isinstance(user_id, _Sender):
        contact["user_id"] = chat_id
    elif user_id is not None:
        contact["user_id"] = user_id
    return update("message", message(chat_id, first_name=first_name, contact=contact), update_id)


def photo_update(
    chat_id: int,
    *,
    caption: str | None = None,
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """A photo: Telegram sends every size it made, the largest last."""
    _known(fake, chat_id)
    stem = secrets.token_urlsafe(24)
    sizes = [
        {
            "file_id": f"AgACAgIAAxkBAAI{stem}{suffix}",
            "file_unique_id": f"AQAD{stem[:10]}{suffix}",
            "file_size": size,
            "width": width,
            "height": height,
        }
        for suffix, size, width, height in (
            ("s", 1342, 90, 67),
            ("m", 17510, 320, 240),
            ("x", 84213, 1280, 960),
        )
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        content["caption"] = caption
    return update("message", message(chat_id, **content), update_id)


def document_update(
    chat_id: int,
    *,
    file_name: str = "квитанция_март.pdf",
    mime_type: str = "application/pdf",
    file_size: int = 48213,
    caption: str | None = None,
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    _known(fake, chat_id)
    stem = secrets.token_urlsafe(24)
    document = {
        "file_name": file_name,
        "mime_type": mime_type,
        "file_id": f"BQACAgIAAxkBAAI{stem}",
        "file_unique_id": f"AgAD{stem[:10]}",
        "file_size": file_size,
    }
    content: dict[str, Any] = {"document": document}
    if caption is not None:
        content["caption"] = caption
    return update("message", message(chat_id, **content), update_id)


def edited_update(
    chat_id: int,
    text: str,
    *,
    message_id: int | None = None,
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    _known(fake, chat_id)
    body = message(chat_id, message_id=message_id, text=text)
    body["date"] -= 60
    body["edit_date"] = body["date"] + 60
    return update("edited_message", body, update_id)


def my_chat_member_update(
    chat_id: int,
    status: str = "kicked",
    *,
    first_name: str = "Иван",
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """The user blocked the bot (kicked) or unblocked / restarted it (member)."""
    _known(fake, chat_id, first_name)
    if fake is not None and status == "kicked":
        fake.block(chat_id)
    elif fake is not None:
        fake.unblock(chat_id)
    bot = bot_user(fake.bot_id) if fake else bot_user()
    old = "member" if status == "kicked" else "kicked"

    def member(state: str) -> dict[str, Any]:
        return {"user": bot, "status": state, **({"until_date": 0} if state == "kicked" else {})}

    payload = {
        "chat": private_chat(chat_id, first_name),
        "from": user(chat_id, first_name),
        "date": int(time.time()),
        "old_chat_member": member(old),
        "new_chat_member": member(status),
    }
    return update("my_chat_member", payload, update_id)


def group_update(
    chat_id: int,
    text: str,
    *,
    user_id: int = 400_000_001,
    title: str = "Дом 5 по ул. Ленина",
    type: str = "supergroup",
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    """A message in a group or supergroup the bot is a member of (chat_id is negative)."""
    _known(fake, chat_id, None, type=type, title=title)
    chat = {"id": chat_id, "title": title, "type": type}
    body = message(user_id, text=text)
    body["chat"] = chat
    return update("message", body, update_id)


def channel_post_update(
    chat_id: int,
    text: str,
    *,
    title: str = "Новости энергосбыта",
    username: str | None = None,
    update_id: int | None = None,
    fake: FakeTelegram | None = None,
) -> dict[str, Any]:
    _known(fake, chat_id, None, type="channel", title=title, username=username)
    chat: dict[str, Any] = {"id": chat_id, "title": title, "type": "channel"}
    if username:
        chat["username"] = username
    post = {
        "message_id": next_message_id(),
        "sender_chat": chat,
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }
    return update("channel_post", post, update_id)
