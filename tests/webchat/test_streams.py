"""The web chat's live streams, bounded (issue 18, part 4): at most N per chat session and per
client address, one shared database poller for all of them (and the console's), replies still
reaching the right pages, idle streams closed."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bots.webchat.channel import WebchatChannel
from console.context import CONSOLE
from console.events import STREAMS, feed_of
from console.passwords import hash_password
from energobot.app import SERVICES, Services, create_app
from energobot.settings import Settings
from storage.database import Database
from storage.tables import customers

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
POLL = 0.1


def settings_for(url: str, server: dict[str, Any] | None = None, **webchat: Any) -> Settings:
    return Settings(
        database={"url": url},
        server=server or {},
        webchat={"poll_seconds": POLL, **webchat},
        console={"session_key": "test-session-key-0123456789", "events_poll_seconds": POLL},
    )


@asynccontextmanager
async def serving(settings: Settings, database: Database) -> AsyncIterator[TestServer]:
    async with TestServer(create_app(settings, database)) as server:
        yield server


class Page:
    """One browser (its own cookie jar: its own chat session) on the chat."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.http = ClientSession(cookie_jar=CookieJar(unsafe=True))
        self.token = ""

    async def open(self) -> Page:
        page = await self.http.get(self.server.make_url("/"))
        assert page.status == 200
        found = TOKEN.search(await page.text())
        assert found
        self.token = found[1]
        return self

    async def say(self, text: str) -> None:
        origin = str(self.server.make_url("")).rstrip("/")
        response = await self.http.post(
            self.server.make_url("/webchat/messages"),
            json={"event_id": str(uuid.uuid4()), "kind": "text", "text": text},
            headers={"Origin": origin, "X-CSRF-Token": self.token},
        )
        assert response.status == 200, await response.text()

    async def cursor(self) -> int:
        history = await (await self.http.get(self.server.make_url("/webchat/history"))).json()
        return int(history["cursor"])

    async def stream(self, after: int = 0) -> ClientResponse:
        return await self.http.get(
            self.server.make_url("/webchat/events"), params={"after": str(after)}
        )

    async def close(self) -> None:
        await self.http.close()


class Operator:
    """An operator's browser on the console."""

    PASSWORD = "correct horse battery staple"

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.http = ClientSession(cookie_jar=CookieJar(unsafe=True))

    async def login(self, database: Database) -> Operator:
        async with database.unit_of_work() as store:
            password = hash_password(self.PASSWORD)
            await store.operators.add("anna", "Анна", "operator", password, datetime.now(UTC))
            await store.commit()
        page = await self.http.get(self.server.make_url("/console/login"))
        csrf = (await page.text()).split('name="csrf" value="')[1].split('"')[0]
        form = {"login": "anna", "password": self.PASSWORD, "csrf": csrf}
        done = await self.http.post(self.server.make_url("/console/login"), data=form)
        assert done.url.path == "/console/queue", await done.text()
        return self

    async def stream(self) -> ClientResponse:
        return await self.http.get(self.server.make_url("/console/events"))

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
async def pages() -> AsyncIterator[list[Page]]:
    opened: list[Page] = []
    yield opened
    for page in opened:
        await page.close()


async def new_page(server: TestServer, pages: list[Page]) -> Page:
    page = Page(server)
    pages.append(page)
    return await page.open()


async def next_event(stream: ClientResponse, within: float = 10) -> tuple[str, str | None, Any]:
    name, event_id, data = "message", None, ""
    async with asyncio.timeout(within):
        while True:
            raw = await stream.content.readline()
            assert raw, "the stream ended"
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("id: "):
                event_id = line.removeprefix("id: ")
            elif line.startswith("data: "):
                data += line.removeprefix("data: ")
            elif line == "" and data:
                return name, event_id, json.loads(data)


async def test_a_chat_session_holds_at_most_n_streams(
    database: Database, database_url: str, pages: list[Page]
) -> None:
    settings = settings_for(database_url, max_streams_per_session=2)
    async with serving(settings, database) as server:
        page = await new_page(server, pages)
        opened = [await page.stream(), await page.stream()]
        try:
            assert [s.status for s in opened] == [200, 200]
            refused = await page.stream()
            assert refused.status == 429
            assert await refused.json() == {"error": "too_many_streams"}
            other = await (await new_page(server, pages)).stream()
            assert other.status == 200  # another chat has places of its own
            other.close()
            opened.pop().close()
            for _ in range(100):  # the closed stream's place comes back
                again = await page.stream()
                if again.status == 200:
                    opened.append(again)
                    break
                again.close()
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the place of the closed stream was not given back")
        finally:
            for stream in opened:
                stream.close()


async def test_an_address_holds_at_most_n_chat_streams(
    database: Database, database_url: str, pages: list[Page]
) -> None:
    settings = settings_for(database_url, max_streams_per_address=3)
    async with serving(settings, database) as server:
        first, second = await new_page(server, pages), await new_page(server, pages)
        opened = [await first.stream(), await first.stream(), await second.stream()]
        try:
            assert [s.status for s in opened] == [200, 200, 200]
            refused = await second.stream()
            assert refused.status == 429
            assert await refused.json() == {"error": "too_many_streams"}
        finally:
            for stream in opened:
                stream.close()


async def _user_ids(database: Database) -> list[str]:
    async with database.unit_of_work() as store:
        rows = await store.connection.execute(  # type: ignore[attr-defined]
            select(customers.c.user_id)
            .where(customers.c.channel == "webchat")
            .order_by(customers.c.id)
        )
        return [str(user_id) for user_id in rows.scalars().all()]


def counting(reader: Callable[[], AbstractAsyncContextManager[Any]], calls: list[float]) -> Any:
    @asynccontextmanager
    async def counted() -> AsyncIterator[Any]:
        calls.append(asyncio.get_running_loop().time())
        async with reader() as inner:
            yield inner

    return counted


async def test_one_poller_serves_fifty_chat_streams_and_the_console(
    database: Database, database_url: str, pages: list[Page]
) -> None:
    settings = settings_for(database_url)
    async with serving(settings, database) as server:
        services: Services = server.app[SERVICES]
        channel = services.channels.outbound["webchat"]
        assert isinstance(channel, WebchatChannel)
        hub = channel.hub
        chats = [await new_page(server, pages) for _ in range(10)]
        for index, chat in enumerate(chats):
            await chat.say(f"меню {index}")
        user_ids = await _user_ids(database)
        assert len(user_ids) == 10
        streams: list[list[ClientResponse]] = []
        for chat in chats:
            after = await chat.cursor()
            streams.append([await chat.stream(after) for _ in range(5)])
        assert all(s.status == 200 for group in streams for s in group)
        assert hub.open_pages == 50

        # An operator's console page is open too: its updates come from the same poller.
        operator = await Operator(server).login(database)
        console = await operator.stream()
        assert console.status == 200

        assert hub.reader is not None
        calls: list[float] = []
        hub.reader = counting(hub.reader, calls)
        feed = feed_of(server.app[CONSOLE], server.app[STREAMS])
        console_polls = feed.polls
        await asyncio.sleep(2.0)
        # One look per poll interval for all fifty pages (not fifty), in the one shared poller
        # that also serves the console.
        assert 5 <= len(calls) <= 30, len(calls)
        assert 5 <= feed.polls - console_polls <= 30
        names = [task.get_name() for task in asyncio.all_tasks()]
        assert names.count("stream-poller") == 1 and "webchat-poller" not in names
        console.close()
        await operator.close()

        # A reply another process delivered reaches that chat's five pages, and no other.
        now = datetime.now(UTC)
        chosen = (0, 3, 7)
        rows = {}
        async with database.unit_of_work() as store:
            for index in chosen:
                user_id = user_ids[index]
                customer = await store.customers.get_or_create("webchat", user_id, "", "ru", now)
                conversation = await store.conversations.get_for_update(customer, now)
                body = {"text": f"Ответ для {index}", "operator": "Анна"}
                row_id = await store.outbox.add(conversation.id, "webchat", user_id, body, now)
                await store.outbox.mark_sent(row_id, now, f"elsewhere-{index}")
                rows[index] = row_id
            await store.commit()
        for index in chosen:
            for stream in streams[index]:
                name, event_id, data = await next_event(stream)
                assert (name, event_id) == ("reply", str(rows[index]))
                assert data["text"] == f"Ответ для {index}"
        for index in (1, 5):
            with pytest.raises(TimeoutError):
                await next_event(streams[index][0], within=0.5)
        for group in streams:
            for stream in group:
                stream.close()


async def test_an_idle_chat_stream_is_closed(
    database: Database, database_url: str, pages: list[Page]
) -> None:
    settings = settings_for(database_url, server={"stream_idle_seconds": 1.0})
    async with serving(settings, database) as server:
        page = await new_page(server, pages)
        stream = await page.stream()
        assert stream.status == 200
        async with asyncio.timeout(5):
            while await stream.content.readline():
                pass  # the server ends it; the page's EventSource reconnects after its cursor
        again = await page.stream()
        assert again.status == 200  # its place was given back
        again.close()
