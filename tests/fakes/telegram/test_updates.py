"""The update builders make bodies aiogram accepts, and tell the fake what Telegram would know."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiogram.types import Update

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram import updates as build

CHAT = 700_100_200

BUILDERS: list[Callable[[], dict[str, Any]]] = [
    lambda: build.text_update(CHAT, "показания 12480"),
    lambda: build.start_update(CHAT),
    lambda: build.start_update(CHAT, "ls_1234567890"),
    lambda: build.callback_update(CHAT, "3:readings"),
    lambda: build.contact_update(CHAT, "+79021234567"),
    lambda: build.contact_update(CHAT, "+79021234567", user_id=None),
    lambda: build.photo_update(CHAT, caption="счётчик"),
    lambda: build.document_update(CHAT),
    lambda: build.edited_update(CHAT, "исправил"),
    lambda: build.my_chat_member_update(CHAT, "kicked"),
    lambda: build.my_chat_member_update(CHAT, "member"),
    lambda: build.group_update(-1001234567890, "всем привет"),
    lambda: build.channel_post_update(-1009876543210, "новость"),
]


@pytest.mark.parametrize("make", BUILDERS)
def test_builders_make_valid_updates(make: Callable[[], dict[str, Any]]) -> None:
    body = make()
    update = Update.model_validate(body)
    assert update.update_id == body["update_id"]
    assert len(body) == 2  # update_id and exactly one payload


def test_update_ids_increase() -> None:
    first, second = build.text_update(CHAT, "a"), build.text_update(CHAT, "b")
    assert second["update_id"] == first["update_id"] + 1
    assert build.text_update(CHAT, "c", update_id=5)["update_id"] == 5


def test_start_with_a_deep_link_parameter() -> None:
    message = build.start_update(CHAT, "abc")["message"]
    assert message["text"] == "/start abc"
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]


def test_contacts_own_foreign_and_anonymous() -> None:
    own = build.contact_update(CHAT, "+7902")["message"]
    assert own["contact"]["user_id"] == own["from"]["id"] == CHAT
    assert build.contact_update(CHAT, "+7902", user_id=1)["message"]["contact"]["user_id"] == 1
    assert "user_id" not in build.contact_update(CHAT, "+7902", user_id=None)["message"]["contact"]


async def test_builders_register_with_the_fake(fake_telegram: FakeTelegram) -> None:
    build.text_update(CHAT, "hi", fake=fake_telegram)
    assert fake_telegram.chats[CHAT].type == "private"
    query = build.callback_update(CHAT, "1:x", fake=fake_telegram)["callback_query"]
    assert query["id"] in fake_telegram.callbacks
    build.my_chat_member_update(CHAT, "kicked", fake=fake_telegram)
    assert fake_telegram.chats[CHAT].blocked
    build.my_chat_member_update(CHAT, "member", fake=fake_telegram)
    assert not fake_telegram.chats[CHAT].blocked
    build.group_update(-100777, "x", fake=fake_telegram)
    assert fake_telegram.chats[-100777].type == "supergroup"
