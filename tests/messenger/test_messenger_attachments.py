"""A reply's file on Messenger against FakeGraph: uploaded with its message (`filedata`) as an
`image` or a `file`, after the text and before the options; over the limits or refused → the
signed link."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from PIL import Image

from bots.attachments import MediaLinks
from bots.channel import Rates, SendContext, SendError
from bots.messenger import MessengerChannel
from bots.meta import GraphClient
from dialogs.messages import Attachment, Button, Reply
from energobot.media import MediaSigner, media_url_maker
from tests.fakes.graph import PAGE_TOKEN, FakeGraph

PSID = "6251938475610294"
ROW = 31337
SIGNER = MediaSigner(b"f" * 32, timedelta(days=7))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def file(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(name, media_type, base64.b64encode(data).decode())


def context() -> SendContext:
    now = datetime.now(UTC)
    return SendContext(now, now - timedelta(minutes=1), ROW)


def linked_row(text: str) -> int:
    match = re.search(r"https://bot\.example/media/(\S+)/", text)
    assert match is not None, text
    return SIGNER.row_of(match[1], datetime.now(UTC))


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[MessengerChannel]:
    fake_graph.wrote(PSID)
    client = GraphClient(fake_graph.base_url, PAGE_TOKEN, 5)
    links = MediaLinks(media_url_maker("https://bot.example", SIGNER), 7)
    yield MessengerChannel(client, Rates(0, 0), links=links)
    await client.close()


async def test_an_image_goes_as_an_image_after_its_text(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    image = png()
    await channel.send(
        PSID, Reply("QR-код", attachment=file(image, "qr.png", "image/png")), context()
    )
    text, upload = fake_graph.sent(PSID)
    assert text.text == "QR-код"
    assert upload.kind == "image" and upload.body["filedata"] == ("qr.png", "image/png", image)


async def test_the_options_stay_on_the_last_message(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    reply = Reply(
        "Квитанция за ноябрь",
        (Button("Меню", "go:menu"), Button("Оплатить", "go:pay")),
        attachment=file(PDF, "r.pdf", "application/pdf"),
    )
    await channel.send(PSID, reply, context())
    upload, card = fake_graph.sent(PSID)
    assert upload.kind == "file" and upload.body["filedata"][2] == PDF
    assert card.kind == "button_template" and card.text == "Квитанция за ноябрь"


async def test_a_file_over_25_mb_goes_as_a_link(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    big = b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024)
    reply = Reply("Акт", language="ru", attachment=file(big, "akt.pdf", "application/pdf"))
    await channel.send(PSID, reply, context())
    (sent,) = fake_graph.sent(PSID)
    assert sent.kind == "text" and sent.text.startswith("Акт\n\nФайл: https://bot.example/")
    assert linked_row(sent.text) == ROW


async def test_an_upload_refused_goes_as_a_link_in_its_place(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    reply = Reply(
        "График",
        (Button("Меню", "go:menu"),),
        language="en",
        attachment=file(png(), "chart.png", "image/png"),
    )
    fake_graph.fail("messenger", 100, subcode=2018047, message="(#100) Upload attachment failure.")
    await channel.send(PSID, reply, context())
    link, card = fake_graph.sent(PSID)
    assert link.kind == "text" and link.text.startswith("File: https://bot.example/")
    assert "(the link works for 7 days)" in link.text and linked_row(link.text) == ROW
    assert card.kind == "button_template"


async def test_the_fake_refuses_what_messenger_refuses(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    envelope = {"messaging_type": "RESPONSE"}
    with pytest.raises(SendError, match="Upload attachment failure"):
        await channel._send_file(
            PSID, file(b"%PDF" + b"0" * (25 * 1024 * 1024), "a.pdf", "application/pdf"), envelope
        )
    # An image of a type Messenger does not show is refused too.
    form = aiohttp.FormData()
    form.add_field("recipient", json.dumps({"id": PSID}))
    form.add_field("message", json.dumps({"attachment": {"type": "image", "payload": {}}}))
    form.add_field("filedata", b"RIFF0000WEBP", filename="x.webp", content_type="image/webp")
    with pytest.raises(SendError, match="Upload attachment failure"):
        await channel.client.post("me/messages", form=form)
