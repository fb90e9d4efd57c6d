"""A reply's files in the web chat, in a real Chromium against a real `energobot serve --demo`:
an image inline, a PDF as a download link, both by their signed /media links — live and after
a reload — and never as bytes in the page."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from dialogs.messages import Attachment, Reply
from storage.database import Database
from storage.tables import inbox
from tests.browser.support import Chat, Server
from tests.browser.test_webchat import link_demo_account

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


async def _queue(database_url: str, marker: str, replies: list[Reply]) -> None:
    """Queue replies in the outbox of the conversation whose customer wrote `marker`."""
    database = Database(database_url)
    try:
        async with database.unit_of_work() as store:
            rows = await store.connection.execute(
                select(inbox.c.conversation_id, inbox.c.body).where(inbox.c.channel == "webchat")
            )
            (conversation_id, body) = next(
                (row.conversation_id, row.body)
                for row in rows
                if row.body.get("text") == marker and row.conversation_id
            )
            for reply in replies:
                await store.outbox.add(
                    conversation_id, "webchat", body["user_id"], reply.to_dict(), datetime.now(UTC)
                )
            await store.commit()
    finally:
        await database.dispose()


def queue(server: Server, marker: str, replies: list[Reply]) -> None:
    # Playwright's sync API holds this thread's event loop: the database is used from another.
    url = server.env["ENERGOBOT_DATABASE__URL"]
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _queue(url, marker, replies)).result()


def test_an_image_shows_inline_and_a_pdf_as_a_download_link(page: Page, server: Server) -> None:
    chat = Chat(page).open()
    marker = f"квитанция {uuid.uuid4().hex[:8]}"
    chat.say(marker)
    expect(chat.bot).to_have_count(2)
    image = png()
    queue(
        server,
        marker,
        [
            Reply(
                "QR-код для оплаты",
                attachment=Attachment("qr.png", "image/png", base64.b64encode(image).decode()),
            ),
            Reply(
                "Квитанция за ноябрь",
                attachment=Attachment(
                    "kvitanciya.pdf", "application/pdf", base64.b64encode(PDF).decode()
                ),
            ),
        ],
    )
    picture = page.locator("[data-test=attachment-image] img")
    expect(picture).to_have_count(1)
    # The image is loaded and drawn by the browser (its natural size is the PNG's).
    expect(picture).to_have_js_property("naturalWidth", 64)
    src = picture.get_attribute("src") or ""
    assert src.startswith("/media/") and src.endswith("/qr.png")
    document = page.locator("[data-test=attachment]")
    expect(document).to_have_count(1)
    expect(document).to_contain_text("kvitanciya.pdf")
    href = document.get_attribute("href") or ""
    assert href.startswith("/media/") and document.get_attribute("download") == "kvitanciya.pdf"

    fetched = page.request.get(href)
    assert fetched.status == 200 and fetched.body() == PDF
    assert fetched.headers["content-type"] == "application/pdf"
    assert page.request.get(src).body() == image
    # Only links went to the page, never the bytes.
    assert base64.b64encode(image).decode()[:40] not in page.content()

    page.reload()
    expect(page.locator("[data-test=attachment-image] img")).to_have_js_property("naturalWidth", 64)
    expect(page.locator("[data-test=attachment]")).to_contain_text("kvitanciya.pdf")
    history = page.request.get("/webchat/history").text()
    assert "data_b64" not in history and "/media/" in history


def test_a_customer_gets_the_receipt_pdf_the_qr_and_the_chart(
    page: Page, screenshots: Path
) -> None:
    """The whole way as a customer finds it: the balance with its payment QR, «квитанция за
    ноябрь» as a PDF whose totals are billing's to the kopeck, «история потребления» as a chart."""
    chat = Chat(page).open()
    link_demo_account(chat)
    # The balance answer (the notices' question may follow it) carries the QR.
    qr = chat.bot.filter(has_text="1 514,86 ₽").locator("[data-test=attachment-image] img")
    expect(qr).to_have_count(1)
    payload = decoded_qr(page.request.get(qr.get_attribute("src") or "").body())
    assert payload.startswith("ST00012|") and "|Sum=151486|" in payload
    assert "|PersAcc=5901000001|" in payload

    chat.say("пришлите квитанцию за ноябрь")
    document = chat.last_bot().locator("[data-test=attachment]")
    expect(document).to_contain_text(".pdf")
    pdf = page.request.get(document.get_attribute("href") or "")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "5901000001" in text and "1 514,86" in text
    page.screenshot(path=str(screenshots / "webchat-receipt.png"))

    chat.say("история потребления")
    chart = chat.last_bot().locator("[data-test=attachment-image] img")
    expect(chart).to_have_js_property("naturalWidth", 1080)
    expect(chat.last_bot()).to_contain_text("243")  # November's kWh, also in text
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "webchat-chart.png"))


def decoded_qr(data: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(found) == 1
    return str(found[0].text)
