"""Rendering for Telegram (bots/telegram/channel.py render, bots/render.py plan/split_text):
within the Bot API's limits, nothing lost, customer text escaped for HTML."""

from __future__ import annotations

import base64
import re

from aiogram.methods import SendDocument, SendMessage
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.render import plan, split_text
from bots.telegram import LIMITS, render
from dialogs.messages import Attachment, Button, Reply

CHAT = 384756129


def utf16(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def inline_buttons(method: SendMessage) -> list:
    markup = method.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [button for row in markup.inline_keyboard for button in row]


def test_a_menu_becomes_an_inline_keyboard_with_its_payloads() -> None:
    reply = Reply("Чем могу помочь?", (Button("Баланс", "go:balance"), Button("Квитанция", "3:rc")))
    (method,) = render(CHAT, reply)
    assert isinstance(method, SendMessage) and method.chat_id == CHAT
    assert method.text == "Чем могу помочь?" and method.parse_mode == "HTML"
    buttons = inline_buttons(method)
    assert [(b.text, b.callback_data) for b in buttons] == [
        ("Баланс", "go:balance"),
        ("Квитанция", "3:rc"),
    ]


def test_callback_data_never_over_64_bytes_and_never_the_label() -> None:
    long_payload = "7:visit:slot:" + "ё" * 40  # 93 bytes in UTF-8
    reply = Reply("Выберите", (Button("Первый", "1:ok"), Button("Второй", long_payload)))
    (method,) = render(CHAT, reply)
    buttons = inline_buttons(method)
    assert all(len(b.callback_data.encode()) <= 64 for b in buttons)
    assert buttons[0].callback_data == "1:ok"
    assert buttons[1].callback_data == "#2"  # comes back as the typed number 2
    assert "Второй" not in buttons[1].callback_data


def test_long_labels_are_shortened_to_the_limit() -> None:
    label = "Очень длинная подпись кнопки, " * 5
    (method,) = render(CHAT, Reply("Выберите", (Button(label, "go:menu"),)))
    (button,) = inline_buttons(method)
    assert len(button.text) <= LIMITS.button_label_max
    assert button.text.endswith("…") and label.startswith(button.text[:-1])


def test_too_many_buttons_become_numbered_text() -> None:
    options = tuple(Button(f"Вариант {i}", f"9:o:{i}") for i in range(1, 16))
    (method,) = render(CHAT, Reply("Выберите", options))
    assert method.reply_markup is None
    assert "1 — Вариант 1" in method.text and "15 — Вариант 15" in method.text


def test_request_phone_is_a_reply_keyboard_with_request_contact() -> None:
    reply = Reply(
        "Введите номер",
        (Button("Отмена", "go:menu"),),
        request_phone=True,
        phone_label="📱 Отправить мой номер",
    )
    (method,) = render(CHAT, reply)
    markup = method.reply_markup
    assert isinstance(markup, ReplyKeyboardMarkup)
    first = markup.keyboard[0][0]
    assert first.request_contact is True and first.text == "📱 Отправить мой номер"
    assert [row[0].text for row in markup.keyboard[1:]] == ["Отмена"]
    assert markup.one_time_keyboard


def test_customer_text_is_escaped_for_html() -> None:
    (method,) = render(CHAT, Reply("Вы написали: <script>alert(1)</script> & <b>"))
    assert method.text == "Вы написали: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"


def test_an_attachment_is_sent_as_a_document_with_the_text_as_its_caption() -> None:
    pdf = b"%PDF-1.4 receipt"
    attachment = Attachment("kvitanciya.pdf", "application/pdf", base64.b64encode(pdf).decode())
    (document,) = render(CHAT, Reply("Квитанция за ноябрь", attachment=attachment))
    assert isinstance(document, SendDocument) and document.chat_id == CHAT
    assert document.caption == "Квитанция за ноябрь"
    assert document.document.filename == "kvitanciya.pdf"
    assert document.document.data == pdf


def test_a_long_text_is_split_at_paragraphs_buttons_on_the_last_piece() -> None:
    paragraphs = [f"Абзац {i}. " + "слово " * 150 for i in range(12)]  # ~900 characters each
    reply = Reply("\n\n".join(p.strip() for p in paragraphs), (Button("Меню", "go:menu"),))
    methods = render(CHAT, reply)
    assert len(methods) >= 3
    assert all(utf16(m.text) <= 4096 for m in methods)
    assert all(m.reply_markup is None for m in methods[:-1])
    assert methods[-1].reply_markup is not None
    for method in methods:  # every piece starts and ends on a paragraph
        assert method.text.startswith("Абзац") and method.text.endswith("слово")
    assert [w for m in methods for w in m.text.split()] == reply.text.split()


def test_emoji_count_double_against_the_telegram_limit() -> None:
    """Telegram counts 4096 UTF-16 code units: 3 000 emoji are 6 000 of them."""
    methods = render(CHAT, Reply("😀" * 1500 + "\n\n" + "⚡️🔥" * 700))
    assert all(utf16(m.text) <= 4096 for m in methods), [utf16(m.text) for m in methods]
    assert "".join(m.text for m in methods).replace("\n", "") == "😀" * 1500 + "⚡️🔥" * 700


def test_escaping_does_not_push_a_piece_over_the_limit() -> None:
    """The limit counts the text after HTML parsing: &lt; is one character to Telegram."""
    methods = render(CHAT, Reply("<" * 5000))
    assert "".join(m.text for m in methods) == "&lt;" * 5000
    assert all(len(m.text.replace("&lt;", "<")) <= 4096 for m in methods)


# -- split_text properties ---------------------------------------------------------------------

words = st.text(alphabet="абвгдежзabc12345😀,.", min_size=1, max_size=30)
separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n \n", "  "])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(words, separators), min_size=1, max_size=120))
    return "".join(word + sep for word, sep in parts).strip()


@settings(max_examples=300)
@given(texts(), st.integers(min_value=8, max_value=400))
def test_split_keeps_every_word_and_each_chunk_within_the_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert all(chunk.strip() for chunk in chunks)  # no empty messages
    assert re.sub(r"\s", "", "".join(chunks)) == re.sub(r"\s", "", text)  # nothing lost
    if all(len(word) <= limit for word in text.split()):
        assert [w for chunk in chunks for w in chunk.split()] == text.split()  # none cut


@settings(max_examples=200)
@given(st.lists(st.lists(words, min_size=1, max_size=8), min_size=2, max_size=30))
def test_paragraphs_that_fit_are_never_cut(paragraph_words: list[list[str]]) -> None:
    paragraphs = [" ".join(ws) for ws in paragraph_words]
    limit = max(len(p) for p in paragraphs) + 10
    chunks = split_text("\n\n".join(paragraphs), limit)
    pieces = [piece for chunk in chunks for piece in chunk.split("\n\n")]
    assert pieces == paragraphs


@settings(max_examples=200)
@given(st.text(max_size=300), st.lists(st.text(max_size=80), max_size=16))
def test_every_plan_fits_the_telegram_limits(text: str, labels: list[str]) -> None:
    reply = Reply(text, tuple(Button(label or "?", f"5:{label}") for label in labels))
    layout = plan(reply, LIMITS)
    assert layout.chunks and all(len(chunk) <= LIMITS.text_max for chunk in layout.chunks)
    assert len(layout.buttons) <= LIMITS.buttons_max
    for button in layout.buttons:
        assert len(button.label) <= LIMITS.button_label_max
        assert 1 <= len(button.payload.encode()) <= LIMITS.payload_max_bytes
