"""The real app in process with its VK side pointed at the fake, and a customer's hands:
Callback API events to the webhook, buttons pressed on the keyboards the fake received, what
the database kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from energobot.app import SERVICES, Services, create_app
from energobot.settings import Settings
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.vk import FakeVk, Sent
from tests.fakes.vk import callbacks as build
from tests.telegram.harness import until

CHANNEL = "vk"
PATH = "/webhooks/vk"
PUBLIC_URL = "https://bot.energosbyt.example"


def make_settings(fake: FakeVk, **vk: Any) -> Settings:
    """Settings as an operator writes them, pointed at the fake; short intervals for tests and
    the app's own pacing off (the fake's error 6 is the rate limit under test)."""
    section: dict[str, Any] = {
        "enabled": True,
        "api_base": fake.base_url,
        "group_id": fake.group_id,
        "token": fake.token,
        "secret": fake.secret,
        "confirmation": fake.confirmation,
        "rate_per_second": 0,
        "chat_rate_per_second": 0,
        **vk,
    }
    return Settings(  # type: ignore[call-arg]  # the sections of the plug-ins are made at import
        vk=section,
        server={"public_url": PUBLIC_URL},
        outbox={"poll_seconds": 0.05, "report_seconds": 3600, "send_timeout_seconds": 5},
        webchat={"enabled": False},
        console={"enabled": False},
    )


class Harness:
    """One running app and the fake it talks to."""

    def __init__(
        self, app: web.Application, client: TestClient, fake: FakeVk, database: Database
    ) -> None:
        self.app = app
        self.client = client
        self.fake = fake
        self.database = database

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    # -- the webhook -------------------------------------------------------------------------

    async def post(self, body: dict[str, Any] | bytes) -> tuple[int, str]:
        """POST an event as VK does; the status and the plain-text answer."""
        data = body if isinstance(body, bytes) else build.encode(body)
        headers = {"Content-Type": "application/json"}
        async with self.client.post(PATH, data=data, headers=headers) as response:
            return response.status, await response.text()

    async def deliver(self, body: dict[str, Any]) -> list[Sent]:
        """Post an event as VK would, wait for the outbox to drain, return what the user
        received meanwhile."""
        user_id = _user_of(body)
        before = len(self.fake.sent(user_id))
        status, answer = await self.post(body)
        assert (status, answer) == (200, "ok"), (status, answer)
        await self.settle()
        return self.fake.sent(user_id)[before:]

    # -- a customer --------------------------------------------------------------------------

    async def start(self, user_id: int) -> list[Sent]:
        """VK's «Начать» button."""
        return await self.deliver(build.start(self.fake, user_id))

    async def say(self, user_id: int, text: str) -> list[Sent]:
        return await self.deliver(build.text(self.fake, user_id, text))

    async def press(self, user_id: int, label: str) -> list[Sent]:
        """Press the text button whose label contains `label` on the latest prompt."""
        return await self.deliver(build.press(self.fake, user_id, self.prompt(user_id), label))

    def prompt(self, user_id: int) -> Sent:
        """The last message with buttons: where the customer presses."""
        for sent in reversed(self.fake.sent(user_id)):
            if sent.buttons:
                return sent
        raise AssertionError(f"{user_id} sees no buttons: {self.fake.texts(user_id)[-2:]!r}")

    def text(self, sent: list[Sent]) -> str:
        return "\n".join(s.text for s in sent).replace("\xa0", " ")

    # -- the outbox --------------------------------------------------------------------------

    async def pending(self) -> int:
        return len([row for row in await self.outbox() if row["status"] == "pending"])

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a deadline
        await until(self.pending, lambda count: count == 0, timeout)

    # -- what the database kept --------------------------------------------------------------

    async def rows(self, query: Any) -> list[dict[str, Any]]:
        async with self.database.unit_of_work() as store:
            result = await store.connection.execute(query)
            return [dict(row) for row in result.mappings()]

    async def inbox(self) -> list[dict[str, Any]]:
        return await self.rows(select(inbox).order_by(inbox.c.id))

    async def outbox(self, user_id: int | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if user_id is not None:
            query = query.where(outbox.c.user_id == str(user_id))
        return await self.rows(query)

    async def conversation(self, user_id: int) -> dict[str, Any]:
        query = (
            select(conversations)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == CHANNEL, customers.c.user_id == str(user_id))
        )
        (row,) = await self.rows(query)
        return row


def _user_of(body: dict[str, Any]) -> int:
    obj: dict[str, Any] = body.get("object") or {}
    inner = obj.get("message")
    message: dict[str, Any] = inner if isinstance(inner, dict) else obj
    return int(message.get("from_id") or obj.get("user_id") or message.get("peer_id") or 0)


def labels(sent: Sent | None) -> list[str]:
    return sent.labels if sent is not None else []


@asynccontextmanager
async def running(settings: Settings, database: Database, fake: FakeVk) -> AsyncIterator[Harness]:
    """create_app on a test server, as in production."""
    app = create_app(settings, database)
    async with TestClient(TestServer(app)) as client:
        yield Harness(app, client, fake, database)
