"""Replies rendered for VK: keyboards within VK's limits (checked by the fake's own rules),
payloads that come back, texts split at 9 000, random_id derived from the outbox row."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.vk.channel import LIMITS, TEXT_MAX, random_id, render
from bots.vk.events import parse_event
from bots.vk.keyboard import HIDE, keyboard
from dialogs.messages import Button, Reply
from tests.fakes.vk.checks import check_keyboard, utf16

MENU = tuple(
    Button(label, f"go:{flow}")
    for label, flow in [
        ("Передать показания", "readings"),
        ("Баланс и оплата", "balance"),
        ("Квитанция", "receipt"),
        ("Тарифы и расчёт", "tariffs"),
        ("Вызвать мастера", "visits"),
        ("Мои лицевые счета", "accounts"),
        ("Сообщить об отключении", "outage"),
        ("Связаться с оператором", "operator"),
        ("Настройки", "settings"),
    ]
)


def pressed(button: dict[str, object]) -> str:
    """What the webhook makes of this button pressed (its label as the text, its payload)."""
    action = button["action"]
    assert isinstance(action, dict)
    body = {
        "type": "message_new",
        "object": {
            "message": {
                "id": 5,
                "from_id": 7,
                "peer_id": 7,
                "date": 1,
                "text": action["label"],
                "payload": action["payload"],
            }
        },
    }
    inbound = parse_event(body).inbound
    assert inbound is not None
    return inbound.payload or f"typed:{inbound.text}"


def test_the_main_menu_is_an_inline_keyboard_two_short_labels_a_row() -> None:
    (message,) = render(Reply("Что хотите сделать?", MENU))
    board = message.keyboard
    assert board is not None and board["inline"] is True and "one_time" not in board
    check_keyboard(board)
    rows = board["buttons"]
    assert [len(row) for row in rows] == [2, 2, 2, 1, 1, 1]  # long labels alone
    assert [pressed(b) for row in rows for b in row] == [b.payload for b in MENU]
    assert all(b["action"]["type"] == "text" for row in rows for b in row)


def test_long_labels_that_need_more_rows_get_a_one_time_regular_keyboard() -> None:
    buttons = tuple(Button(f"Очень длинная подпись кнопки {i}", f"7:v:{i}") for i in range(8))
    (message,) = render(Reply("Что нужно сделать?", buttons))
    board = message.keyboard
    assert board is not None and board["inline"] is False and board["one_time"] is True
    check_keyboard(board)
    assert all(len(row) == 1 for row in board["buttons"])


def test_more_buttons_than_inline_takes_and_more_than_a_screen_becomes_numbered_text() -> None:
    eleven = tuple(Button(f"{i}", f"1:o{i}") for i in range(11))
    (message,) = render(Reply("Выберите", eleven))
    assert message.keyboard is not None and message.keyboard["inline"] is False
    check_keyboard(message.keyboard)
    thirteen = tuple(Button(f"Вариант {i}", f"1:o{i}") for i in range(13))
    (message,) = render(Reply("Выберите", thirteen))
    assert message.keyboard == HIDE and "13 — Вариант 12" in message.text


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=300)),
        min_size=1,
        max_size=LIMITS.buttons_max,
    )
)
def test_any_buttons_make_a_keyboard_vk_takes(pairs: list[tuple[str, str]]) -> None:
    buttons = tuple(Button(label, payload) for label, payload in pairs)
    message = render(Reply("Выберите", buttons))[-1]
    assert message.keyboard is not None
    check_keyboard(message.keyboard)
    for row in message.keyboard["buttons"]:
        for button in row:
            payload = json.loads(button["action"]["payload"])
            assert set(payload) == {"b"}


def test_a_payload_too_long_for_vk_comes_back_as_its_number() -> None:
    buttons = (Button("Да", "1:" + "ё" * 150), Button("Нет", "1:no"))
    board = keyboard(buttons)
    assert board is not None
    check_keyboard(board)
    first, second = board["buttons"][0]
    assert pressed(first) == "typed:1"  # the number of the option, as typed
    assert pressed(second) == "1:no"


def test_labels_over_forty_characters_are_cut_with_an_ellipsis() -> None:
    board = keyboard((Button("Очень " * 20, "1:x"),))
    assert board is not None
    label = board["buttons"][0][0]["action"]["label"]
    assert len(label) <= 40 and label.endswith("…")


def test_a_reply_without_buttons_hides_a_leftover_keyboard() -> None:
    (message,) = render(Reply("Здравствуйте! Я Анна, проверю ваш лицевой счёт."))
    assert message.keyboard == HIDE
    check_keyboard(HIDE)


def test_long_texts_are_split_at_9000_with_the_keyboard_on_the_last_part() -> None:
    paragraph = "Показания за период: " + "сто двадцать киловатт-часов " * 30
    text = "\n\n".join([paragraph] * 60)
    messages = render(Reply(text, MENU[:2]))
    assert len(messages) > 1
    assert all(utf16(m.text) <= TEXT_MAX for m in messages)
    assert [m.keyboard is not None for m in messages] == [False] * (len(messages) - 1) + [True]
    assert "\n\n".join(m.text for m in messages) == text.strip()
    emoji = "⚡️🔌" * 5000  # outside the BMP: two UTF-16 units each
    assert all(utf16(m.text) <= TEXT_MAX for m in render(Reply(emoji)))


def test_random_ids_are_derived_from_the_row_and_the_part() -> None:
    assert random_id(41, 0) == random_id(41, 0)  # a retried row: the same ids
    ids = {random_id(row, part) for row in range(1, 200) for part in range(3)}
    assert len(ids) == 199 * 3 and all(0 < i < 2**31 for i in ids)
    assert 0 < random_id(2**40, 5) < 2**31  # far rows stay in VK's 32 bits
    outside = {random_id(0, 0) for _ in range(50)}  # not from the outbox: random, negative
    assert len(outside) == 50 and all(-(2**31) <= i < 0 for i in outside)


@pytest.mark.parametrize("count", [1, 2, 9, 10])
def test_inline_keyboards_up_to_ten_buttons(count: int) -> None:
    board = keyboard(tuple(Button(f"{i}", f"1:{i}") for i in range(count)))
    assert board is not None and board["inline"] is True
    check_keyboard(board)
