"""The real app in process with its MAX side pointed at the fake, and a customer's hands: updates
posted to the webhook with the subscription's secret, buttons pressed on the keyboards the fake
received, what the database kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bots.max.settings import MaxSettings
from bots.max.webhook import SECRET_HEADER
from energobot.app import SERVICES, Services, create_app
from energobot.settings import ConsoleSettings, OutboxSettings, Settings
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.max import FakeMax, Sent
from tests.fakes.max import updates as build
from tests.telegram.harness import until

CHANNEL = "max"
WEBHOOK = "/webhooks/max"
SECRET = "energosbyt_max-Webhook_2026"


def make_settings(fake: FakeMax, **options: Any) -> Settings:
    """Settings as an operator writes them, pointed at the fake; MAX's own rates kept (the fake
    answers 429 past them), short intervals for tests."""
    section: dict[str, Any] = {
        "enabled": True,
        "token": fake.token,
        "webhook_secret": SECRET,
        "api_base": fake.base_url,
        **options,
    }
    return Settings(
        max=MaxSettings(**section),
        telegram={"enabled": False},
        webchat={"enabled": False},
        outbox=OutboxSettings(poll_seconds=0.05, report_seconds=3600, send_timeout_seconds=10),
        console=ConsoleSettings(enabled=False),
    )


class Harness:
    """One running app and the fake it talks to."""

    def __init__(
        self, app: web.Application, client: TestClient, fake: FakeMax, database: Database
    ) -> None:
        self.app = app
        self.client = client
        self.fake = fake
        self.database = database

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    # -- the webhook -------------------------------------------------------------------------

    async def post(
        self, body: dict[str, Any] | bytes, *, secret: str | None = SECRET
    ) -> tuple[int, Any]:
        """POST an update with the subscription's secret (or another one, or none)."""
        data = body if isinstance(body, bytes) else build.encode(body)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with self.client.post(WEBHOOK, data=data, headers=headers) as response:
            raw = await response.read()
            try:
                return response.status, json.loads(raw)
            except ValueError:
                return response.status, raw

    async def deliver(self, update: dict[str, Any], user_id: str | int) -> list[Sent]:
        """Post an update as MAX would, wait for the outbox to drain, return what the user
        received meanwhile."""
        before = len(self.fake.sent(user_id))
        status, answer = await self.post(update)
        assert status == 200, (status, answer)
        await self.settle()
        return self.fake.sent(user_id)[before:]

    # -- a customer --------------------------------------------------------------------------

    async def start(self, user_id: int, payload: str | None = None) -> list[Sent]:
        return await self.deliver(build.bot_started(self.fake, user_id, payload), user_id)

    async def say(self, user_id: int, text: str) -> list[Sent]:
        return await self.deliver(build.text(self.fake, user_id, text), user_id)

    async def press(self, user_id: int, label: str) -> list[Sent]:
        """Press the callback button whose text contains `label` on the last keyboard the user
        got; the press is answered (POST /answers) exactly once."""
        sent = self.fake.sent(user_id)
        with_keyboard = [s for s in sent if s.keyboard]
        assert with_keyboard, f"{user_id} has no keyboard: {self.fake.texts(user_id)[-2:]!r}"
        message = with_keyboard[-1]
        button = find_button(message.buttons, label)
        assert button["type"] == "callback", f"{label!r} is a {button['type']} button"
        update = build.callback(self.fake, user_id, button["payload"], on_mid=message.mid)
        result = await self.deliver(update, user_id)
        callback_id = update["callback"]["callback_id"]
        await until(lambda: self.fake.answered(callback_id), lambda a: len(a) >= 1)
        return result

    async def share_contact(
        self, user_id: int, phone: str, *, owner: int | None = None
    ) -> list[Sent]:
        return await self.deliver(build.contact(self.fake, user_id, phone, owner=owner), user_id)

    def text(self, sent: list[Sent]) -> str:
        return "\n".join(s.text for s in sent).replace("\xa0", " ")

    # -- the outbox --------------------------------------------------------------------------

    async def pending(self) -> int:
        return len([row for row in await self.outbox() if row["status"] == "pending"])

    async def settle(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109 - a deadline
        await until(self.pending, lambda count: count == 0, timeout)

    # -- what the database kept --------------------------------------------------------------

    async def rows(self, query: Any) -> list[dict[str, Any]]:
        async with self.database.unit_of_work() as store:
            result = await store.connection.execute(query)
            return [dict(row) for row in result.mappings()]

    async def inbox(self) -> list[dict[str, Any]]:
        return await self.rows(select(inbox).order_by(inbox.c.id))

    async def outbox(self, user_id: str | int | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if user_id is not None:
            query = query.where(outbox.c.user_id == str(user_id))
        return await self.rows(query)

    async def conversation(self, user_id: str | int) -> dict[str, Any]:
        query = (
            select(conversations)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == CHANNEL, customers.c.user_id == str(user_id))
        )
        (row,) = await self.rows(query)
        return row


def find_button(buttons: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for button in buttons:
        if label.casefold() in button["text"].casefold():
            return button
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons]}")


def labels(sent: Sent) -> list[str]:
    return [button["text"] for button in sent.buttons]


@asynccontextmanager
async def running(
    settings: Settings,
    database: Database,
    fake: FakeMax,
    prepare: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[Harness]:
    """create_app on a test server, as in production."""
    app = create_app(settings, database)
    if prepare is not None:
        prepare(app)
    async with TestClient(TestServer(app)) as client:
        yield Harness(app, client, fake, database)
