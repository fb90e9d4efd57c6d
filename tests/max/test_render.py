"""Replies as NewMessageBody within MAX's limits, checked by the fake's own validator."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bots.channel import utf16_length
from bots.max.render import LIMITS, label, render
from dialogs.messages import Button, Reply
from tests.fakes.max.checks import check_message


def keyboard(body: dict) -> list[list[dict]]:  # type: ignore[type-arg]
    (attachment,) = [a for a in body["attachments"] if a["type"] == "inline_keyboard"]
    return attachment["payload"]["buttons"]


def test_plain_text_without_a_format_and_short_labels_two_to_a_row() -> None:
    reply = Reply(
        "Выберите <действие> & *нажмите*",
        (Button("Да", "yes"), Button("Нет", "no"), Button("Передать показания", "go:readings")),
    )
    (body,) = render(reply, "📱")
    assert body["text"] == "Выберите <действие> & *нажмите*" and "format" not in body
    assert [[b["text"] for b in row] for row in keyboard(body)] == [
        ["Да", "Нет"],
        ["Передать показания"],
    ]
    assert keyboard(body)[0][0] == {"type": "callback", "text": "Да", "payload": "yes"}
    check_message(body)


def test_the_phone_question_gets_a_request_contact_row_of_its_own() -> None:
    reply = Reply(
        "Телефон?",
        (Button("Телефон из лицевого счёта", "acc"),),
        request_phone=True,
        phone_label="📱 Поделиться телефоном",
    )
    (body,) = render(reply, "fallback")
    rows = keyboard(body)
    assert rows[0] == [{"type": "request_contact", "text": "📱 Поделиться телефоном"}]
    assert rows[1][0]["type"] == "callback"
    (body,) = render(Reply("Телефон?", request_phone=True), "📱 Share phone")
    assert keyboard(body) == [[{"type": "request_contact", "text": "📱 Share phone"}]]


def test_long_texts_split_at_paragraphs_within_4000_with_the_keyboard_on_the_last() -> None:
    paragraph = "Строка квитанции. " * 100
    reply = Reply("\n\n".join([paragraph] * 6), (Button("Меню", "go:menu"),))
    bodies = render(reply, "📱")
    assert len(bodies) > 1
    assert all(utf16_length(b["text"]) <= 4000 for b in bodies)
    assert all("attachments" not in b for b in bodies[:-1]) and "attachments" in bodies[-1]
    for body in bodies:
        check_message(body)


def test_too_many_buttons_become_numbered_text_and_big_payloads_a_number() -> None:
    many = tuple(Button(f"Вариант {i}", f"go:{i}") for i in range(LIMITS.buttons_max + 1))
    (body,) = render(Reply("Выберите", many), "📱")
    assert "attachments" not in body and "25 — Вариант 24" in body["text"]
    big = (Button("Один", "x" * 2000), Button("Два", "ok"))
    (body,) = render(Reply("Выберите", big), "📱")
    assert [b["payload"] for b in keyboard(body)[0]] == ["#1", "ok"]


def test_labels_are_cut_in_utf16_units() -> None:
    assert label("🔥" * 100) == "🔥" * 63 + "…"
    assert utf16_length(label("🔥" * 100)) <= 128
    assert label("   ") == "…" and label("a\nb") == "a b"


labels = st.text(min_size=0, max_size=200)
buttons = st.lists(
    st.builds(Button, labels, st.text(max_size=1200)), max_size=LIMITS.buttons_max + 3
)


@given(st.text(max_size=12_000), buttons, st.booleans(), labels)
def test_any_reply_renders_within_max_s_limits(
    text: str, options: list[Button], phone: bool, phone_label: str
) -> None:
    reply = Reply(text, tuple(options), request_phone=phone, phone_label=phone_label)
    for body in render(reply, "📱"):
        check_message(body)
