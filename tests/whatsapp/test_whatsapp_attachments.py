"""A reply's file on WhatsApp against FakeGraph: uploaded to /media, then an `image` or a
`document` by its id with the text as caption (or the header of reply buttons); a long text
first; over the limits or refused → the text with the signed link."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bots.attachments import MediaLinks
from bots.channel import Rates, SendContext, SendError
from bots.meta import GraphClient
from bots.whatsapp import WhatsAppChannel
from dialogs.messages import Attachment, Button, Reply
from energobot.media import MediaSigner, media_url_maker
from tests.fakes.graph import PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph

USER = "79195550178"
ROW = 777
SIGNER = MediaSigner(b"w" * 32, timedelta(days=7))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(size: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def file(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(name, media_type, base64.b64encode(data).decode())


def context() -> SendContext:
    now = datetime.now(UTC)
    return SendContext(now, now - timedelta(minutes=5), ROW)


def linked_row(text: str) -> int:
    match = re.search(r"https://bot\.example/media/(\S+)/", text)
    assert match is not None, text
    return SIGNER.row_of(match[1], datetime.now(UTC))


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[WhatsAppChannel]:
    fake_graph.wrote(USER)
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    links = MediaLinks(media_url_maker("https://bot.example", SIGNER), 7)
    yield WhatsAppChannel(client, PHONE_NUMBER_ID, Rates(0, 0), links=links)
    await client.close()


async def test_an_image_goes_as_an_image_with_its_caption(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    image = png()
    await channel.send(
        USER, Reply("QR-код", attachment=file(image, "qr.png", "image/png")), context()
    )
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "image" and sent.text == "QR-код"
    assert fake_graph.media[sent.body["image"]["id"]] == ("qr.png", "image/png", image)


async def test_with_reply_buttons_the_file_is_their_header(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    reply = Reply(
        "Квитанция за ноябрь",
        (Button("Меню", "go:menu"), Button("Оплатить", "go:pay")),
        attachment=file(PDF, "r.pdf", "application/pdf"),
    )
    await channel.send(USER, reply, context())
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:button" and sent.text == "Квитанция за ноябрь"
    header = sent.body["interactive"]["header"]
    assert header["type"] == "document" and header["document"]["filename"] == "r.pdf"
    assert fake_graph.media[header["document"]["id"]][2] == PDF


async def test_a_text_over_the_caption_goes_first(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    text = "\n\n".join(f"Абзац {i}." + " строка" * 30 for i in range(6))  # ~1 300 characters
    await channel.send(
        USER, Reply(text, attachment=file(PDF, "r.pdf", "application/pdf")), context()
    )
    first, document = fake_graph.sent(USER)
    assert first.kind == "text" and first.text == text
    assert document.kind == "document" and "caption" not in document.body["document"]


async def test_an_image_over_5_mb_goes_as_a_link(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    big = png() + b"\0" * (5 * 1024 * 1024)
    reply = Reply("График", language="ru", attachment=file(big, "chart.png", "image/png"))
    await channel.send(USER, reply, context())
    assert not fake_graph.media  # not even tried
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "text" and sent.text.startswith("График\n\nФайл: https://bot.example/")
    assert linked_row(sent.text) == ROW


async def test_an_upload_refused_goes_as_a_link(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("media", 131053, message="(#131053) Media upload error")
    reply = Reply(
        "Квитанция",
        (Button("Меню", "go:menu"),),
        language="ru",
        attachment=file(PDF, "r.pdf", "application/pdf"),
    )
    await channel.send(USER, reply, context())
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:button" and "(ссылка действует 7 дней)" in sent.text
    assert linked_row(sent.text) == ROW


async def test_a_message_refused_with_its_file_goes_again_with_the_link(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("whatsapp", 131053, message="(#131053) Media upload error")
    reply = Reply("Квитанция", language="ru", attachment=file(PDF, "r.pdf", "application/pdf"))
    await channel.send(USER, reply, context())
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "text" and sent.text.startswith("Квитанция\n\nФайл: ")


async def test_a_transient_upload_failure_is_retried_not_linked(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("media", 2, status=500, message="(#2) Service temporarily unavailable")
    with pytest.raises(SendError) as caught:
        await channel.send(USER, Reply("К", attachment=file(PDF, "r.pdf", "application/pdf")))
    assert not caught.value.permanent and not fake_graph.sent(USER)


async def test_the_fake_refuses_what_the_cloud_api_refuses(fake_graph: FakeGraph) -> None:
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    channel = WhatsAppChannel(client, PHONE_NUMBER_ID, Rates(0, 0))
    try:
        with pytest.raises(SendError, match="one of the following types"):
            await channel._upload(file(b"GIF89a", "a.gif", "image/gif"))
        with pytest.raises(SendError, match="File Too Large"):
            await channel._upload(file(png() + b"\0" * (5 * 1024 * 1024), "b.png", "image/png"))
        pdf_id = await channel._upload(file(PDF, "r.pdf", "application/pdf"))
        fake_graph.wrote(USER)
        with pytest.raises(SendError, match="131053"):
            await channel._post(USER, {"type": "image", "image": {"id": pdf_id}})
    finally:
        await client.close()
