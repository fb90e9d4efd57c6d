"""Logging in and out, throttled logins, disabled operators, CSRF, cookies, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestServer

from console.context import CONSOLE
from storage.database import Database
from tests.console.conftest import PASSWORD, Browser, add_operator, audit_actions


async def test_pages_need_a_login(browser_factory: Any) -> None:
    browser: Browser = browser_factory()
    response = await browser.get("/console/queue")
    assert response.url.path == "/console/login"
    assert 'id="login"' in browser.page and 'name="password"' in browser.page
    response = await browser.get("/console")
    assert response.url.path == "/console/login"


async def test_login_and_logout(database: Database, browser_factory: Any) -> None:
    await add_operator(database, "anna", name="Анна Петрова")
    browser: Browser = browser_factory()
    response = await browser.login("anna")
    assert response.url.path == "/console/queue"
    assert 'data-test="whoami">Анна Петрова' in browser.page
    response = await browser.post("/console/logout")
    assert response.url.path == "/console/login"
    assert 'data-test="notice"' in browser.page
    response = await browser.get("/console/queue")
    assert response.url.path == "/console/login"
    actions = [action for _, action, _ in await audit_actions(database)]
    assert actions == ["console.login", "console.logout"]


async def test_session_cookie_flags(database: Database, browser_factory: Any) -> None:
    await add_operator(database, "anna")
    browser: Browser = browser_factory()
    await browser.get("/console/login")
    response = await browser.session.post(
        browser.url("/console/login"),
        data={"login": "anna", "password": PASSWORD, "csrf": browser.csrf},
        allow_redirects=False,
    )
    assert response.status == 303
    cookie = response.cookies["console_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/console"
    assert not cookie["secure"]  # plain http here
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


async def test_secure_cookie_when_public_url_is_https(
    database_url: str, database: Database
) -> None:
    from aiohttp import ClientSession, CookieJar

    from energobot.app import create_app
    from tests.console.conftest import make_settings

    settings = make_settings(database_url)
    settings.server.public_url = "https://bot.example"
    await add_operator(database, "anna")
    async with TestServer(create_app(settings, database)) as server:
        browser = Browser(server, ClientSession(cookie_jar=CookieJar(unsafe=True)))
        try:
            page = await browser.get("/console/login")
            pre_login = page.cookies["console_login"]
            assert pre_login["secure"] and pre_login["httponly"]
            # The browser would send a Secure cookie over https only; this client is told to.
            response = await browser.session.post(
                browser.url("/console/login"),
                data={"login": "anna", "password": PASSWORD, "csrf": browser.csrf},
                headers={"Cookie": f"console_login={pre_login.value}"},
                allow_redirects=False,
            )
            assert response.status == 303
            assert response.cookies["console_session"]["secure"]
        finally:
            await browser.close()


async def test_wrong_password_is_refused_and_audited(
    database: Database, browser_factory: Any
) -> None:
    await add_operator(database, "anna")
    browser: Browser = browser_factory()
    response = await browser.login("anna", "not the password")
    assert response.status == 401
    assert 'data-test="error"' in browser.page and "Неверный логин или пароль" in browser.page
    response = await browser.login("nobody", "whatever it is")
    assert response.status == 401 and "Неверный логин или пароль" in browser.page
    rows = await audit_actions(database)
    assert rows == [
        (
            "operator:anna",
            "console.login_failed",
            {"reason": "wrong_password", "address": "127.0.0.1"},
        ),
        (
            "anonymous",
            "console.login_failed",
            {"login": "nobody", "reason": "unknown", "address": "127.0.0.1"},
        ),
    ]


async def test_repeated_failures_throttle_the_login(
    database: Database, browser_factory: Any, server: TestServer
) -> None:
    console = server.app[CONSOLE]
    epoch = int(datetime.now(UTC).timestamp())
    start = datetime.fromtimestamp(epoch - epoch % 900 + 60, UTC)  # in one 15-minute window
    console.clock = lambda: start
    await add_operator(database, "anna")
    browser: Browser = browser_factory()
    for _ in range(2):
        assert (await browser.login("anna", "wrong password")).status == 401
        assert "Неверный логин или пароль" in browser.page and "Повторите" not in browser.page
    response = await browser.login("anna", "wrong password")  # the third: no places left
    assert response.status == 401 and "Повторите через 14 мин" in browser.page
    # Even the right password does not get in while the window is full.
    response = await browser.login("anna")
    assert response.status == 401 and "Повторите через 14 мин" in browser.page
    reasons = [d["reason"] for _, a, d in await audit_actions(database) if d]
    assert reasons == ["wrong_password"] * 3 + ["throttled"]
    # In the next window the right password works.
    console.clock = lambda: start + timedelta(minutes=15)
    response = await browser.login("anna")
    assert response.url.path == "/console/queue"


async def test_disabled_operator_cannot_log_in(database: Database, browser_factory: Any) -> None:
    await add_operator(database, "anna")
    async with database.unit_of_work() as store:
        await store.operators.set_enabled("anna", False)
        await store.commit()
    browser: Browser = browser_factory()
    response = await browser.login("anna")
    assert response.status == 401
    assert 'data-test="error"' in browser.page and "отключена" in browser.page
    disabled = {"reason": "disabled", "address": "127.0.0.1"}
    assert ("operator:anna", "console.login_failed", disabled) in await audit_actions(database)


async def test_disabling_ends_a_running_session(database: Database, anna: Browser) -> None:
    async with database.unit_of_work() as store:
        await store.operators.set_enabled("anna", False)
        await store.commit()
    response = await anna.get("/console/queue")
    assert response.url.path == "/console/login"


async def test_post_without_or_with_a_wrong_csrf_token_is_403(anna: Browser) -> None:
    response = await anna.post("/console/logout", token=False)
    assert response.status == 403
    assert 'data-test="error"' in anna.page and "Запрос отклонён" in anna.page
    response = await anna.post("/console/logout", {"csrf": "forged"})
    assert response.status == 403
    # A fetch sends the token as a header; a wrong one gets a JSON 403.
    response = await anna.session.post(
        anna.url("/console/conversations/1/note"),
        data={"note": "x"},
        headers={"X-CSRF-Token": "forged", "Accept": "application/json"},
    )
    assert response.status == 403
    assert (await response.json())["ok"] is False
    # Still logged in: the refused requests changed nothing.
    response = await anna.get("/console/queue")
    assert response.url.path == "/console/queue"


async def test_login_form_needs_its_csrf_token(database: Database, browser_factory: Any) -> None:
    await add_operator(database, "anna")
    browser: Browser = browser_factory()
    await browser.get("/console/login")
    response = await browser.post(
        "/console/login", {"login": "anna", "password": PASSWORD}, token=False
    )
    assert response.status == 403
    assert await audit_actions(database) == []


async def test_idle_session_ends(server: TestServer, anna: Browser) -> None:
    console = server.app[CONSOLE]
    console.clock = lambda: datetime.now(UTC) + timedelta(minutes=61)
    response = await anna.get("/console/queue")
    assert response.url.path == "/console/login"


async def test_supervisor_pages_are_forbidden_to_operators(
    database: Database, anna: Browser, browser_factory: Any
) -> None:
    response = await anna.get("/console/supervisor")
    assert response.status == 403 and 'data-test="error"' in anna.page
    assert 'data-test="nav-supervisor"' not in anna.page
    response = await anna.post("/console/operators/anna/disable")
    assert response.status == 403
    response = await anna.post("/console/canned", {"title": "t", "text": "x"})
    assert response.status == 403
    await add_operator(database, "boss", role="supervisor")
    boss: Browser = browser_factory()
    await boss.login("boss")
    response = await boss.get("/console/supervisor")
    assert response.status == 200 and 'data-test="figures"' in boss.page


async def test_the_login_page_does_not_follow_live_events(browser_factory: Any) -> None:
    """console.js opens the event stream only for a signed-in operator."""
    browser: Browser = browser_factory()
    await browser.get("/console/login")
    assert "data-signed-in" not in browser.page


async def test_an_unknown_console_address_gets_the_consoles_own_page(
    database: Database, browser_factory: Any
) -> None:
    await add_operator(database, "anna")
    browser: Browser = browser_factory()
    await browser.login("anna")
    response = await browser.get("/console/no-such-page")
    assert response.status == 404
    assert "Не найдено" in browser.page and 'data-signed-in="1"' in browser.page
