"""Rendering through WhatsAppChannel into FakeGraph, which refuses what WhatsApp refuses: reply
buttons, lists, numbered text, long texts, a phone request (no text added), documents."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bots.channel import Rates
from bots.meta import GraphClient
from bots.whatsapp import WhatsAppChannel
from dialogs.messages import Attachment, Button, Reply
from tests.fakes.graph import PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph

USER = "79195550177"


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[WhatsAppChannel]:
    fake_graph.wrote(USER)
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    yield WhatsAppChannel(client, PHONE_NUMBER_ID, Rates(0, 0))
    await client.close()


def buttons(*labels: str) -> tuple[Button, ...]:
    return tuple(Button(label, f"7:pick:{i}") for i, label in enumerate(labels))


async def test_up_to_three_short_labels_are_reply_buttons(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    wamid = await channel.send(USER, Reply("Всё верно?", buttons("Да", "Нет", "Отмена")))
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:button" and sent.id == wamid
    assert sent.options == [("Да", "7:pick:0"), ("Нет", "7:pick:1"), ("Отмена", "7:pick:2")]


@pytest.mark.parametrize(
    "labels",
    [
        ("Передать показания", "Связаться с оператором"),  # 22 characters: too long for a button
        ("Один", "Два", "Три", "Четыре"),
        ("Да", "Да"),  # button titles must be unique
    ],
)
async def test_otherwise_a_list(
    channel: WhatsAppChannel, fake_graph: FakeGraph, labels: tuple[str, ...]
) -> None:
    await channel.send(USER, Reply("Выберите:", buttons(*labels)))
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:list"
    assert [payload for _, payload in sent.options] == [f"7:pick:{i}" for i in range(len(labels))]
    assert sent.body["interactive"]["action"]["button"] == "Выбрать"


async def test_a_long_label_keeps_its_whole_text_in_the_description(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    label = "Сообщить о перебоях электроснабжения в доме"
    await channel.send(USER, Reply("Что случилось?", buttons(label, "Другое")))
    (sent,) = fake_graph.sent(USER)
    row = sent.body["interactive"]["action"]["sections"][0]["rows"][0]
    assert len(row["title"]) == 24 and row["title"].endswith("…")
    assert row["description"] == label


async def test_more_than_ten_options_are_numbered_text(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    labels = [f"Вариант {i}" for i in range(1, 12)]
    await channel.send(USER, Reply("Выберите:", buttons(*labels)))
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "text" and "1 — Вариант 1" in sent.text and "11 — Вариант 11" in sent.text


async def test_long_texts_are_split_and_the_last_part_carries_the_buttons(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    text = "\n\n".join(f"Абзац {i}. " + "слово " * 150 for i in range(12))  # ~11 000 characters
    await channel.send(USER, Reply(text, buttons("Да", "Нет")))
    sent = fake_graph.sent(USER)
    assert [s.kind for s in sent[:-1]] == ["text"] * (len(sent) - 1)
    assert sent[-1].kind == "interactive:button" and len(sent[-1].text) <= 1024
    assert all(len(s.text) <= 4096 for s in sent)
    joined = " ".join(s.text for s in sent).split()
    assert joined == text.split()  # nothing lost, nothing repeated


async def test_a_phone_request_adds_no_second_instruction(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    """WhatsApp has no share-phone control; the dialog's own text already says to send the
    contact card (phone_hint.whatsapp), so the channel sends it as it is."""
    text = "Или отправьте свою контактную карточку: нажмите 📎 (или «+») и выберите «Контакт»."
    reply = Reply(
        text, buttons("Отмена"), request_phone=True, phone_label="📱 Поделиться телефоном"
    )
    await channel.send(USER, reply)
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:button" and sent.text == text


async def test_a_document_is_uploaded_then_sent(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    pdf = b"%PDF-1.4 receipt"
    attachment = Attachment("receipt.pdf", "application/pdf", base64.b64encode(pdf).decode())
    last = await channel.send(USER, Reply("Квитанция:", attachment=attachment))
    (document,) = fake_graph.sent(USER)  # the text is its caption
    assert document.text == "Квитанция:" and document.kind == "document" and document.id == last
    media_id = document.body["document"]["id"]
    assert fake_graph.media[media_id] == ("receipt.pdf", "application/pdf", pdf)


async def test_a_bsuid_is_sent_as_recipient(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    bsuid = "RU.1349120865530274191"
    fake_graph.wrote(bsuid)
    await channel.send(bsuid, Reply("Здравствуйте"))
    (sent,) = fake_graph.sent(bsuid)
    assert sent.body["recipient"] == bsuid and "to" not in sent.body


labels = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P", "So")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())


@hsettings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(min_size=0, max_size=6000),
    options=st.lists(labels, min_size=0, max_size=14),
    phone=st.booleans(),
)
async def test_whatever_the_dialog_says_whatsapp_takes_it(
    channel: WhatsAppChannel, fake_graph: FakeGraph, text: str, options: list[str], phone: bool
) -> None:
    before = len(fake_graph.delivered)
    reply = Reply(text, buttons(*options), request_phone=phone)
    await channel.send(USER, reply)
    assert fake_graph.refused == []
    for sent in fake_graph.delivered[before:]:
        if sent.kind == "interactive:button":
            assert len(sent.options) <= 3 and all(len(t) <= 20 for t, _ in sent.options)
