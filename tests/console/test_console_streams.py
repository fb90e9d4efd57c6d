"""Bounded live updates (issue 18, part 4): one database poller per process whatever the number
of open streams, at most N streams per session and per address, idle streams closed (the page
resumes where it was), trickling and idle connections cut by the server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestServer
from sqlalchemy import event

from console.context import CONSOLE
from console.events import STREAMS, feed_of
from energobot.app import SERVICES, create_app
from energobot.settings import Settings
from energobot.streams import Streams
from storage.database import Database
from tests.console.conftest import Browser, Customer, add_operator, make_settings
from tests.served_app import closed_within, served

POLL = 0.1


@pytest.fixture
def settings(database_url: str) -> Settings:
    base = make_settings(database_url)
    return Settings(
        database={"url": database_url},
        console={
            **base.console.model_dump(),
            "session_key": "test-session-key-0123456789",
            "events_poll_seconds": POLL,
            "max_streams_per_session": 3,
            "max_streams_per_address": 5,
        },
    )


def streams_of(server: TestServer) -> Streams:
    streams = server.app[STREAMS]
    assert isinstance(streams, Streams)
    return streams


async def open_stream(browser: Browser, **params: str) -> ClientResponse:
    return await browser.session.get(browser.url("/console/events"), params=params)


async def next_event(response: ClientResponse, wanted: str) -> tuple[str | None, dict[str, Any]]:
    """(id, data) of the next event named `wanted`."""
    event_name, event_id = "", None
    async with asyncio.timeout(20):
        while True:
            raw = await response.content.readline()
            assert raw, "the stream ended"
            line = raw.decode().rstrip("\n")
            if line.startswith("id: "):
                event_id = line.removeprefix("id: ")
            elif line.startswith("event: "):
                event_name = line.removeprefix("event: ")
            elif line.startswith("data: ") and event_name == wanted:
                return event_id, json.loads(line.removeprefix("data: "))
            elif not line:
                event_id = None


async def ended(response: ClientResponse, within: float) -> bool:
    """Whether the server ends the stream within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            while await response.content.readline():
                pass
    except TimeoutError:
        return False
    return True


async def operator(browser_factory: Any, database: Database, login: str, role: str) -> Browser:
    await add_operator(database, login, role=role)
    browser: Browser = browser_factory()
    response = await browser.login(login)
    assert response.status == 200 and response.url.path == "/console/queue"
    return browser


async def test_a_session_holds_at_most_n_streams(
    anna: Browser, database: Database, browser_factory: Any
) -> None:
    opened = [await open_stream(anna) for _ in range(3)]
    try:
        assert [s.status for s in opened] == [200, 200, 200]
        refused = await open_stream(anna)
        assert refused.status == 429
        error = (await refused.json())["error"]
        assert "Слишком много открытых страниц консоли для одного входа" in error
        assert "предел — 3" in error
        # Another operator's session has its own places.
        boris = await operator(browser_factory, database, "boris", "operator")
        other = await open_stream(boris)
        assert other.status == 200
        other.close()
        # A stream that ends gives its place back.
        opened.pop().close()
        for _ in range(100):
            again = await open_stream(anna)
            if again.status == 200:
                opened.append(again)
                break
            again.close()
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the place of the closed stream was not given back")
    finally:
        for response in opened:
            response.close()


async def test_an_address_holds_at_most_n_streams(
    server: TestServer, database: Database, browser_factory: Any
) -> None:
    browsers = [await operator(browser_factory, database, f"op{i}", "operator") for i in range(3)]
    opened = []
    try:
        for browser in browsers[:2]:
            for _ in range(2):
                opened.append(await open_stream(browser))
        opened.append(await open_stream(browsers[2]))
        assert [s.status for s in opened] == [200] * 5
        refused = await open_stream(browsers[2])
        assert refused.status == 429
        assert "с этого адреса (предел — 5)" in (await refused.json())["error"]
        assert streams_of(server).open_streams("console") == 5
    finally:
        for response in opened:
            response.close()


async def test_one_poll_serves_every_open_stream(
    settings: Settings, database: Database, browser_factory: Any
) -> None:
    """50 streams (queue pages and pages following conversations) cost about one round of
    queries per poll interval, not one per stream; every stream still gets its events."""
    many = settings.model_copy(
        update={
            "console": settings.console.model_copy(
                update={"max_streams_per_session": 60, "max_streams_per_address": 100}
            )
        }
    )
    app = create_app(many, database)
    async with TestServer(app) as server:
        services = server.app[SERVICES]
        await add_operator(database, "sveta", role="supervisor")
        sveta = Browser(server)
        try:
            response = await sveta.login("sveta")
            assert response.status == 200
            customers = [Customer(services.pipeline, user_id=f"c{i}") for i in range(5)]
            for customer in customers:
                await customer.send("позовите оператора")
            after = {}
            async with database.unit_of_work() as store:
                for conversation_id in range(1, 6):
                    _, cursor = await store.console.transcript(conversation_id)
                    after[conversation_id] = ".".join(map(str, cursor))
            streams = []
            for i in range(50):
                conversation_id = i % 5 + 1
                params = (
                    {"conversation": str(conversation_id), "after": after[conversation_id]}
                    if i % 2
                    else {}
                )
                streams.append(await open_stream(sveta, **params))
            assert all(s.status == 200 for s in streams)
            for s in streams:
                await next_event(s, "queue")

            statements = 0

            def count(*_: Any) -> None:
                nonlocal statements
                statements += 1

            engine = database.engine.sync_engine
            event.listen(engine, "before_cursor_execute", count)
            feed = feed_of(server.app[CONSOLE], server.app[STREAMS])
            polls_before = feed.polls
            poller_before = streams_of(server).poller.polls
            try:
                await asyncio.sleep(2.0)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            polls = feed.polls - polls_before
            # About one poll per interval (0.1 s), whatever the number of streams ...
            assert 5 <= polls <= 25, polls
            assert streams_of(server).poller.polls - poller_before <= polls + 2
            # ... each a handful of queries (the queue, the watched conversations, a session
            # check every few polls), not one per stream.
            assert statements <= polls * 15, (statements, polls)
            assert statements < 50 * 2 * 5  # what one query per stream per poll would cost

            # Events still reach the right streams: a new line of conversation 3 goes to the
            # five streams following it, and to no other.
            await customers[2].send("Вот мой вопрос про счёт")
            followers = [s for i, s in enumerate(streams) if i % 2 and i % 5 + 1 == 3]
            assert len(followers) == 5
            for s in followers:
                _, line = await next_event(s, "message")
                assert line["text"] == "Вот мой вопрос про счёт"
            others = [s for i, s in enumerate(streams) if i % 2 and i % 5 + 1 != 3]
            for s in others[:3]:
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.5):
                        await next_event(s, "message")
            for s in streams:
                s.close()
        finally:
            await sveta.close()


async def test_an_idle_stream_is_closed_and_resumes_where_it_was(
    settings: Settings, database: Database, browser_factory: Any
) -> None:
    quiet = settings.model_copy(
        update={"server": settings.server.model_copy(update={"stream_idle_seconds": 1.0})}
    )
    async with TestServer(create_app(quiet, database)) as server:
        services = server.app[SERVICES]
        await add_operator(database, "anna")
        anna = Browser(server)
        try:
            await anna.login("anna")
            customer = Customer(services.pipeline)
            await customer.send("позовите оператора")
            live = await open_stream(anna, conversation="1", after="0.0.0")
            await customer.send("первый вопрос")
            seen, event_id = False, None
            while not (seen and event_id):  # the batch's last line carries the cursor
                event_id, line = await next_event(live, "message")
                seen = seen or line["text"] == "первый вопрос"
            assert await ended(live, within=5.0), "an idle stream is closed"
            await customer.send("второй вопрос")
            # The browser reconnects with Last-Event-ID: only what came after it.
            again = await anna.session.get(
                anna.url("/console/events"),
                params={"conversation": "1", "after": "0.0.0"},
                headers={"Last-Event-ID": event_id},
            )
            try:
                _, line = await next_event(again, "message")
                assert line["text"] == "второй вопрос"
            finally:
                again.close()
        finally:
            await anna.close()


# -- connections ------------------------------------------------------------------------------


def short_timeouts(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"server": settings.server.model_copy(update={"idle_timeout_seconds": 1.0})}
    )


async def test_a_trickling_request_is_cut(settings: Settings, database: Database) -> None:
    async with served(short_timeouts(settings), database) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            await writer.drain()
            start = asyncio.get_running_loop().time()
            cut = False
            for i in range(40):  # a header line every 0.1 s, never the end of the headers
                await asyncio.sleep(0.1)
                try:
                    writer.write(f"X-Slow-{i}: a\r\n".encode())
                    await writer.drain()
                except ConnectionError:
                    cut = True
                    break
                if reader.at_eof():
                    cut = True
                    break
            cut = cut or await closed_within(reader, 0.5)
            assert cut, "the server kept a connection that never finished its headers"
            assert asyncio.get_running_loop().time() - start < 3.0
        finally:
            writer.close()


async def test_an_idle_connection_is_closed_and_a_normal_one_is_not(
    settings: Settings, database: Database
) -> None:
    async with served(short_timeouts(settings), database) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            assert await closed_within(reader, 3.0), "an idle connection stays"
        finally:
            writer.close()
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()


async def test_the_console_stream_outlives_the_connection_timeout(
    settings: Settings, database: Database
) -> None:
    """The idle timeout is for connections without a request: an open stream is a request in
    progress and is not cut by it (only by stream_idle_seconds)."""
    async with served(short_timeouts(settings), database) as (host, port):
        from aiohttp import ClientSession, CookieJar

        await add_operator(database, "anna")
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            base = f"http://{host}:{port}"
            page = await session.get(f"{base}/console/login")
            text = await page.text()
            csrf = text.split('name="csrf" value="')[1].split('"')[0]
            from tests.console.conftest import PASSWORD

            await session.post(
                f"{base}/console/login", data={"login": "anna", "password": PASSWORD, "csrf": csrf}
            )
            live = await session.get(f"{base}/console/events")
            assert live.status == 200
            await next_event(live, "queue")
            assert not await ended(live, within=2.5)
            live.close()
