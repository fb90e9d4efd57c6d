"""Web chat sessions are the server's: signed cookies, ids stored only as keyed hashes, CSRF
tokens derived on the server, revoked by «new chat», limits held in the database across
processes, bodies bounded while they are read. Each test is an attack that worked before."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bots.plugin import Quota
from bots.webchat import routes
from bots.webchat.session import SessionKeys
from energobot.app import create_app
from energobot.channels import derived_key, shared_throttle
from energobot.settings import Settings
from storage.database import Database
from storage.repos.revoked import SqlRevocations
from storage.tables import customers, inbox, metadata, outbox

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
KEY = "the-service-key-of-these-tests-0123456789"
COOKIE = "energobot_chat"
DAYS = 30


def settings_for(
    url: str, key: str = KEY, proxies: tuple[str, ...] = (), **webchat: Any
) -> Settings:
    return Settings(
        database={"url": url},
        server={"trusted_proxies": list(proxies)},
        console={"session_key": key},
        webchat={"poll_seconds": 0.05, **webchat},
    )


@asynccontextmanager
async def serving(
    url: str, key: str = KEY, proxies: tuple[str, ...] = (), **webchat: Any
) -> AsyncIterator[TestClient]:
    """An app of its own (as another `energobot serve` process would be) on the database."""
    database = Database(url)
    app = create_app(settings_for(url, key, proxies, **webchat), database)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[TestClient]:
    async with serving(database_url) as test_client:
        yield test_client


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[datetime]:
    """The web chat's clock stands still: fixed windows of the counters never roll over."""
    now = datetime.now(UTC).replace(second=5, microsecond=0)
    monkeypatch.setattr(routes, "utcnow", lambda: now)
    yield now


def origin(client: TestClient) -> str:
    return str(client.make_url("")).rstrip("/")


async def open_session(client: TestClient) -> tuple[str, str]:
    """A page load: the session cookie's value and the page's CSRF token. The client's jar is
    emptied: each request names its cookie itself."""
    page = await client.get("/")
    assert page.status == 200
    value = page.cookies[COOKIE].value
    token = TOKEN.search(await page.text())
    assert token
    client.session.cookie_jar.clear()
    return value, token[1]


async def post(
    client: TestClient,
    cookie: str | None,
    token: str | None,
    body: dict[str, Any] | None = None,
    path: str = "/webchat/messages",
) -> ClientResponse:
    client.session.cookie_jar.clear()  # only the cookie named here
    headers = {"Origin": origin(client)}
    if cookie is not None:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    if token is not None:
        headers["X-CSRF-Token"] = token
    if path == "/webchat/reset":
        return await client.post(path, headers=headers)
    body = {"kind": "text", "text": "привет", **(body or {})}
    body.setdefault("event_id", str(uuid.uuid4()))
    return await client.post(path, json=body, headers=headers)


async def get(client: TestClient, path: str, cookie: str) -> ClientResponse:
    client.session.cookie_jar.clear()
    return await client.get(path, headers={"Cookie": f"{COOKIE}={cookie}"})


async def stored(url: str) -> dict[str, int]:
    """Web chat rows kept: customers, inbox events, outbox replies."""
    database = Database(url)
    try:
        async with database.unit_of_work() as store:
            counts = {}
            for name, table in (("customers", customers), ("inbox", inbox), ("outbox", outbox)):
                query = select(func.count()).select_from(table).where(table.c.channel == "webchat")
                counts[name] = int((await store.connection.execute(query)).scalar_one())
            return counts
    finally:
        await database.dispose()


NOTHING = {"customers": 0, "inbox": 0, "outbox": 0}


async def everything(url: str) -> str:
    """Every row of every table, as text: what someone who reads the database sees."""
    database = Database(url)
    try:
        async with database.unit_of_work() as store:
            dump = []
            for table in metadata.sorted_tables:
                rows = await store.connection.execute(select(table))
                dump += [json.dumps(list(row), default=str, ensure_ascii=False) for row in rows]
            return "\n".join(dump)
    finally:
        await database.dispose()


async def delivered(url: str) -> None:
    """Wait until the outbox sender has sent every web chat reply."""
    database = Database(url)
    try:
        for _ in range(100):
            async with database.unit_of_work() as store:
                query = select(outbox.c.status).where(outbox.c.channel == "webchat")
                statuses = set((await store.connection.execute(query)).scalars())
            if statuses == {"sent"}:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"replies not delivered: {statuses}")
    finally:
        await database.dispose()


def keys() -> SessionKeys:
    """The web chat's keys as the service derives them from KEY."""
    return SessionKeys(derived_key(KEY.encode(), "webchat"), DAYS * 86_400)


async def refused(response: ClientResponse, status: int = 403) -> str:
    assert response.status == status, await response.text()
    return str((await response.json())["reason"])


# -- forged, foreign, altered, expired ----------------------------------------------------------


async def test_a_self_made_cookie_with_its_own_token_is_refused_and_nothing_is_stored(
    client: TestClient, database_url: str
) -> None:
    token = secrets.token_urlsafe(24)
    old_style = f"{secrets.token_urlsafe(24)}.{token}"  # what was accepted before
    assert await refused(await post(client, old_style, token)) == "bad_session"
    signature = secrets.token_urlsafe(32)
    made_up = f"{secrets.token_urlsafe(24)}.{int(datetime.now(UTC).timestamp())}.{signature}"
    assert await refused(await post(client, made_up, token)) == "bad_session"
    assert await refused(await post(client, None, token)) == "no_session"
    assert await refused(await post(client, made_up, token, path="/webchat/reset")) == (
        "bad_session"
    )
    assert (await get(client, "/webchat/events", made_up)).status == 403
    assert await stored(database_url) == NOTHING


async def test_a_hundred_self_made_sessions_in_a_second_get_nothing_in(
    client: TestClient, database_url: str
) -> None:
    def forged() -> tuple[str, str]:
        token = secrets.token_urlsafe(24)
        return f"{secrets.token_urlsafe(24)}.{token}", token

    started = asyncio.get_running_loop().time()
    responses = await asyncio.gather(*(post(client, *forged()) for _ in range(100)))
    assert asyncio.get_running_loop().time() - started < 5
    assert [r.status for r in responses] == [403] * 100
    assert await stored(database_url) == NOTHING


async def test_altered_foreign_and_expired_cookies_are_refused(
    client: TestClient, database_url: str
) -> None:
    value, token = await open_session(client)
    assert (await post(client, value, token)).status == 200
    secret, issued, signature = value.split(".")
    other_id = ("A" if secret[0] != "A" else "B") + secret[1:]
    assert await refused(await post(client, f"{other_id}.{issued}.{signature}", token)) == (
        "bad_session"
    )
    later = f"{secret}.{int(issued) + 86_400}.{signature}"  # a longer life, unsigned
    assert await refused(await post(client, later, token)) == "bad_session"
    # Signed by another installation (another key): foreign.
    async with serving(database_url, key="another-installation-key-0123456789") as other:
        foreign, foreign_token = await open_session(other)
    assert await refused(await post(client, foreign, foreign_token)) == "bad_session"
    # Ours, but older than webchat.session_days.
    old = keys().new((datetime.now(UTC) - timedelta(days=DAYS, seconds=1)).timestamp())
    expired = keys().cookie_value(old)
    assert await refused(await post(client, expired, old.csrf)) == "expired_session"
    page = await get(client, "/", expired)  # the page starts a new session instead
    assert page.cookies[COOKIE].value.split(".")[0] != old.secret


async def test_the_csrf_token_is_the_servers_own_for_the_session(client: TestClient) -> None:
    first, first_token = await open_session(client)
    _, second_token = await open_session(client)
    assert first_token != second_token
    assert await refused(await post(client, first, second_token)) == "csrf"
    assert await refused(await post(client, first, "x" * 32)) == "csrf"
    assert (await post(client, first, first_token)).status == 200
    # The same session keeps its token when its cookie is signed again.
    again = await get(client, "/", first)
    assert TOKEN.search(await again.text())[1] == first_token  # type: ignore[index]
    assert keys().read(first, datetime.now(UTC).timestamp()).csrf == first_token


# -- revoked by «new chat» ----------------------------------------------------------------------


async def test_a_session_replayed_after_new_chat_is_refused_by_every_process(
    client: TestClient, database_url: str
) -> None:
    old, old_token = await open_session(client)
    assert (await post(client, old, old_token, {"text": "мой лицевой 5901000001"})).status == 200
    reset = await post(client, old, old_token, path="/webchat/reset")
    assert reset.status == 200
    new = reset.cookies[COOKIE].value
    assert new.split(".")[0] != old.split(".")[0]
    before = await stored(database_url)

    assert await refused(await post(client, old, old_token)) == "revoked_session"
    assert await refused(await post(client, old, old_token, path="/webchat/reset")) == (
        "revoked_session"
    )
    assert (await get(client, "/webchat/events", old)).status == 403
    history = await (await get(client, "/webchat/history", old)).json()
    assert [m["side"] for m in history["messages"]] == ["bot"]  # the greeting, nothing of it
    page = await get(client, "/", old)
    assert page.cookies[COOKIE].value.split(".")[0] != old.split(".")[0]
    # Another process on the same database refuses it as well.
    async with serving(database_url) as other:
        assert await refused(await post(other, old, old_token)) == "revoked_session"
    assert await stored(database_url) == before

    new_token = keys().read(new, datetime.now(UTC).timestamp()).csrf
    assert (await post(client, new, new_token)).status == 200


async def test_revocations_last_until_the_cookie_would_have_expired(database: Database) -> None:
    now = datetime.now(UTC)
    revocations = SqlRevocations(database.unit_of_work)
    await revocations.revoke("webchat:a", now + timedelta(days=30), now)
    await revocations.revoke("webchat:a", now + timedelta(days=1), now)  # the later one stays
    await revocations.revoke("webchat:b", now + timedelta(hours=1), now)
    assert await revocations.revoked("webchat:a", now + timedelta(days=29))
    assert await revocations.revoked("webchat:b", now)
    assert not await revocations.revoked("webchat:b", now + timedelta(hours=2))
    assert not await revocations.revoked("webchat:c", now)
    later = now + timedelta(hours=2)
    await revocations.revoke("webchat:c", later + timedelta(days=1), later)  # b is forgotten
    async with database.unit_of_work() as store:
        keys_left = await store.connection.execute(select(metadata.tables["revoked_sessions"]))
        assert sorted(row.key for row in keys_left) == ["webchat:a", "webchat:c"]


# -- what is stored ------------------------------------------------------------------------------


async def test_only_a_keyed_hash_of_the_session_id_is_stored(
    client: TestClient, database_url: str
) -> None:
    value, token = await open_session(client)
    for body in (
        {"text": "Баланс"},
        {"kind": "button", "payload": "go:readings"},
        {"kind": "contact", "phone": "+7 912 000-00-00"},
    ):
        assert (await post(client, value, token, body)).status == 200
    assert (await post(client, value, token, path="/webchat/reset")).status == 200
    await delivered(database_url)
    secret, _, signature = value.split(".")
    dump = await everything(database_url)
    assert "Баланс" in dump
    for raw in (secret, signature, token, value):
        assert raw not in dump
    expected = keys().read(value, datetime.now(UTC).timestamp()).id
    assert len(expected) == 64 and expected in dump
    database = Database(database_url)
    try:
        async with database.unit_of_work() as store:
            connection = store.connection
            users = await connection.execute(
                select(customers.c.user_id).where(customers.c.channel == "webchat")
            )
            assert users.scalars().all() == [expected]
            events = await connection.execute(
                select(inbox.c.event_id).where(inbox.c.channel == "webchat")
            )
            assert all(e.startswith(f"{expected}:") for e in events.scalars())
            replies = await connection.execute(
                select(outbox.c.user_id).where(outbox.c.channel == "webchat")
            )
            assert set(replies.scalars()) == {expected}
    finally:
        await database.dispose()


async def test_the_customer_is_made_by_the_first_real_message(
    client: TestClient, database_url: str
) -> None:
    value, token = await open_session(client)
    assert (await get(client, "/", value)).status == 200
    history = await (await get(client, "/webchat/history", value)).json()
    assert "Здравствуйте" in history["messages"][0]["text"]
    stream = await get(client, "/webchat/events", value)
    assert stream.status == 200
    stream.close()
    start = await post(client, value, token, {"kind": "start"})
    assert await start.json() == {"duplicate": False, "replies": 0}
    assert await stored(database_url) == NOTHING

    assert (await post(client, value, token, {"text": "тарифы"})).status == 200
    assert (await stored(database_url))["customers"] == 1
    await delivered(database_url)  # the history shows replies once the sender has sent them
    history = await (await get(client, "/webchat/history", value)).json()
    sides = [m["side"] for m in history["messages"]]
    assert sides[:2] == ["bot", "customer"] and len(sides) >= 3


# -- limits in the database ---------------------------------------------------------------------


async def test_a_sessions_limit_holds_across_two_processes(
    database_url: str, fixed_now: datetime
) -> None:
    async with (
        serving(database_url, messages_per_minute=3) as first,
        serving(database_url, messages_per_minute=3) as second,
    ):
        value, token = await open_session(first)
        statuses = []
        for client in (first, second, first, second, first):
            response = await post(client, value, token)
            statuses.append(response.status)
        assert statuses == [200, 200, 200, 429, 429]
        assert (await response.json())["reason"] == "session"
        assert 0 < int(response.headers["Retry-After"]) <= 60
        # Another session is not held back by it.
        other, other_token = await open_session(second)
        assert (await post(first, other, other_token)).status == 200
    assert (await stored(database_url))["inbox"] == 4


async def test_an_address_limit_holds_across_two_processes(
    database_url: str, fixed_now: datetime
) -> None:
    async with (
        serving(database_url, address_messages_per_minute=4) as first,
        serving(database_url, address_messages_per_minute=4) as second,
    ):
        sessions = [await open_session(first) for _ in range(3)]
        statuses = []
        reasons = []
        for i, (client, (value, token)) in enumerate(
            zip((first, second) * 3, sessions * 2, strict=True)
        ):
            response = await post(client, value, token, {"text": f"сообщение {i}"})
            statuses.append(response.status)
            if response.status == 429:
                reasons.append((await response.json())["reason"])
        assert statuses == [200, 200, 200, 200, 429, 429]
        assert reasons == ["addr", "addr"]
    assert (await stored(database_url))["inbox"] == 4


@pytest.mark.parametrize("behind_proxy", [False, True])
async def test_the_address_is_the_forwarded_one_only_behind_a_trusted_proxy(
    database_url: str, fixed_now: datetime, behind_proxy: bool
) -> None:
    proxies = ("127.0.0.1/32",) if behind_proxy else ()
    async with serving(database_url, proxies=proxies, address_messages_per_minute=2) as client:
        sessions = [await open_session(client) for _ in range(3)]

        async def from_(forwarded: str, session: tuple[str, str]) -> int:
            client.session.cookie_jar.clear()
            value, token = session
            headers = {
                "Origin": origin(client),
                "Cookie": f"{COOKIE}={value}",
                "X-CSRF-Token": token,
                "X-Forwarded-For": forwarded,
            }
            body = {"kind": "text", "text": "привет", "event_id": str(uuid.uuid4())}
            response = await client.post("/webchat/messages", json=body, headers=headers)
            return response.status

        first = [await from_("203.0.113.7", s) for s in sessions]
        other = await from_("198.51.100.1, 203.0.113.8", sessions[2])  # the left part is made up
    if behind_proxy:
        assert (first, other) == ([200, 200, 429], 200)
    else:  # anyone can write the header: the peer's address is the client's
        assert (first, other) == ([200, 200, 429], 429)


async def test_new_chats_per_address_are_limited(database_url: str, fixed_now: datetime) -> None:
    async with (
        serving(database_url, address_new_chats_per_hour=2) as first,
        serving(database_url, address_new_chats_per_hour=2) as second,
    ):
        a, b, c = [await open_session(first) for _ in range(3)]
        assert (await post(first, *a)).status == 200
        assert (await post(second, *b)).status == 200
        response = await post(first, *c)
        assert await refused(response, 429) == "new"
        assert (await post(second, *a)).status == 200  # chats already started go on
    assert (await stored(database_url))["customers"] == 2


async def test_the_shared_counters_count_all_quotas_or_none(database: Database) -> None:
    throttle = shared_throttle(SimpleNamespace(unit_of_work=database.unit_of_work))  # type: ignore[arg-type]
    now = datetime.now(UTC)
    one = Quota("test:one", 1, timedelta(minutes=1))
    many = Quota("test:many", 5, timedelta(minutes=1))
    assert await throttle([one, many], now) is None
    assert await throttle([many, one], now) == one  # refused: «many» not counted either
    async with database.unit_of_work() as store:
        assert await store.throttle.count("test:many", many.window, now) == 1


# -- bodies --------------------------------------------------------------------------------------


async def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read(
    client: TestClient, database_url: str
) -> None:
    value, token = await open_session(client)
    headers = {
        "Origin": origin(client),
        "Cookie": f"{COOKIE}={value}",
        "X-CSRF-Token": token,
        "Content-Type": "application/json",
    }
    padding = " " * 1023 + "\n"

    async def half_a_megabyte() -> AsyncIterator[bytes]:
        # Valid JSON, under server.max_body_bytes: taken whole before (no Content-Length).
        yield b'{"kind": "text", "event_id": "%s", "text": "x"' % str(uuid.uuid4()).encode()
        for _ in range(512):
            yield padding.encode()
        yield b"}"

    response = await client.post("/webchat/messages", data=half_a_megabyte(), headers=headers)
    assert response.status == 413
    assert (await response.json())["error"] == "too_long"
    assert response.request_info.headers.get("Transfer-Encoding") == "chunked"

    async def small() -> AsyncIterator[bytes]:
        body = json.dumps({"kind": "text", "event_id": str(uuid.uuid4()), "text": "привет"})
        for i in range(0, len(body), 7):
            yield body[i : i + 7].encode()

    response = await client.post("/webchat/messages", data=small(), headers=headers)
    assert response.status == 200
    big = {"kind": "text", "event_id": str(uuid.uuid4()), "text": "x", "pad": " " * 20_000}
    response = await client.post("/webchat/messages", data=json.dumps(big), headers=headers)
    assert response.status == 413
    assert (await stored(database_url))["inbox"] == 1


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_client_gone_mid_body_is_one_line_in_the_log(
    database_url: str, caplog: pytest.LogCaptureFixture, framing: str
) -> None:
    # Served as `energobot serve` serves (an AppRunner: handlers are not cancelled when the
    # client goes; aiohttp's TestServer would cancel them and hide what happens).
    database = Database(database_url)
    runner = web.AppRunner(create_app(settings_for(database_url), database), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        base = f"http://{host}:{port}"
        async with ClientSession() as session:
            page = await session.get(f"{base}/")
            value = page.cookies[COOKIE].value
            token = TOKEN.search(await page.text())[1]  # type: ignore[index]
        caplog.set_level(logging.INFO)
        framed = (
            "Content-Length: 1000\r\n\r\n"
            if framing == "length"
            else "Transfer-Encoding: chunked\r\n\r\n3e8\r\n"
        )
        head = (
            f"POST /webchat/messages HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: {base}\r\n"
            f"Cookie: {COOKIE}={value}\r\nX-CSRF-Token: {token}\r\n"
            f"Content-Type: application/json\r\n{framed}"
        )
        _, writer = await asyncio.open_connection(host, port)
        writer.write(head.encode() + b'{"kind": "text", "te')
        await writer.drain()
        await asyncio.sleep(0.2)  # the handler is reading the body
        writer.close()
        await writer.wait_closed()
        for _ in range(100):
            if any("cut off" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()
    lines = [r for r in caplog.records if "cut off" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(r.exc_info is None for r in caplog.records)


async def test_without_the_service_key_a_random_one_is_used_and_said(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    database = Database(database_url)
    settings = Settings(database={"url": database_url})
    first, second = create_app(settings, database), create_app(settings, database)
    warned = [r for r in caplog.records if "ENERGOBOT_CONSOLE__SESSION_KEY" in r.getMessage()]
    assert [r.name for r in warned if r.name.startswith("bots.webchat")] == [
        "bots.webchat.plugin"
    ] * 2
    # Each start has its own key: a cookie of one is not taken by the other.
    async with TestClient(TestServer(first)) as one, TestClient(TestServer(second)) as two:
        value, token = await open_session(one)
        assert (await post(one, value, token)).status == 200
        assert await refused(await post(two, value, token)) == "bad_session"
    caplog.clear()
    create_app(settings_for(database_url), database)
    assert not [r for r in caplog.records if r.name.startswith("bots.webchat")]
