"""A reply's file on Viber through the real app and the fake, which downloads it from our signed
/media link as Viber does: a PNG as a `picture` (its text on it when it fits 768), a PDF as a
`file` with its size and name; over the limits or refused → the text with the link."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer, unused_port
from PIL import Image

from dialogs.messages import Attachment, Button, Reply
from energobot.app import create_app
from storage.database import Database
from tests.fakes.viber import FakeViber, Sent
from tests.fakes.viber.models import Webhook
from tests.viber.harness import CHANNEL, PUBLIC_URL, VIBER_WEBHOOK, Harness, make_settings

USER = "aTtAcH+user/9Q=="
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(size: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def file(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(name, media_type, base64.b64encode(data).decode())


@pytest.fixture
async def vb(fake_viber: FakeViber, demo: Database) -> AsyncIterator[Harness]:
    """The app on a known port, which is its public URL: the fake downloads files from it."""
    port = unused_port()
    settings = make_settings(fake_viber)
    settings.server.public_url = f"http://127.0.0.1:{port}"
    fake_viber.webhook = Webhook(PUBLIC_URL + VIBER_WEBHOOK, ["delivered", "seen", "failed"])
    app = create_app(settings, demo)
    async with TestClient(TestServer(app, port=port)) as client:
        harness = Harness(app, client, fake_viber, demo)
        await harness.say(USER, "привет")
        yield harness


async def send(vb: Harness, reply: Reply) -> tuple[int, list[Sent]]:
    conversation = await vb.conversation(USER)
    before = len(vb.fake.sent(USER))
    async with vb.database.unit_of_work() as store:
        row_id = await store.outbox.add(
            conversation["id"], CHANNEL, USER, reply.to_dict(), datetime.now(UTC)
        )
        await store.commit()
    vb.services.sender.wake()
    await vb.settle()
    return row_id, vb.fake.sent(USER)[before:]


async def test_a_png_goes_as_a_picture_viber_downloads(vb: Harness) -> None:
    image = png()
    reply = Reply("QR-код", (Button("Меню", "go:menu"),), attachment=file(image, "qr", "image/png"))
    _, (sent,) = await send(vb, reply)
    assert sent.body["type"] == "picture" and sent.body["text"] == "QR-код"
    assert sent.body["media"].endswith("/qr.png")  # Viber wants the extension
    assert vb.fake.downloads[sent.body["media"]] == (200, "image/png", image)
    assert sent.buttons  # the keyboard rides the last message


async def test_a_pdf_goes_as_a_file_after_its_text(vb: Harness) -> None:
    reply = Reply("Квитанция за ноябрь", attachment=file(PDF, "kvitanciya.pdf", "application/pdf"))
    _, (text, document) = await send(vb, reply)
    assert text.body["type"] == "text" and text.text == "Квитанция за ноябрь"
    assert document.body["type"] == "file" and document.body["file_name"] == "kvitanciya.pdf"
    assert document.body["size"] == len(PDF)
    assert vb.fake.downloads[document.body["media"]][2] == PDF


async def test_a_text_over_the_pictures_768_goes_first(vb: Harness) -> None:
    text = "\n\n".join(f"Абзац {i}." + " строка" * 30 for i in range(5))  # ~1 100 characters
    _, (first, picture) = await send(vb, Reply(text, attachment=file(png(), "q.png", "image/png")))
    assert first.text == text
    assert picture.body["type"] == "picture" and picture.body["text"] == ""


async def test_a_picture_over_1_mb_goes_as_a_link(vb: Harness) -> None:
    big = png() + b"\0" * (1024 * 1024)
    reply = Reply("График", language="ru", attachment=file(big, "chart.png", "image/png"))
    _, (sent,) = await send(vb, reply)
    assert sent.body["type"] == "text" and sent.text.startswith("График\n\nФайл: http://127.0.0.1")
    assert not vb.fake.downloads
    match = re.search(r"http://127\.0\.0\.1:\d+(/media/\S+)", sent.text)
    assert match is not None
    async with vb.client.get(match[1]) as response:
        assert response.status == 200 and await response.read() == big


async def test_a_file_viber_refuses_goes_as_a_link(vb: Harness) -> None:
    # A PDF labelled as an image: within the limits here, refused by Viber once downloaded.
    reply = Reply("Схема", language="ru", attachment=file(PDF, "scheme.png", "image/png"))
    _, sent = await send(vb, reply)
    assert [s.body["type"] for s in sent] == ["text"]
    assert sent[0].text.startswith("Схема\n\nФайл: ") and "/media/" in sent[0].text
    assert (await vb.outbox(USER))[-1]["status"] == "sent"
