"""A reply's file on VK against the fake, in VK's three steps: upload server, upload, save —
then messages.send with `attachment` (photo… or doc…) on the last part with the keyboard; over
VK's limits, refused by it, or the message refused → the text with the signed link."""

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
from bots.vk.api import VkApi
from bots.vk.channel import VkChannel
from bots.vk.errors import VkApiError
from dialogs.messages import Attachment, Button, Reply
from energobot.media import MediaSigner, media_url_maker
from tests.fakes.vk import FakeVk
from tests.fakes.vk import errors as codes

USER = 5501
ROW = 2024
SIGNER = MediaSigner(b"v" * 32, timedelta(days=7))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(width: int = 30, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


def file(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(name, media_type, base64.b64encode(data).decode())


def context() -> SendContext:
    return SendContext(datetime.now(UTC), datetime.now(UTC), ROW)


def linked_row(text: str) -> int:
    match = re.search(r"https://bot\.example/media/(\S+)/", text)
    assert match is not None, text
    return SIGNER.row_of(match[1], datetime.now(UTC))


@pytest.fixture
async def channel(fake_vk: FakeVk) -> AsyncIterator[VkChannel]:
    fake_vk.add_user(USER)
    api = VkApi(fake_vk.token, fake_vk.base_url, fake_vk.api_version, timeout=5)
    links = MediaLinks(media_url_maker("https://bot.example", SIGNER), 7)
    vk = VkChannel(api, Rates(20, 1, 3), links)
    yield vk
    await vk.close()


async def test_an_image_goes_as_a_photo_with_text_and_keyboard(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    image = png()
    reply = Reply(
        "QR-код", (Button("Меню", "go:menu"),), attachment=file(image, "qr.png", "image/png")
    )
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    assert sent.text == "QR-код" and sent.labels == ["Меню"]
    attachment = sent.params["attachment"]
    assert attachment.startswith(f"photo-{fake_vk.group_id}_")
    assert fake_vk.uploads.saved[attachment].content == image
    methods = [c.method for c in fake_vk.calls]
    assert methods == [
        "photos.getMessagesUploadServer",
        "photos.saveMessagesPhoto",
        "messages.send",
    ]


async def test_a_pdf_goes_as_a_document(channel: VkChannel, fake_vk: FakeVk) -> None:
    reply = Reply("Квитанция", attachment=file(PDF, "kvitanciya.pdf", "application/pdf"))
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    saved = fake_vk.uploads.saved[sent.params["attachment"]]
    assert saved.kind == "doc" and saved.filename == "kvitanciya.pdf" and saved.content == PDF
    (server,) = fake_vk.calls_to("docs.getMessagesUploadServer")
    assert server.params["type"] == "doc" and server.params["peer_id"] == str(USER)


async def test_a_long_text_goes_first_the_file_on_the_last_part(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    text = "\n\n".join(f"Абзац {i}." + " строка" * 200 for i in range(8))  # over 9 000
    await channel.send(str(USER), Reply(text, attachment=file(PDF, "r.pdf", "application/pdf")))
    sent = fake_vk.sent(USER)
    assert len(sent) >= 2
    assert all("attachment" not in s.params for s in sent[:-1])
    assert "attachment" in sent[-1].params


async def test_a_photo_over_50_mb_goes_as_a_link(channel: VkChannel, fake_vk: FakeVk) -> None:
    big = png() + b"\0" * (50 * 1024 * 1024)
    reply = Reply("График", language="ru", attachment=file(big, "chart.png", "image/png"))
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    assert sent.text.startswith("График\n\nФайл: https://bot.example/")
    assert linked_row(sent.text) == ROW and "attachment" not in sent.params
    assert not fake_vk.calls_to("photos.getMessagesUploadServer")


async def test_a_photo_vk_cannot_use_goes_as_a_link(channel: VkChannel, fake_vk: FakeVk) -> None:
    wide = png(14_000, 10)  # width + height over VK's 14 000
    reply = Reply(
        "График",
        (Button("Меню", "go:menu"),),
        language="ru",
        attachment=file(wide, "w.png", "image/png"),
    )
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    assert "(ссылка действует 7 дней)" in sent.text and linked_row(sent.text) == ROW
    assert sent.labels == ["Меню"]
    assert not fake_vk.calls_to("photos.saveMessagesPhoto")


async def test_a_refused_save_goes_as_a_link(channel: VkChannel, fake_vk: FakeVk) -> None:
    fake_vk.fail_next("docs.save", codes.PARAM, detail="file is invalid")
    reply = Reply("Акт", language="en", attachment=file(PDF, "akt.pdf", "application/pdf"))
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    assert sent.text.startswith("Акт\n\nFile: https://bot.example/")


async def test_a_message_refused_with_its_file_goes_again_with_the_link(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    fake_vk.fail_next("messages.send", codes.PARAM, detail="attachment is invalid")
    reply = Reply("Квитанция", language="ru", attachment=file(PDF, "r.pdf", "application/pdf"))
    await channel.send(str(USER), reply, context())
    (sent,) = fake_vk.sent(USER)
    assert sent.text.startswith("Квитанция\n\nФайл: ") and "attachment" not in sent.params


async def test_a_transient_failure_is_retried_not_linked(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    fake_vk.fail_next("photos.getMessagesUploadServer", codes.INTERNAL)
    reply = Reply("QR", attachment=file(png(), "qr.png", "image/png"))
    with pytest.raises(SendError) as caught:
        await channel.send(str(USER), reply, context())
    assert not caught.value.permanent and not fake_vk.sent(USER)


async def test_the_fake_takes_only_what_it_saved(channel: VkChannel, fake_vk: FakeVk) -> None:
    with pytest.raises(VkApiError, match="attachment is invalid"):
        await channel._send(USER, "x", None, 1, f"doc-{fake_vk.group_id}_1")
