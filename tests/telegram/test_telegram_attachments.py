"""A reply's file on Telegram (sendPhoto, sendDocument, the caption's limit, the fallback link)
and the signed links themselves (GET /media/<token>), through the real app and the fake Bot API."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image

from dialogs.messages import Attachment, Button, Reply
from energobot.channels import host
from energobot.media import MEDIA_SIGNER, MediaSigner
from storage.database import Database
from tests.fakes.telegram import FakeTelegram, Sent
from tests.telegram.harness import CHANNEL, Harness, make_settings, running

PUBLIC = "https://bot.energosbyt.example"
CHAT = 8101
LINK = re.compile(r"https://bot\.energosbyt\.example/media/\S+")


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attachment(data: bytes, filename: str, media_type: str) -> Attachment:
    return Attachment(filename, media_type, base64.b64encode(data).decode())


@pytest.fixture
async def tg(fake_telegram: FakeTelegram, demo: Database) -> AsyncIterator[Harness]:
    fake_telegram.rate_limits = False
    settings = make_settings(fake_telegram)
    settings.server.public_url = PUBLIC
    async with running(settings, demo, fake_telegram) as harness:
        harness.fake.add_chat(CHAT)
        await harness.start(CHAT)
        yield harness


async def send(tg: Harness, reply: Reply) -> tuple[int, list[Sent]]:
    conversation = await tg.conversation(CHAT)
    before = len(tg.fake.sent(CHAT))
    async with tg.database.unit_of_work() as store:
        row_id = await store.outbox.add(
            conversation["id"], CHANNEL, str(CHAT), reply.to_dict(), datetime.now(UTC)
        )
        await store.commit()
    tg.services.sender.wake()
    await tg.settle()
    return row_id, tg.fake.sent(CHAT)[before:]


async def fetch(tg: Harness, url: str) -> tuple[int, bytes, dict[str, str]]:
    async with tg.client.get(urlsplit(url).path) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_an_image_goes_as_a_photo_with_its_caption_and_buttons(tg: Harness) -> None:
    image = png()
    reply = Reply(
        "QR-код для оплаты",
        (Button("Меню", "go:menu"),),
        attachment=attachment(image, "qr.png", "image/png"),
    )
    _, (sent,) = await send(tg, reply)
    assert sent.method == "sendPhoto"
    assert sent.files["photo"] == image
    assert sent.plain_text == "QR-код для оплаты"
    assert [b["text"] for row in sent.buttons for b in row] == ["Меню"]


async def test_a_pdf_goes_as_a_document_with_its_name(tg: Harness) -> None:
    reply = Reply(
        "Квитанция за ноябрь", attachment=attachment(PDF, "kvitanciya.pdf", "application/pdf")
    )
    _, (sent,) = await send(tg, reply)
    assert sent.method == "sendDocument"
    assert sent.files["document"] == PDF
    assert sent.filenames["document"] == "kvitanciya.pdf"
    assert sent.plain_text == "Квитанция за ноябрь"


async def test_a_text_over_the_caption_limit_goes_before_the_file(tg: Harness) -> None:
    text = "\n\n".join(f"Абзац {i}." + " строка" * 40 for i in range(6))  # ~1 700 characters
    reply = Reply(
        text, (Button("Меню", "go:menu"),), attachment=attachment(PDF, "r.pdf", "application/pdf")
    )
    _, sent = await send(tg, reply)
    *texts, document = sent
    assert [s.method for s in texts] == ["sendMessage"]
    assert texts[0].plain_text == text and not texts[0].buttons
    assert document.method == "sendDocument" and document.plain_text is None
    assert document.buttons and document.files["document"] == PDF


async def test_a_file_over_telegrams_limit_goes_as_a_link_that_opens_it(tg: Harness) -> None:
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)  # over the 50 MB of a bot's upload
    reply = Reply(
        "Акт сверки", language="ru", attachment=attachment(big, "akt.pdf", "application/pdf")
    )
    row_id, (sent,) = await send(tg, reply)
    assert sent.method == "sendMessage"
    assert sent.plain_text is not None and sent.plain_text.startswith("Акт сверки\n\nФайл: ")
    assert "(ссылка действует 7 дней)" in sent.plain_text
    match = LINK.search(sent.plain_text)
    assert match is not None and match.group().endswith("/akt.pdf")
    token = urlsplit(match.group()).path.split("/")[2]
    assert signer(tg).row_of(token, datetime.now(UTC)) == row_id
    status, body, headers = await fetch(tg, match.group())
    assert status == 200 and body == big
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith('attachment; filename="akt.pdf"')
    assert "private" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert not tg.fake.calls_to("sendDocument")  # not even tried


async def test_a_photo_telegram_refuses_goes_as_a_link(tg: Harness) -> None:
    wide = png(10_001, 2)  # Telegram: PHOTO_INVALID_DIMENSIONS
    reply = Reply(
        "График потребления",
        (Button("Меню", "go:menu"),),
        language="ru",
        attachment=attachment(wide, "chart.png", "image/png"),
    )
    _, sent = await send(tg, reply)
    assert [s.method for s in sent] == ["sendMessage"]
    assert tg.fake.calls_to("sendPhoto")[-1].status == 400
    text = sent[0].plain_text or ""
    assert text.startswith("График потребления\n\nФайл: ")
    assert sent[0].buttons  # the buttons stay on the last message
    match = LINK.search(text)
    assert match is not None
    status, body, headers = await fetch(tg, match.group())
    assert status == 200 and body == wide
    assert headers["Content-Type"] == "image/png"
    rows = await tg.outbox(CHAT)
    assert rows[-1]["status"] == "sent"


async def test_the_fallback_text_is_english_for_an_english_customer(tg: Harness) -> None:
    big = b"%PDF-1.4\n" + b"1" * (50 * 1024 * 1024)
    reply = Reply(
        "Statement", language="en", attachment=attachment(big, "s.pdf", "application/pdf")
    )
    _, (sent,) = await send(tg, reply)
    assert "File: " in (sent.plain_text or "")
    assert "(the link works for 7 days)" in (sent.plain_text or "")


# -- the links ---------------------------------------------------------------------------------


def signer(tg: Harness) -> MediaSigner:
    return tg.app[MEDIA_SIGNER]


async def a_row_with(tg: Harness, file: Attachment) -> int:
    conversation = await tg.conversation(CHAT)
    async with tg.database.unit_of_work() as store:
        row_id = await store.outbox.add(
            conversation["id"],
            CHANNEL,
            str(CHAT),
            Reply("x", attachment=file).to_dict(),
            datetime.now(UTC),
        )
        await store.outbox.mark_sent(row_id, datetime.now(UTC))
        await store.commit()
    return row_id


async def test_a_link_opens_its_own_rows_file_until_it_expires(tg: Harness) -> None:
    image = png()
    row_id = await a_row_with(tg, attachment(image, "qr.png", "image/png"))
    now = datetime.now(UTC)
    token = signer(tg).token(row_id, now)
    status, body, headers = await fetch(tg, f"/media/{token}")
    assert status == 200 and body == image
    assert headers["Content-Disposition"].startswith("inline; ")
    expired = signer(tg).token(row_id, now - timedelta(days=8))
    status, body, _ = await fetch(tg, f"/media/{expired}/qr.png")
    assert status == 410 and b"expired" in body


async def test_a_forged_or_altered_link_opens_nothing(tg: Harness) -> None:
    mine = await a_row_with(tg, attachment(PDF, "mine.pdf", "application/pdf"))
    other = await a_row_with(tg, attachment(b"%PDF-other", "other.pdf", "application/pdf"))
    token = signer(tg).token(mine, datetime.now(UTC))
    row, expires, signature = token.split(".")
    for forged in (
        f"{other}.{expires}.{signature}",  # another row's id under my signature
        f"{row}.{int(expires) + 86400}.{signature}",  # a later expiry
        f"{row}.{expires}.{signature[:-2]}AA",
        "garbage",
    ):
        status, body, _ = await fetch(tg, f"/media/{forged}")
        assert status == 404, forged
        assert b"other" not in body and b"%PDF" not in body
    foreign = MediaSigner(b"k" * 32, timedelta(days=7)).token(other, datetime.now(UTC))
    assert (await fetch(tg, f"/media/{foreign}"))[0] == 404


async def test_a_link_to_a_row_without_a_file_is_not_found(tg: Harness) -> None:
    conversation = await tg.conversation(CHAT)
    async with tg.database.unit_of_work() as store:
        plain = await store.outbox.add(
            conversation["id"], CHANNEL, str(CHAT), Reply("x").to_dict(), datetime.now(UTC)
        )
        await store.commit()
    await tg.settle()
    for row_id in (plain, 10**9):
        token = signer(tg).token(row_id, datetime.now(UTC))
        status, body, _ = await fetch(tg, f"/media/{token}")
        assert status == 404 and b"no longer" in body


async def test_host_makes_links_the_route_opens(tg: Harness) -> None:
    image = png()
    row_id = await a_row_with(tg, attachment(image, "qr code.png", "image/png"))
    settings = tg.services.settings
    make = host(settings).media_url
    assert make is not None
    url = make(row_id, "qr code.png")
    assert url.startswith(f"{PUBLIC}/media/") and url.endswith("/qr%20code.png")
    status, body, _ = await fetch(tg, url)
    assert status == 200 and body == image


async def test_a_russian_filename_reaches_the_browser_whole(tg: Harness) -> None:
    row_id = await a_row_with(tg, attachment(PDF, "Квитанция «ноябрь».pdf", "application/pdf"))
    token = signer(tg).token(row_id, datetime.now(UTC))
    status, body, headers = await fetch(tg, f"/media/{token}/x.pdf")  # the URL's name is cosmetic
    assert status == 200 and body == PDF
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%9A%D0%B2%D0%B8" in disposition  # «Кви…», percent-encoded
    assert disposition.isascii()
