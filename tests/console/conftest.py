"""The console over a real app and a real, migrated database: operators as browsers with their
own cookies, customers writing through the real pipeline."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from yarl import URL

from bots.channel import Refusal, SendContext
from console.passwords import hash_password
from core.accounts import Account, Category
from dialogs.messages import Inbound, InboundKind, Reply
from dialogs.pipeline import Pipeline
from energobot.app import SERVICES, Services, create_app
from energobot.settings import Settings
from storage.database import Database

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def make_settings(url: str, **console: Any) -> Settings:
    return Settings(
        database={"url": url},
        console={
            "session_key": "test-session-key-0123456789",
            "events_poll_seconds": 0.05,
            "login_attempts": 3,
            "login_window_minutes": 15,
            **console,
        },
    )


@dataclass
class Browser:
    """One operator's browser: its own cookie jar, the CSRF token of the last page it saw."""

    server: TestServer
    session: ClientSession = field(
        default_factory=lambda: ClientSession(cookie_jar=CookieJar(unsafe=True))
    )
    csrf: str = ""
    page: str = ""

    def url(self, path: str) -> URL:
        return self.server.make_url(path)

    async def get(self, path: str, **kw: Any) -> ClientResponse:
        response = await self.session.get(self.url(path), **kw)
        await self._read(response)
        return response

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, token: bool = True, **kw: Any
    ) -> ClientResponse:
        form = dict(data or {})
        if token:
            form.setdefault("csrf", self.csrf)
        response = await self.session.post(self.url(path), data=form, **kw)
        await self._read(response)
        return response

    async def _read(self, response: ClientResponse) -> None:
        if response.content_type == "text/html":
            self.page = await response.text()
            found = CSRF.search(self.page)
            if found:
                self.csrf = found.group(1)

    async def login(self, login: str, password: str = PASSWORD) -> ClientResponse:
        await self.get("/console/login")
        return await self.post("/console/login", {"login": login, "password": password})

    async def close(self) -> None:
        await self.session.close()


@dataclass
class Customer:
    """A customer writing to the bot through the real pipeline."""

    pipeline: Pipeline
    user_id: str = "2001"
    channel: str = "test"
    last: list[Reply] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=itertools.count)

    async def send(self, text: str) -> list[Reply]:
        inbound = Inbound(
            channel=self.channel,
            user_id=self.user_id,
            event_id=f"{self.user_id}-{next(self._ids)}",
            kind=InboundKind.TEXT,
            time=datetime.now(UTC),
            text=text,
            display_name="Мария Иванова",
        )
        handled = await self.pipeline.handle(inbound)
        self.last = list(handled.replies)
        return self.last

    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)


class Recorder:
    """A bots.channel.Channel that keeps what it was asked to send."""

    name = "test"

    def __init__(self, window: timedelta | None = None) -> None:
        from bots.channel import ChannelLimits, Rates

        self.limits = ChannelLimits(4096, 10, 64, 64)
        self.rates = Rates(0, 0)
        self.window = window  # like WhatsApp's 24 hours: nothing goes out after it
        self.sent: list[tuple[str, Reply]] = []

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        if self.window is None or context.within(self.window):
            return None
        return Refusal.WINDOW_CLOSED

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        self.sent.append((user_id, reply))
        return str(len(self.sent))

    async def close(self) -> None:
        return None


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with small costs: the tests check the logic, not the hash's strength."""
    from argon2 import PasswordHasher

    from console import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def server(settings: Settings, database: Database) -> AsyncIterator[TestServer]:
    app = create_app(settings, database)
    async with TestServer(app) as test_server:
        yield test_server


@pytest.fixture
def services(server: TestServer) -> Services:
    return server.app[SERVICES]


@pytest.fixture
async def browsers(server: TestServer) -> AsyncIterator[list[Browser]]:
    opened: list[Browser] = []
    yield opened
    for browser in opened:
        await browser.close()


@pytest.fixture
def browser_factory(server: TestServer, browsers: list[Browser]) -> Any:
    def make() -> Browser:
        browser = Browser(server)
        browsers.append(browser)
        return browser

    return make


@pytest.fixture
def customer(services: Services) -> Customer:
    return Customer(services.pipeline)


async def add_operator(
    database: Database,
    login: str,
    role: str = "operator",
    name: str | None = None,
    password: str = PASSWORD,
) -> None:
    async with database.unit_of_work() as store:
        await store.operators.add(
            login, name or login.capitalize(), role, hash_password(password), datetime.now(UTC)
        )
        await store.commit()


@pytest.fixture
async def anna(database: Database, browser_factory: Any) -> Browser:
    """An operator, logged in."""
    await add_operator(database, "anna", name="Анна")
    browser = browser_factory()
    response = await browser.login("anna")
    assert response.status == 200 and response.url.path == "/console/queue", browser.page
    return browser


async def seed_account(database: Database, number: str = "5901234567") -> None:
    async with database.unit_of_work() as store:
        await store.accounts.upsert(
            [
                Account(
                    number=number,
                    surname="Иванова",
                    first_name="Мария",
                    patronymic="Ивановна",
                    address="г. Пермь, ул. Ленина, д. 10, кв. 5",
                    category=Category.URBAN_GAS,
                    phone="+79120000001",
                    email=None,
                    large_family=False,
                    balance=Decimal("1250.40"),
                    due_date=date(2026, 12, 15),
                )
            ]
        )
        await store.commit()


async def audit_actions(database: Database) -> list[tuple[str, str, dict[str, Any] | None]]:
    from sqlalchemy import select

    from storage.tables import audit

    async with database.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(audit.c.actor, audit.c.action, audit.c.details).order_by(audit.c.id)
        )
        return [(row[0], row[1], row[2]) for row in result.all()]
