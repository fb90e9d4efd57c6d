"""Rendering through MessengerChannel into FakeGraph: button template, quick replies, the
phone quick reply, numbered text, long texts, files, the messaging type."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bots.channel import Rates, Refusal, SendContext
from bots.messenger import MessengerChannel
from bots.meta import GraphClient
from dialogs.messages import Attachment, Button, Reply
from tests.fakes.graph import PAGE_TOKEN, FakeGraph

PSID = "6251938475610293"


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[MessengerChannel]:
    fake_graph.wrote(PSID)
    client = GraphClient(fake_graph.base_url, PAGE_TOKEN, 5)
    yield MessengerChannel(client, Rates(0, 0))
    await client.close()


def buttons(*labels: str) -> tuple[Button, ...]:
    return tuple(Button(label, f"7:pick:{i}") for i, label in enumerate(labels))


async def test_up_to_three_short_options_are_a_button_template(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    mid = await channel.send(PSID, Reply("Всё верно?", buttons("Да", "Нет")))
    (sent,) = fake_graph.sent(PSID)
    assert sent.kind == "button_template" and sent.id == mid
    assert sent.options == [("Да", "7:pick:0"), ("Нет", "7:pick:1")]
    assert sent.body["messaging_type"] == "RESPONSE"


async def test_more_are_quick_replies_with_titles_cut_to_20(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    labels = [f"Вариант номер {i} для вас" for i in range(13)]
    await channel.send(PSID, Reply("Выберите:", buttons(*labels)))
    (sent,) = fake_graph.sent(PSID)
    assert sent.kind == "quick_replies" and len(sent.options) == 13
    assert all(len(title) <= 20 for title, _ in sent.options)
    assert fake_graph.truncated == []


async def test_fourteen_are_numbered_text(channel: MessengerChannel, fake_graph: FakeGraph) -> None:
    await channel.send(PSID, Reply("Выберите:", buttons(*[f"В{i}" for i in range(14)])))
    (sent,) = fake_graph.sent(PSID)
    assert sent.kind == "text" and "14 — В13" in sent.text


async def test_a_phone_request_is_the_user_phone_number_quick_reply(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    reply = Reply("Поделитесь телефоном.", buttons("Отмена"), request_phone=True)
    await channel.send(PSID, reply)
    (sent,) = fake_graph.sent(PSID)
    quick = sent.body["message"]["quick_replies"]
    assert quick[0] == {"content_type": "user_phone_number"} and quick[1]["title"] == "Отмена"


async def test_long_texts_split_at_2000_and_the_card_text_at_640(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    text = "\n\n".join(f"Абзац {i}. " + "слово " * 100 for i in range(8))
    await channel.send(PSID, Reply(text, buttons("Да", "Нет")))
    sent = fake_graph.sent(PSID)
    assert sent[-1].kind == "button_template" and len(sent[-1].text) <= 640
    assert all(len(s.text) <= 2000 for s in sent)
    assert " ".join(s.text for s in sent).split() == text.split()


async def test_a_file_goes_as_an_upload(channel: MessengerChannel, fake_graph: FakeGraph) -> None:
    pdf = b"%PDF-1.4 receipt"
    attachment = Attachment("receipt.pdf", "application/pdf", base64.b64encode(pdf).decode())
    await channel.send(PSID, Reply("Квитанция:", attachment=attachment))
    text, upload = fake_graph.sent(PSID)
    assert text.text == "Квитанция:"
    assert upload.kind == "file" and upload.body["filedata"] == (
        "receipt.pdf",
        "application/pdf",
        pdf,
    )


def test_refusals_by_the_window() -> None:
    channel = MessengerChannel(GraphClient("http://127.0.0.1:9", "x", 1), Rates(0, 0))
    now = datetime.now(UTC)
    bot, operator = Reply("бот"), Reply("оператор", operator="Анна")

    def context(hours: float | None) -> SendContext:
        return SendContext(now, None if hours is None else now - timedelta(hours=hours))

    assert channel.refusal(bot, context(23)) is None
    assert channel.refusal(bot, context(25)) is Refusal.WINDOW_CLOSED
    assert channel.refusal(operator, context(25)) is None
    assert channel.refusal(operator, context(24 * 7 - 1)) is None
    assert channel.refusal(operator, context(24 * 7 + 1)) is Refusal.TAG_EXPIRED
    assert channel.refusal(bot, context(None)) is Refusal.WINDOW_CLOSED


labels = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


@hsettings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(min_size=0, max_size=4500),
    options=st.lists(labels, min_size=0, max_size=15),
    phone=st.booleans(),
)
async def test_whatever_the_dialog_says_messenger_takes_it(
    channel: MessengerChannel, fake_graph: FakeGraph, text: str, options: list[str], phone: bool
) -> None:
    await channel.send(PSID, Reply(text, buttons(*options), request_phone=phone))
    assert fake_graph.refused == [] and fake_graph.truncated == []
