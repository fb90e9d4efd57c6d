"""The real app in process with its Viber side pointed at the fake, and a customer's hands:
signed callbacks to the webhook, buttons pressed on the keyboards the fake received, what the
database kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bots.telegram.settings import TelegramSettings
from bots.viber import SIGNATURE_HEADER
from bots.viber.settings import ViberSettings
from bots.webchat.settings import WebchatSettings
from energobot.app import SERVICES, Services, create_app
from energobot.settings import (
    ConsoleSettings,
    OutboxSettings,
    Settings,
)
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.viber import FakeViber, Sent, sign
from tests.fakes.viber import callbacks as build
from tests.fakes.viber.models import Webhook
from tests.telegram.harness import until

CHANNEL = "viber"
PUBLIC_URL = "https://bot.energosbyt.example"

VIBER_WEBHOOK = "/webhooks/viber"


def make_settings(fake: FakeViber, **viber: Any) -> Settings:
    """Settings as an operator writes them, pointed at the fake; short intervals for tests and
    the app's own pacing off (the fake's status 12 is the rate limit under test)."""
    options: dict[str, Any] = {
        "enabled": True,
        "token": fake.token,
        "api_base": fake.base_url,
        "sender_name": "Энергосбыт Пермь — служба поддержки клиентов",  # over 28: cut
        "avatar_url": "https://energosbyt.example/static/avatar.jpg",
        "rate_per_second": 0,
        "chat_rate_per_second": 0,
        **viber,
    }
    return Settings(
        viber=ViberSettings(**options),
        telegram=TelegramSettings(enabled=False),
        outbox=OutboxSettings(poll_seconds=0.05, report_seconds=3600, send_timeout_seconds=5),
        webchat=WebchatSettings(enabled=False),
        console=ConsoleSettings(enabled=False),
    )


class Harness:
    """One running app and the fake it talks to."""

    def __init__(
        self, app: web.Application, client: TestClient, fake: FakeViber, database: Database
    ) -> None:
        self.app = app
        self.client = client
        self.fake = fake
        self.database = database
        # The welcome is the HTTP answer, not a sent message: what the client shows after it.
        self._welcome_keyboard: dict[str, Any] = {}
        self._welcome_tracking: dict[str, Any] = {}

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    # -- the webhook -------------------------------------------------------------------------

    async def post(
        self, body: dict[str, Any] | bytes, *, signature: str | None = "good"
    ) -> tuple[int, Any]:
        """POST a callback signed as Viber signs it ("good"), with a given signature, or none
        (None). Returns the status and the decoded JSON answer (or the raw bytes)."""
        data = body if isinstance(body, bytes) else build.encode(body)
        headers = {"Content-Type": "application/json"}
        if signature == "good":
            headers[SIGNATURE_HEADER] = sign(self.fake.token, data)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        async with self.client.post(VIBER_WEBHOOK, data=data, headers=headers) as response:
            raw = await response.read()
            try:
                return response.status, json.loads(raw)
            except ValueError:
                return response.status, raw

    async def deliver(self, body: dict[str, Any]) -> list[Sent]:
        """Post a callback as Viber would, wait for the outbox to drain, return what the user
        received meanwhile."""
        user_id = body.get("sender", {}).get("id") or body.get("user", {}).get("id")
        if body.get("event") == "message":
            self.fake.replied(user_id)  # a message subscribes and resets Viber's counter
        before = len(self.fake.sent(user_id))
        status, answer = await self.post(body)
        assert status == 200, (status, answer)
        await self.settle()
        return self.fake.sent(user_id)[before:]

    # -- a customer --------------------------------------------------------------------------

    async def open(self, user_id: str, *, subscribed: bool = False) -> dict[str, Any]:
        """The customer opens the chat: the welcome message that answers it."""
        status, answer = await self.post(
            build.conversation_started(self.fake, user_id, subscribed=subscribed)
        )
        assert status == 200, (status, answer)
        return answer

    def tracking(self, user_id: str) -> str | None:
        """What Viber echoes with the user's next message: the last message's tracking_data."""
        sent = self.fake.sent(user_id)
        return sent[-1].tracking_data if sent else self._welcome_tracking.get(user_id)

    async def say(self, user_id: str, text: str) -> list[Sent]:
        body = build.text(self.fake, user_id, text, tracking_data=self.tracking(user_id))
        return await self.deliver(body)

    async def press(self, user_id: str, label: str) -> list[Sent]:
        """Press the reply button whose Text contains `label` on the keyboard the client shows
        (the last message's): Viber sends its ActionBody as the text of a message."""
        button = find_button(self.keyboard(user_id), label)
        assert button["ActionType"] == "reply", "a share-phone button: use share_contact"
        return await self.say(user_id, button["ActionBody"])

    async def share_contact(self, user_id: str, phone: str) -> list[Sent]:
        body = build.contact(self.fake, user_id, phone, tracking_data=self.tracking(user_id))
        return await self.deliver(body)

    def keyboard(self, user_id: str) -> dict[str, Any]:
        sent = self.fake.sent(user_id)
        keyboard = sent[-1].keyboard if sent else self._welcome_keyboard.get(user_id)
        assert keyboard, f"{user_id} sees no keyboard: {self.fake.texts(user_id)[-2:]!r}"
        return keyboard

    async def welcome(self, user_id: str) -> dict[str, Any]:
        """Open the chat and keep the welcome's keyboard as what the client shows."""
        answer = await self.open(user_id)
        self._welcome_keyboard[user_id] = answer.get("keyboard")
        self._welcome_tracking[user_id] = answer.get("tracking_data")
        return answer

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

    async def outbox(self, user_id: str | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if user_id is not None:
            query = query.where(outbox.c.user_id == user_id)
        return await self.rows(query)

    async def conversation(self, user_id: str) -> dict[str, Any]:
        query = (
            select(conversations)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == CHANNEL, customers.c.user_id == user_id)
        )
        (row,) = await self.rows(query)
        return row


def find_button(keyboard: dict[str, Any], label: str) -> dict[str, Any]:
    for button in keyboard["Buttons"]:
        if label.casefold() in button["Text"].casefold():
            return button
    raise AssertionError(f"no button {label!r} in {labels(keyboard)}")


def labels(keyboard: dict[str, Any] | None) -> list[str]:
    return [button["Text"] for button in (keyboard or {}).get("Buttons", [])]


@asynccontextmanager
async def running(
    settings: Settings, database: Database, fake: FakeViber
) -> AsyncIterator[Harness]:
    """create_app on a test server, as in production; the fake's webhook counts as set."""
    fake.webhook = Webhook(PUBLIC_URL + VIBER_WEBHOOK, ["delivered", "seen", "failed"])
    app = create_app(settings, database)
    async with TestClient(TestServer(app)) as client:
        yield Harness(app, client, fake, database)
