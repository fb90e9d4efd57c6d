"""Login attempts throttled in the shared counters: a place is taken before the password is
checked, so parallel guesses count; unknown, throttled and wrong answer alike; a right password
does not clear what guessers filled; a trusted browser is not held back by strangers; a
supervisor (or `energobot operators unlock`) lifts it."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from console.auth import allowance
from console.context import CONSOLE
from energobot.settings import Settings
from storage.database import Database
from tests.console.conftest import PASSWORD, Browser, add_operator, audit_actions, make_settings

ERROR = re.compile(r'data-test="error"[^>]*>([^<]*)<')
WINDOW = timedelta(minutes=15)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Enough hashing slots that no guess here is refused as busy: only the throttle counts.
    return make_settings(database_url, login_attempts=5, login_address_attempts=100, hash_slots=64)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes passwords were actually checked against (calls of passwords.verify)."""
    from console import passwords

    calls: list[str] = []
    real = passwords.verify

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify", counting)
    return calls


def freeze(server: TestServer, offset: timedelta = timedelta(0)) -> datetime:
    """The console's clock one minute into a 15-minute window (and `offset` later)."""
    epoch = int(datetime.now(UTC).timestamp())
    start = datetime.fromtimestamp(epoch - epoch % 900 + 60, UTC) + offset
    server.app[CONSOLE].clock = lambda: start
    return start


def error(browser: Browser) -> str:
    found = ERROR.search(browser.page)
    assert found, browser.page
    return found.group(1)


async def fresh(browser_factory: Any) -> Browser:
    browser: Browser = browser_factory()
    await browser.get("/console/login")
    return browser


def test_the_allowance_halves_with_failures_down_to_one() -> None:
    assert [allowance(5, failures) for failures in (0, 4, 5, 9, 10, 14, 15, 500)] == [
        5,
        5,
        2,
        2,
        1,
        1,
        1,
        1,
    ]
    assert [allowance(20, failures) for failures in (0, 19, 20, 40, 60, 80)] == [
        20,
        20,
        10,
        5,
        2,
        1,
    ]


async def test_sixty_parallel_guesses_check_at_most_the_limit(
    database: Database, server: TestServer, browser_factory: Any, checked: list[str]
) -> None:
    freeze(server)
    await add_operator(database, "anna")
    guesser = await fresh(browser_factory)
    responses = await asyncio.gather(
        *(
            guesser.session.post(
                guesser.url("/console/login"),
                data={"login": "anna", "password": f"guess number {i:02d}", "csrf": guesser.csrf},
            )
            for i in range(60)
        )
    )
    assert sorted({response.status for response in responses}) == [401]
    assert len(checked) == 5  # five places, five passwords checked; the others never looked at
    reasons = [d["reason"] for _, action, d in await audit_actions(database) if d]
    assert sorted(reasons) == ["throttled"] * 55 + ["wrong_password"] * 5

    # The right password afterwards, from another browser: not checked, not in.
    owner = await fresh(browser_factory)
    response = await owner.post("/console/login", {"login": "anna", "password": PASSWORD})
    assert response.status == 401 and response.url.path == "/console/login"
    assert "Повторите через 14 мин" in error(owner)
    assert "console_session" not in {cookie.key for cookie in owner.session.cookie_jar}
    assert len(checked) == 5

    # The next window: the guesses still count (2 places instead of 5), and the right password
    # gets in — it does not clear them.
    freeze(server, WINDOW)
    response = await owner.login("anna")
    assert response.url.path == "/console/queue"
    for _ in range(2):
        await guesser.post("/console/login", {"login": "anna", "password": "one more guess"})
    # Two places in this window: anna's login took one, the first guess the other.
    assert "Повторите через" in error(guesser)
    assert len(checked) == 5 + 1 + 1


async def test_unknown_throttled_and_wrong_answer_alike(
    database: Database, server: TestServer, browser_factory: Any, checked: list[str]
) -> None:
    freeze(server)
    await add_operator(database, "anna")
    browser = await fresh(browser_factory)
    known = await browser.post("/console/login", {"login": "anna", "password": "wrong password"})
    known_text = error(browser)
    unknown = await browser.post("/console/login", {"login": "nobody", "password": "wrong pw 1"})
    assert (
        (known.status, known_text)
        == (unknown.status, error(browser))
        == (
            401,
            "Неверный логин или пароль, или слишком много попыток входа.",
        )
    )
    # The unknown login cost a hash too, with the same costs as a real one.
    assert len(checked) == 2 and checked[1] != checked[0]
    assert checked[1].split("$")[:4] == checked[0].split("$")[:4]

    answers = {}
    for login in ("anna", "nobody"):
        for _ in range(4):
            await browser.post("/console/login", {"login": login, "password": "wrong password"})
        answers[f"{login}: 5th wrong"] = error(browser)
        right = PASSWORD if login == "anna" else "anything"
        response = await browser.post("/console/login", {"login": login, "password": right})
        assert response.status == 401
        answers[f"{login}: throttled"] = error(browser)
    assert set(answers.values()) == {
        "Неверный логин или пароль, или слишком много попыток входа. Повторите через 14 мин. "
        "Если не получается войти, обратитесь к руководителю."
    }, answers
    assert len(checked) == 10  # five per login; the throttled ones were not checked


async def test_guesses_from_one_address_at_many_logins_are_throttled(
    database_url: str, database: Database, checked: list[str]
) -> None:
    from energobot.app import create_app

    settings = make_settings(database_url, login_address_attempts=4, hash_slots=64)
    async with TestServer(create_app(settings, database)) as server:
        freeze(server)
        browser = Browser(server)
        try:
            await browser.get("/console/login")
            for i in range(6):
                response = await browser.post(
                    "/console/login", {"login": f"user{i}", "password": "spray password"}
                )
                assert response.status == 401
            assert len(checked) == 4
            assert "Повторите через" in error(browser)
        finally:
            await browser.close()


async def test_a_trusted_browser_is_not_held_back_by_strangers(
    database: Database, server: TestServer, browser_factory: Any, checked: list[str]
) -> None:
    freeze(server)
    await add_operator(database, "anna")
    mine = await fresh(browser_factory)
    response = await mine.post("/console/login", {"login": "anna", "password": PASSWORD})
    assert response.url.path == "/console/queue"
    device = next(c for c in mine.session.cookie_jar if c.key == "console_device")
    assert device["httponly"] and device["max-age"] == str(30 * 86400)
    await mine.post("/console/logout")

    stranger = await fresh(browser_factory)
    for _ in range(6):
        await stranger.post("/console/login", {"login": "anna", "password": "guessing away"})
    assert "Повторите через" in error(stranger)
    response = await stranger.post("/console/login", {"login": "anna", "password": PASSWORD})
    assert response.status == 401  # the stranger's browser, even with the password

    # Anna's own browser counts apart: she gets in, and a typo there costs her own places only.
    response = await mine.login("anna", "a typo in it")
    assert response.status == 401 and "Повторите" not in error(mine)
    response = await mine.login("anna")
    assert response.url.path == "/console/queue"
    logins = [d for _, action, d in await audit_actions(database) if action == "console.login"]
    assert logins[-1] == {"address": "127.0.0.1", "device": True}

    # A device cookie is good for its own login only.
    await add_operator(database, "boris")
    await mine.post("/console/logout")
    for _ in range(5):
        await stranger.post("/console/login", {"login": "boris", "password": "guessing away"})
    response = await mine.login("boris")
    assert response.status == 401 and "Повторите через" in error(mine)


async def test_a_supervisor_unlocks_a_login(
    database: Database, server: TestServer, browser_factory: Any
) -> None:
    freeze(server)
    await add_operator(database, "anna")
    await add_operator(database, "boss", role="supervisor")
    boss = await fresh(browser_factory)
    assert (await boss.login("boss")).url.path == "/console/queue"
    stranger = await fresh(browser_factory)
    for _ in range(5):
        await stranger.post("/console/login", {"login": "anna", "password": "guessing away"})

    await boss.get("/console/supervisor")
    row = re.search(
        r'<tr data-test="operator-row" data-login="anna"[^>]*>.*?</tr>', boss.page, re.S
    )
    assert row is not None
    assert 'data-locked="true"' in row.group(0) and 'data-test="unlock"' in row.group(0)
    assert "5 неудачных попыток входа за сутки" in row.group(0)
    response = await boss.post("/console/operators/anna/unlock")
    assert response.status == 200 and "Ограничение входа снято" in boss.page
    assert 'data-login="anna" data-enabled="true" data-locked="false"' in boss.page
    assert ("operator:boss", "console.operator_unlock", {"login": "anna"}) in await audit_actions(
        database
    )

    owner = await fresh(browser_factory)
    assert (await owner.login("anna")).url.path == "/console/queue"
    # An operator may not unlock anyone.
    response = await owner.post("/console/operators/boss/unlock")
    assert response.status == 403


def test_the_command_line_lists_and_unlocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from click.testing import CliRunner

    from console.auth import FAILED, login_key
    from energobot.cli import main

    url = f"sqlite+aiosqlite:///{tmp_path / 'energobot.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: {url}\n", encoding="utf-8")
    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(main, ["--config", str(config), *args], input=input)

    assert (
        run("operators", "add", "anna", "--role", "operator", input=PASSWORD + "\n").exit_code == 0
    )

    async def guessed() -> None:
        database = Database(url)
        now = datetime.now(UTC)
        try:
            async with database.unit_of_work() as store:
                for _ in range(3):
                    await store.throttle.reserve(login_key("anna"), 5, WINDOW, now)
                    await store.throttle.reserve(FAILED + login_key("anna"), 10**6, WINDOW, now)
                await store.commit()
        finally:
            await database.dispose()

    async def left() -> int:
        database = Database(url)
        try:
            async with database.unit_of_work() as store:
                since = datetime.now(UTC) - timedelta(days=1)
                return await store.throttle.recent(login_key("anna"), since)
        finally:
            await database.dispose()

    asyncio.run(guessed())
    assert "3 failed logins in 24 h" in run("operators", "list").output
    result = run("operators", "unlock", "anna")
    assert result.exit_code == 0 and "anna" in result.output
    assert asyncio.run(left()) == 0
    assert "failed" not in run("operators", "list").output
    assert run("operators", "unlock", "nobody").exit_code == 1
