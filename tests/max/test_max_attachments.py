"""A reply's file on MAX against the fake: an image uploaded as `image`, a PDF as `file`, both
riding the message with the text and the keyboard; over the limits, refused at upload or with
the message → the text with the signed link."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bots.attachments import MediaLinks
from bots.channel import Rates, SendContext
from bots.max.api import MaxApi
from bots.max.channel import MaxChannel, Words
from dialogs.messages import Attachment, Button, Reply
from energobot.media import MediaSigner, media_url_maker
from tests.fakes.max import FakeMax

USER = "9007199254740993"
ROW = 4242
SIGNER = MediaSigner(b"m" * 32, timedelta(days=7))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def file(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(name, media_type, base64.b64encode(data).decode())


def context() -> SendContext:
    return SendContext(datetime.now(UTC), None, ROW)


@pytest.fixture
async def channel(fake_max: FakeMax) -> AsyncIterator[MaxChannel]:
    fake_max.add_user(USER)
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    links = MediaLinks(media_url_maker("https://bot.example", SIGNER), 7)
    channel = MaxChannel(api, Rates(30, 0, 1), Words.load("ru"), links)
    yield channel
    await channel.close()


def linked_row(text: str) -> int:
    match = re.search(r"https://bot\.example/media/(\S+)/", text)
    assert match is not None, text
    return SIGNER.row_of(match[1], datetime.now(UTC))


async def test_an_image_goes_as_an_image_with_text_and_keyboard(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    image = png()
    reply = Reply(
        "QR-код", (Button("Меню", "go:menu"),), attachment=file(image, "qr.png", "image/png")
    )
    await channel.send(USER, reply, context())
    (upload,) = fake_max.uploads.values()
    assert upload.kind == "image" and upload.content == image
    (sent,) = fake_max.sent(USER)
    assert sent.text == "QR-код"
    assert {"type": "image", "payload": {"token": upload.token}} in sent.attachments
    assert sent.buttons


async def test_a_pdf_goes_as_a_file(fake_max: FakeMax, channel: MaxChannel) -> None:
    await channel.send(USER, Reply("Квитанция", attachment=file(PDF, "r.pdf", "application/pdf")))
    (upload,) = fake_max.uploads.values()
    assert upload.kind == "file" and upload.content == PDF
    (sent,) = fake_max.sent(USER)
    assert sent.attachments == [{"type": "file", "payload": {"token": upload.token}}]


async def test_a_long_text_goes_before_the_file(fake_max: FakeMax, channel: MaxChannel) -> None:
    text = "\n\n".join(f"Абзац {i}." + " строка" * 80 for i in range(10))  # over 4 000
    await channel.send(USER, Reply(text, attachment=file(PDF, "r.pdf", "application/pdf")))
    sent = fake_max.sent(USER)
    assert len(sent) >= 2
    assert all(not s.attachments for s in sent[:-1]) and sent[-1].attachments
    assert "\n\n".join(s.text or "" for s in sent) == text


async def test_a_file_over_the_limit_goes_as_a_link(fake_max: FakeMax, channel: MaxChannel) -> None:
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    reply = Reply("Акт", language="ru", attachment=file(big, "akt.pdf", "application/pdf"))
    await channel.send(USER, reply, context())
    assert not fake_max.uploads
    (sent,) = fake_max.sent(USER)
    assert sent.text is not None and sent.text.startswith("Акт\n\nФайл: https://bot.example/media/")
    assert linked_row(sent.text) == ROW and not sent.attachments


async def test_an_upload_refused_goes_as_a_link(fake_max: FakeMax, channel: MaxChannel) -> None:
    fake_max.upload_max_bytes = 10  # the upload host answers 413
    reply = Reply(
        "Квитанция",
        (Button("Меню", "go:menu"),),
        language="ru",
        attachment=file(PDF, "r.pdf", "application/pdf"),
    )
    await channel.send(USER, reply, context())
    (sent,) = fake_max.sent(USER)
    assert sent.text is not None and "(ссылка действует 7 дней)" in sent.text
    assert linked_row(sent.text) == ROW and sent.buttons


async def test_a_message_refused_with_its_file_goes_again_with_the_link(
    fake_max: FakeMax, channel: MaxChannel
) -> None:
    fake_max.fail_next("/messages", 400, "proto.payload", "attachment refused")
    reply = Reply("Квитанция", language="ru", attachment=file(PDF, "r.pdf", "application/pdf"))
    await channel.send(USER, reply, context())
    (sent,) = fake_max.sent(USER)
    assert sent.text is not None and sent.text.startswith("Квитанция\n\nФайл: ")
    assert not sent.attachments


async def test_the_fake_refuses_a_non_image_as_an_image(fake_max: FakeMax) -> None:
    api = MaxApi(fake_max.token, fake_max.base_url, 5)
    try:
        target = await api.call("POST", "/uploads", params={"type": "image"})
        with pytest.raises(Exception, match="refused"):
            await api.upload(target["url"], "x.png", PDF, "image/png")
    finally:
        await api.close()
