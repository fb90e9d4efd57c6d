"""The web chat's HTTP side in process, on a real database: the session cookie, CSRF and
origin checks, posts through the pipeline, the live stream and the history."""

from __future__ import annotations

import asyncio
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

from energobot.app import SERVICES, create_app
from energobot.settings import Settings
from storage.database import Database
from storage.tables import customers

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def settings_for(url: str, **webchat: Any) -> Settings:
    return Settings(database={"url": url}, webchat={"poll_seconds": 0.05, **webchat})


@pytest.fixture
async def client(database: Database, database_url: str) -> AsyncIterator[TestClient]:
    app = create_app(settings_for(database_url), database)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def open_chat(client: TestClient) -> str:
    page = await client.get("/")
    assert page.status == 200
    match = TOKEN.search(await page.text())
    assert match
    return match[1]


def own(client: TestClient, token: str | None = None) -> dict[str, str]:
    headers = {"Origin": str(client.make_url("")).rstrip("/")}
    if token is not None:
        headers["X-CSRF-Token"] = token
    return headers


async def say(
    client: TestClient,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> ClientResponse:
    body = {"kind": "text", "text": "привет", **(body or {})}
    body["event_id"] = event_id or str(uuid.uuid4())
    return await client.post("/webchat/messages", json=body, headers=headers)


async def next_event(stream: ClientResponse) -> tuple[str, str | None, dict[str, Any]]:
    """The next event of a text/event-stream: (event, id, data)."""
    name, event_id, data = "message", None, ""
    async with asyncio.timeout(10):
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("id: "):
                event_id = line.removeprefix("id: ")
            elif line.startswith("data: "):
                data += line.removeprefix("data: ")
            elif line == "" and data:
                return name, event_id, json.loads(data)


async def test_the_page_opens_a_session_cookie_with_its_token_in_the_page(
    client: TestClient,
) -> None:
    page = await client.get("/")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here
    # A random id, when it was issued and the server's signature of both; the page's CSRF
    # token is derived from the id on the server, it is not in the cookie.
    session_id, issued, signature = cookie.split(";")[0].split("=", 1)[1].split(".")
    csrf = TOKEN.search(await page.text())[1]  # type: ignore[index]
    assert len(session_id) == 32 and len(signature) == 43 and issued.isdigit()
    assert csrf not in cookie
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'self' https://energosbyt.example" in policy
    # The same session next time: the cookie is kept, only signed again.
    again = await client.get("/")
    assert again.headers["Set-Cookie"].split("=", 1)[1].split(".")[0] == session_id
    assert TOKEN.search(await again.text())[1] == csrf  # type: ignore[index]


async def test_a_post_goes_through_the_pipeline_and_the_reply_arrives_live(
    client: TestClient,
) -> None:
    token = await open_chat(client)
    # The greeting opens the chat from the history: nothing was stored to make it.
    opened = await (await client.get("/webchat/history")).json()
    [greeting] = opened["messages"]
    assert greeting["side"] == "bot" and "Здравствуйте" in greeting["text"]
    assert any(b["payload"] == "go:readings" for b in greeting["buttons"])
    assert opened["cursor"] == 0
    stream = await client.get("/webchat/events", params={"after": "0"})
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    # The page's own «start» before anyone wrote is taken, and changes nothing.
    start = await say(client, own(client, token), {"kind": "start"})
    assert await start.json() == {"duplicate": False, "replies": 0}

    event_id = str(uuid.uuid4())
    response = await say(client, own(client, token), {"kind": "text", "text": "меню"}, event_id)
    assert response.status == 200
    assert await response.json() == {"duplicate": False, "replies": 1}

    name, _, menu = await next_event(stream)
    assert name == "reply"
    assert menu["side"] == "bot" and menu["key"] != greeting["key"]
    assert any(b["payload"] == "go:readings" for b in menu["buttons"])
    # The poll then confirms it under its row id, without showing it again.
    name, row_id, data = await next_event(stream)
    assert (name, data) == ("cursor", {})
    stream.close()

    history = await (await client.get("/webchat/history")).json()
    keys = [m["key"] for m in history["messages"]]
    assert keys == [greeting["key"], f"sent-{event_id}", menu["key"]]
    assert history["cursor"] == int(row_id or 0)

    again = await say(client, own(client, token), {"kind": "text", "text": "меню"}, event_id)
    assert await again.json() == {"duplicate": True, "replies": 0}


async def test_a_reply_delivered_by_another_process_reaches_the_open_page(
    client: TestClient,
) -> None:
    token = await open_chat(client)
    first = await client.get("/webchat/events")
    await say(client, own(client, token), {"kind": "text", "text": "меню"})
    assert (await next_event(first))[0] == "reply"
    assert (await next_event(first))[0] == "cursor"  # marked sent
    first.close()
    history = await (await client.get("/webchat/history")).json()
    assert len(history["messages"]) == 3  # the greeting, «меню» and the menu
    services = client.app[SERVICES]  # type: ignore[index]
    session_id = await _stored_user_id(services.database)
    stream = await client.get("/webchat/events", params={"after": str(history["cursor"])})
    # Another process's sender: the row is written and marked sent without this process.
    now = datetime.now(UTC)
    async with services.database.unit_of_work() as store:
        conversation_id = await _conversation_of(store, session_id)
        row_id = await store.outbox.add(
            conversation_id,
            "webchat",
            session_id,
            {"text": "Оператор на связи", "operator": "Анна"},
            now,
        )
        await store.outbox.mark_sent(row_id, now, "from-another-process")
        await store.commit()
    name, event_id, data = await next_event(stream)
    assert (name, event_id) == ("reply", str(row_id))
    assert (data["side"], data["operator"], data["key"]) == (
        "operator",
        "Анна",
        "from-another-process",
    )
    stream.close()


async def _stored_user_id(database: Database) -> str:
    """The web chat's one customer's user id, as stored."""
    async with database.unit_of_work() as store:
        rows = await store.connection.execute(
            select(customers.c.user_id).where(customers.c.channel == "webchat")
        )
        [user_id] = rows.scalars().all()
    return str(user_id)


async def _conversation_of(store: Any, session_id: str) -> int:
    customer = await store.customers.get_or_create(
        "webchat", session_id, "", "ru", datetime.now(UTC)
    )
    return (await store.conversations.get_for_update(customer, datetime.now(UTC))).id


async def test_posts_without_the_token_or_from_elsewhere_are_refused(client: TestClient) -> None:
    token = await open_chat(client)
    ours = own(client)
    assert (await say(client, ours)).status == 403  # no token
    assert (await say(client, {**ours, "X-CSRF-Token": "x" * 32})).status == 403
    foreign = {"Origin": "https://evil.example", "X-CSRF-Token": token}
    assert (await say(client, foreign)).status == 403
    assert (await say(client, {"X-CSRF-Token": token})).status == 403  # neither Origin nor Referer
    referer = {"Referer": f"{ours['Origin']}/", "X-CSRF-Token": token}
    assert (await say(client, referer)).status == 200
    form = await client.post("/webchat/messages", data={"text": "x"}, headers=own(client, token))
    assert form.status == 415
    reset = await client.post("/webchat/reset", headers=ours)
    assert reset.status == 403


async def test_a_new_chat_replaces_the_session(client: TestClient) -> None:
    token = await open_chat(client)
    reset = await client.post("/webchat/reset", headers=own(client, token))
    assert reset.status == 200
    assert (await say(client, own(client, token))).status == 403  # the old token is gone
    fresh = await open_chat(client)
    assert fresh != token
    assert (await say(client, own(client, fresh))).status == 200


async def test_too_many_messages_are_refused(database: Database, database_url: str) -> None:
    app = create_app(settings_for(database_url, messages_per_minute=2), database)
    async with TestClient(TestServer(app)) as client:
        token = await open_chat(client)
        statuses = [(await say(client, own(client, token))).status for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_the_events_and_history_need_a_session(client: TestClient) -> None:
    assert (await client.get("/webchat/events")).status == 403
    history = await (await client.get("/webchat/history")).json()
    assert [m["key"] for m in history["messages"]] == ["greeting-0"]  # the greeting only
    assert history["cursor"] == 0


async def test_the_embed_script_and_a_secure_cookie_behind_https(
    database: Database, database_url: str
) -> None:
    settings = Settings(
        database={"url": database_url}, server={"public_url": "https://chat.example.ru"}
    )
    async with TestClient(TestServer(create_app(settings, database))) as client:
        script = await client.get("/webchat/embed.js")
        assert script.headers["Content-Type"].startswith("text/javascript")
        texts = re.search(r"var TEXTS = (\{.*?\});", await script.text())
        assert texts and json.loads(texts[1])["open"] == "Чат с поддержкой"
        page = await client.get("/")
        assert "Secure" in page.headers["Set-Cookie"]
        token = TOKEN.search(await page.text())[1]  # type: ignore[index]
        # Behind a proxy the browser's origin is the public one.
        cookie = page.headers["Set-Cookie"].split(";")[0]  # a Secure cookie: sent by hand here
        public = {"Origin": "https://chat.example.ru", "X-CSRF-Token": token, "Cookie": cookie}
        assert (await say(client, public)).status == 200


async def test_the_web_chat_can_be_switched_off(database: Database, database_url: str) -> None:
    settings = Settings(database={"url": database_url}, webchat={"enabled": False})
    app = create_app(settings, database)
    assert "webchat" not in app[SERVICES].channels.outbound
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/")).status == 404
        assert (await client.get("/webchat/embed.js")).status == 404
