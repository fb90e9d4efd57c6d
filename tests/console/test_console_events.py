"""Live updates: Server-Sent Events from a stream that polls the database."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse

from tests.console.conftest import Browser, Customer

# Only a guard against a hang: every event is expected within a few polls (50 ms each).
GUARD_SECONDS = 20


async def next_event(response: ClientResponse, wanted: str) -> dict[str, Any]:
    """The data of the next event named `wanted` (others are skipped)."""
    event = ""
    async with asyncio.timeout(GUARD_SECONDS):
        while True:
            raw = await response.content.readline()
            assert raw, "the stream ended"
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == wanted:
                return json.loads(line.removeprefix("data: "))


async def test_a_new_escalation_appears_in_the_queue_stream(
    anna: Browser, customer: Customer
) -> None:
    response = await anna.session.get(anna.url("/console/events"))
    try:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        first = await next_event(response, "queue")
        assert first == {"rows": [], "count": 0}
        await customer.send("позовите оператора <script>x</script>")
        update = await next_event(response, "queue")
        assert update["count"] == 1
        (row,) = update["rows"]
        assert row["channel"] == "test" and row["customer"] == "М*****ия И*****ва"
        assert row["claim_url"] == f"/console/escalations/{row['escalation_id']}/claim"
    finally:
        response.close()


async def test_new_customer_messages_reach_an_open_conversation(
    anna: Browser, customer: Customer
) -> None:
    await customer.send("позовите оператора")
    await anna.get("/console/queue")
    response = await anna.post("/console/escalations/1/claim")
    assert response.url.path == "/console/conversations/1"
    cursor = anna.page.split('data-cursor="')[1].split('"')[0]
    stream = await anna.session.get(
        anna.url("/console/events"), params={"conversation": "1", "after": cursor}
    )
    try:
        await customer.send("Вот мой вопрос: <b>почему</b> так дорого?")
        line = await next_event(stream, "message")
        assert line["author"] == "customer" and line["who"] == "Клиент"
        assert line["text"] == "Вот мой вопрос: <b>почему</b> так дорого?"  # JS sets textContent
        await anna.post("/console/conversations/1/note", {"note": "проверить тариф"})
        line = await next_event(stream, "message")
        assert line["author"] == "note" and line["text"] == "проверить тариф"
    finally:
        stream.close()


async def test_the_stream_needs_a_session(browser_factory: Any) -> None:
    browser: Browser = browser_factory()
    response = await browser.session.get(browser.url("/console/events"))
    assert response.status == 401


async def test_the_stream_ends_with_the_session(anna: Browser) -> None:
    stream = await anna.session.get(anna.url("/console/events"))
    try:
        await next_event(stream, "queue")
        await anna.post("/console/logout")
        assert await next_event(stream, "logout") == {}
    finally:
        stream.close()
