"""What an outside security review of issue 18 found: each test is an attack that worked before
its fix."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from console.events import STREAMS
from core.masking import hide_card_data
from energobot.app import create_app
from energobot.settings import Settings
from storage.database import Database
from storage.tables import customers, inbox, outbox
from tests.served_app import closed_within, served

KEY = "the-service-key-of-the-review-0123456789"
COOKIE = "energobot_chat"
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def settings_for(url: str, server: dict[str, Any] | None = None, **webchat: Any) -> Settings:
    return Settings(
        database={"url": url},
        server=server or {},
        console={"session_key": KEY, "events_poll_seconds": 0.1},
        webchat={"poll_seconds": 0.1, **webchat},
    )


@contextlib.asynccontextmanager
async def chat(settings: Settings, database: Database) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(settings, database))) as client:
        yield client


async def open_session(client: TestClient) -> tuple[str, str]:
    """A page load: the session cookie's value and the page's CSRF token."""
    client.session.cookie_jar.clear()
    page = await client.get("/")
    assert page.status == 200
    value = page.cookies[COOKIE].value
    token = TOKEN.search(await page.text())
    assert token
    client.session.cookie_jar.clear()
    return value, token[1]


def headers(client: TestClient, session: tuple[str, str], forwarded: str = "") -> dict[str, str]:
    value, token = session
    sent = {
        "Origin": str(client.make_url("")).rstrip("/"),
        "Cookie": f"{COOKIE}={value}",
        "X-CSRF-Token": token,
    }
    if forwarded:
        sent["X-Forwarded-For"] = forwarded
    return sent


async def say(
    client: TestClient, session: tuple[str, str], text: str, forwarded: str = ""
) -> ClientResponse:
    client.session.cookie_jar.clear()
    body = {"kind": "text", "text": text, "event_id": str(uuid.uuid4())}
    return await client.post(
        "/webchat/messages", json=body, headers=headers(client, session, forwarded)
    )


async def stream(
    client: TestClient, session: tuple[str, str], after: int = 0, forwarded: str = ""
) -> ClientResponse:
    client.session.cookie_jar.clear()
    sent = {"Cookie": f"{COOKIE}={session[0]}"}
    if forwarded:
        sent["X-Forwarded-For"] = forwarded
    return await client.get("/webchat/events", params={"after": str(after)}, headers=sent)


async def cursor(client: TestClient, session: tuple[str, str]) -> int:
    client.session.cookie_jar.clear()
    history = await client.get("/webchat/history", headers={"Cookie": f"{COOKIE}={session[0]}"})
    return int((await history.json())["cursor"])


async def next_reply(response: ClientResponse, within: float) -> dict[str, Any]:
    name, data = "", ""
    async with asyncio.timeout(within):
        while True:
            raw = await response.content.readline()
            assert raw, "the stream ended"
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data += line.removeprefix("data: ")
            elif line == "" and data:
                if name == "reply":
                    return dict(json.loads(data))
                name, data = "", ""


# -- 1. card data in everyday formats is stored verbatim --------------------------------------

CARD = "4276 3800 1234 5679"  # Luhn-valid


@pytest.mark.parametrize(
    "text",
    [
        # Separators the issue names («spaces», «dashes») but as people's keyboards and
        # clipboards produce them: a no-break space (copied from a bank's app or site), a tab or
        # a line break, dashes with spaces around them, an en dash.
        CARD.replace(" ", "\u00a0") + " cvv 456",
        CARD.replace(" ", "\t") + " cvv 456",
        CARD.replace(" ", "\n") + "\ncvv 456",
        CARD.replace(" ", " - ") + " cvv 456",
        CARD.replace(" ", "–") + " cvv 456",
        # The card found, but its security code left in: the commonest way a card is typed
        # (number, expiry, code), and codes named in words the pattern does not know.
        f"{CARD} 12/27 456",
        f"{CARD}\n12/27\n456",
        f"{CARD}, CVV — 456",
        f"{CARD} код безопасности 456",
    ],
)
def test_card_data_in_common_formats_is_masked(text: str) -> None:
    masked, found = hide_card_data(text)
    assert found, f"not recognised as card data: {text!r}"
    for kept in ("4276", "3800", "1234", "456"):
        assert kept not in masked, f"{text!r} -> {masked!r}"


async def test_a_card_typed_with_no_break_spaces_reaches_the_inbox_verbatim(
    database: Database, database_url: str
) -> None:
    async with chat(settings_for(database_url), database) as client:
        session = await open_session(client)
        text = "моя карта " + CARD.replace(" ", "\u00a0") + " cvv 456"
        response = await say(client, session, text)
        assert response.status == 200, await response.text()
    async with database.unit_of_work() as store:
        rows = await store.connection.execute(  # type: ignore[attr-defined]
            select(inbox.c.body).where(inbox.c.channel == "webchat")
        )
        texts = [str(row.body.get("text", "")) for row in rows]
    assert texts and all("3800" not in t and "456" not in t for t in texts), texts


# -- 2. per-address limits are per IPv6 address: a /64 (one host's) is unlimited --------------

PROXIES = {"trusted_proxies": ["127.0.0.1"]}  # nginx on the host, as docs/deploy.md has it


async def test_new_chats_per_address_hold_for_an_ipv6_host(
    database: Database, database_url: str
) -> None:
    """One IPv6 host picks any address of its /64 (privacy addresses do it on their own): the
    console's login throttle counts a /64 as one client, the web chat counts each /128."""
    settings = settings_for(database_url, PROXIES, address_new_chats_per_hour=2)
    async with chat(settings, database) as client:
        statuses = []
        for host in range(1, 6):
            session = await open_session(client)
            response = await say(client, session, "привет", f"2001:db8:1:2::{host:x}")
            statuses.append(response.status)
    async with database.unit_of_work() as store:
        made = await store.connection.execute(  # type: ignore[attr-defined]
            select(customers.c.id).where(customers.c.channel == "webchat")
        )
        count = len(made.all())
    assert statuses[2:] == [429, 429, 429] and count == 2, (statuses, count)


async def test_chat_streams_per_address_hold_for_an_ipv6_host(
    database: Database, database_url: str
) -> None:
    settings = settings_for(database_url, PROXIES, max_streams_per_address=2)
    async with chat(settings, database) as client:
        opened = []
        try:
            for host in range(1, 5):
                session = await open_session(client)
                opened.append(await stream(client, session, 0, f"2001:db8:1:2::{host:x}"))
            statuses = [response.status for response in opened]
        finally:
            for response in opened:
                response.close()
    assert statuses == [200, 200, 429, 429], statuses


# -- 3. a request whose body never comes holds its connection forever ------------------------


async def test_a_login_whose_body_never_comes_is_cut(database: Database, database_url: str) -> None:
    """Slow-loris on the body (R.U.D.Y.): the headers arrive at once, the announced body never
    does. The idle/header timeout does not apply to a request in progress and nothing else
    bounds the read: every such connection (no login, no cookie needed) stays open for good."""
    settings = settings_for(database_url, {"idle_timeout_seconds": 1.0})
    async with served(settings, database) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                b"POST /console/login HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1000\r\n\r\nlogin=a"
            )
            await writer.drain()
            assert await closed_within(reader, 5.0), (
                "the connection is still open 5 s after its last byte (idle timeout 1 s)"
            )
        finally:
            writer.close()


# -- 4. one web chat page that has no replies stalls the shared poller -----------------------


async def test_a_visitors_page_does_not_stall_live_replies_to_other_chats(
    database: Database, database_url: str
) -> None:
    """The hub polls every open session in one query from the OLDEST cursor among them, 500
    rows at a time. A page of a visitor who has not written (history cursor 0, never advanced:
    no rows of its own) pins that cursor at 0: with 500 sent replies among the other open chats
    every poll returns the same first 500 old rows, says «full batch, again at once», and the
    shared poller spins on the database while no reply another process delivers reaches any
    page of the process."""
    async with chat(settings_for(database_url), database) as client:
        customer = await open_session(client)
        assert (await say(client, customer, "меню")).status == 200
        async with database.unit_of_work() as store:
            rows = await store.connection.execute(  # type: ignore[attr-defined]
                select(customers.c.user_id).where(customers.c.channel == "webchat")
            )
            (user_id,) = rows.scalars().all()
        now = datetime.now(UTC)
        async with database.unit_of_work() as store:  # a long chat: 600 replies over the months
            row = await store.customers.get_or_create("webchat", user_id, "", "ru", now)
            conversation = await store.conversations.get_for_update(row, now)
            for index in range(600):
                sent = await store.outbox.add(
                    conversation.id, "webchat", user_id, {"text": f"старый ответ {index}"}, now
                )
                await store.outbox.mark_sent(sent, now, f"old-{index}")
            await store.commit()
        for _ in range(200):  # the sender has delivered the bot's replies to «меню» too
            async with database.unit_of_work() as store:
                statuses = await store.connection.execute(  # type: ignore[attr-defined]
                    select(outbox.c.status).where(outbox.c.channel == "webchat")
                )
                if set(statuses.scalars()) == {"sent"}:
                    break
            await asyncio.sleep(0.05)
        after = await cursor(client, customer)
        assert after >= 600
        live = await stream(client, customer, after)
        visitor = await open_session(client)  # an attacker's (or anyone's) fresh page
        idle = await stream(client, visitor, await cursor(client, visitor))
        assert live.status == 200 and idle.status == 200
        poller = client.app[STREAMS].poller  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)
        before = poller.polls
        await asyncio.sleep(1.0)
        polls = poller.polls - before
        # An operator's reply delivered by another `energobot serve` process.
        async with database.unit_of_work() as store:
            row = await store.customers.get_or_create("webchat", user_id, "", "ru", now)
            conversation = await store.conversations.get_for_update(row, now)
            sent = await store.outbox.add(
                conversation.id, "webchat", user_id, {"text": "Ответ оператора"}, now
            )
            await store.outbox.mark_sent(sent, now, "elsewhere")
            await store.commit()
        try:
            reply = await next_reply(live, within=3.0)
        except TimeoutError:
            reply = None
        finally:
            live.close()
            idle.close()
    assert polls <= 30 and reply is not None and reply["text"] == "Ответ оператора", (
        f"{polls} polls in one second (poll_seconds 0.1); the reply reached the page: {reply}"
    )
