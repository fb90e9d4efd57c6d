"""A session's absolute lifetime beside the idle one, and the client's address in the audit —
from X-Forwarded-For only when the peer is a trusted proxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestServer

from console.auth import address_key
from console.context import CONSOLE
from energobot.app import create_app
from storage.database import Database
from tests.console.conftest import PASSWORD, Browser, add_operator, audit_actions, make_settings


async def test_a_session_ends_after_its_absolute_lifetime_however_busy(
    server: TestServer, anna: Browser
) -> None:
    console = server.app[CONSOLE]
    start = datetime.now(UTC)
    for minutes in range(50, 12 * 60, 50):  # used every 50 minutes: never idle for an hour
        console.clock = lambda minutes=minutes: start + timedelta(minutes=minutes)
        response = await anna.get("/console/queue")
        assert response.url.path == "/console/queue", minutes
    console.clock = lambda: start + timedelta(hours=12, minutes=1)
    response = await anna.get("/console/queue")
    assert response.url.path == "/console/login"
    # Gone for good: the clock turned back does not bring it back.
    console.clock = lambda: start + timedelta(minutes=1)
    assert (await anna.get("/console/queue")).url.path == "/console/login"


async def test_the_lifetime_is_a_setting(database_url: str, database: Database) -> None:
    settings = make_settings(database_url, session_max_hours=1, session_idle_minutes=120)
    await add_operator(database, "anna")
    async with TestServer(create_app(settings, database)) as server:
        browser = Browser(server)
        try:
            assert (await browser.login("anna")).url.path == "/console/queue"
            start = datetime.now(UTC)
            server.app[CONSOLE].clock = lambda: start + timedelta(minutes=59)
            assert (await browser.get("/console/queue")).url.path == "/console/queue"
            server.app[CONSOLE].clock = lambda: start + timedelta(minutes=61)
            assert (await browser.get("/console/queue")).url.path == "/console/login"
        finally:
            await browser.close()


async def login_from(server: TestServer, login: str, password: str, forwarded: str | None) -> None:
    browser = Browser(server)
    try:
        await browser.get("/console/login")
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        await browser.session.post(
            browser.url("/console/login"),
            data={"login": login, "password": password, "csrf": browser.csrf},
            headers=headers,
        )
    finally:
        await browser.close()


def addresses(rows: list[tuple[str, str, dict[str, Any] | None]]) -> list[str]:
    return [d["address"] for _, action, d in rows if action.startswith("console.login") and d]


async def test_without_trusted_proxies_the_peer_is_the_client(
    server: TestServer, database: Database
) -> None:
    await add_operator(database, "anna")
    await login_from(server, "anna", "wrong password", "203.0.113.7")
    await login_from(server, "nobody", "wrong password", None)
    await login_from(server, "anna", PASSWORD, "203.0.113.7")
    assert addresses(await audit_actions(database)) == ["127.0.0.1"] * 3


async def test_behind_a_trusted_proxy_the_forwarded_client(
    database_url: str, database: Database
) -> None:
    settings = make_settings(database_url, login_attempts=50, login_address_attempts=2)
    settings.server.trusted_proxies = ["127.0.0.1/32", "10.0.0.0/8"]
    await add_operator(database, "anna")
    async with TestServer(create_app(settings, database)) as server:
        epoch = int(datetime.now(UTC).timestamp())
        start = datetime.fromtimestamp(epoch - epoch % 900 + 60, UTC)  # in one window
        server.app[CONSOLE].clock = lambda: start
        # What the client wrote itself (left of what our proxies appended) is not believed.
        await login_from(server, "anna", "wrong password", "198.51.100.1, 203.0.113.7")
        await login_from(server, "anna", "wrong password", "203.0.113.7, 10.1.2.3")
        await login_from(server, "nobody", "wrong password", "not-an-ip, 10.1.2.3")
        await login_from(server, "anna", PASSWORD, "::ffff:192.0.2.44")
        await login_from(server, "anna", PASSWORD, None)
        assert addresses(await audit_actions(database)) == [
            "203.0.113.7",
            "203.0.113.7",
            "10.1.2.3",
            "192.0.2.44",
            "127.0.0.1",
        ]
        # The address throttle counts the forwarded client: 203.0.113.7 has used its 2 places,
        # another client behind the same proxy has not.
        await login_from(server, "anna", PASSWORD, "203.0.113.7")
        await login_from(server, "anna", PASSWORD, "203.0.113.8")
        rows = await audit_actions(database)
        assert [(d["address"], d.get("reason")) for _, _, d in rows[-2:] if d] == [
            ("203.0.113.7", "throttled"),
            ("203.0.113.8", None),
        ]


def test_ipv6_clients_are_throttled_by_their_64() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") == "login-addr:2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("192.0.2.1") == "login-addr:192.0.2.1"
