"""The real app in process with its Telegram side pointed at the fake, and a customer's hands:
post updates to the webhook, press the buttons the fake received, read what the database kept."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bots.telegram import SECRET_HEADER
from bots.telegram.settings import TelegramSettings
from bots.webchat.settings import WebchatSettings
from dialogs.messages import Reply
from energobot.app import SERVICES, Services, create_app
from energobot.settings import (
    ConsoleSettings,
    OutboxSettings,
    Settings,
)
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.telegram import FakeTelegram, Sent
from tests.fakes.telegram import updates as build

SECRET = "tg-secret_0123456789"
CHANNEL = "telegram"

TELEGRAM_PATH = "/webhooks/telegram"


def make_settings(fake: FakeTelegram, *, mode: str = "webhook", **outbox_options: Any) -> Settings:
    """Settings as an operator writes them, pointed at the fake; short intervals for tests.
    The app's own per-chat limiter is off unless a test turns it on: the fake's 429s are the
    subject of the delivery tests, and waiting 1 s per message elsewhere only slows the suite."""
    outbox_settings = {
        "poll_seconds": 0.05,
        "report_seconds": 3600,
        "send_timeout_seconds": 5,
        **outbox_options,
    }
    return Settings(
        telegram=TelegramSettings(
            enabled=True,
            mode=mode,  # type: ignore[arg-type]
            token=fake.token,  # type: ignore[arg-type]
            webhook_secret=SECRET,  # type: ignore[arg-type]
            api_base=fake.base_url,
            rate_per_second=0,
            chat_rate_per_second=0,
            polling_timeout_seconds=1,
        ),
        outbox=OutboxSettings(**outbox_settings),
        webchat=WebchatSettings(enabled=False),
        console=ConsoleSettings(enabled=False),
    )


class Harness:
    """One running app and the fake it talks to."""

    def __init__(
        self, app: web.Application, client: TestClient, fake: FakeTelegram, database: Database
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
    ) -> tuple[int, bytes]:
        data = body if isinstance(body, bytes) else encode(body)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with self.client.post(TELEGRAM_PATH, data=data, headers=headers) as response:
            return response.status, await response.read()

    async def deliver(self, update: dict[str, Any]) -> list[Sent]:
        """Post an update as Telegram would, wait for the outbox to drain, return what the
        update's chat received meanwhile."""
        chat_id = chat_of(update)
        before = len(self.fake.sent(chat_id))
        status, body = await self.post(update)
        assert status == 200, (status, body)
        await self.settle()
        return self.fake.sent(chat_id)[before:]

    # -- a customer --------------------------------------------------------------------------

    async def start(self, chat_id: int, param: str | None = None) -> list[Sent]:
        return await self.deliver(build.start_update(chat_id, param, fake=self.fake))

    async def say(self, chat_id: int, text: str, **options: Any) -> list[Sent]:
        return await self.deliver(build.text_update(chat_id, text, fake=self.fake, **options))

    async def press(self, chat_id: int, label: str) -> list[Sent]:
        """Press the button whose label contains `label` on the last keyboard the chat got:
        an inline button sends its callback_data back, a reply-keyboard button its label."""
        sent, button = find_button(self.fake, chat_id, label)
        if "callback_data" in button:
            update = build.callback_update(
                chat_id, button["callback_data"], message_id=sent.message_id, fake=self.fake
            )
            return await self.deliver(update)
        assert not button.get("request_contact"), "a contact button: use share_contact"
        return await self.say(chat_id, button["text"])

    async def share_contact(
        self, chat_id: int, phone: str, *, user_id: Any = build.SENDER
    ) -> list[Sent]:
        return await self.deliver(
            build.contact_update(chat_id, phone, user_id=user_id, fake=self.fake)
        )

    def text(self, sent: list[Sent]) -> str:
        """What the customer read, no-break spaces as spaces."""
        return "\n".join(s.plain_text or "" for s in sent).replace("\xa0", " ")

    # -- the outbox --------------------------------------------------------------------------

    async def pending(self) -> int:
        async with self.database.unit_of_work() as store:
            query = select(func.count()).where(outbox.c.status == "pending")
            return int((await store.connection.execute(query)).scalar_one())

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a deadline
        """Wait until the outbox has nothing left to send (everything sent or given up)."""
        await until(self.pending, lambda count: count == 0, timeout)

    async def enqueue(self, chat_id: int, text: str) -> int:
        """A reply written outside a customer's turn (as an operator's answer is)."""
        conversation = await self.conversation(chat_id)
        async with self.database.unit_of_work() as store:
            row_id = await store.outbox.add(
                conversation["id"],
                CHANNEL,
                str(chat_id),
                Reply(text).to_dict(),
                datetime.now(UTC),
            )
            await store.commit()
        self.services.sender.wake()
        return row_id

    # -- what the database kept --------------------------------------------------------------

    async def rows(self, query: Any) -> list[dict[str, Any]]:
        async with self.database.unit_of_work() as store:
            result = await store.connection.execute(query)
            return [dict(row) for row in result.mappings()]

    async def inbox(self) -> list[dict[str, Any]]:
        return await self.rows(select(inbox).order_by(inbox.c.id))

    async def outbox(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if chat_id is not None:
            query = query.where(outbox.c.user_id == str(chat_id))
        return await self.rows(query)

    async def conversation(self, chat_id: int) -> dict[str, Any]:
        query = (
            select(conversations)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == CHANNEL, customers.c.user_id == str(chat_id))
        )
        (row,) = await self.rows(query)
        return row


def encode(update: dict[str, Any]) -> bytes:
    """JSON as Telegram sends it: UTF-8, or \\u escapes where UTF-8 cannot carry a character
    (a lone surrogate)."""
    try:
        return json.dumps(update, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(update).encode()


def chat_of(update: dict[str, Any]) -> int | None:
    """The private chat an update came from (None for anything else)."""
    for key in ("message", "edited_message", "callback_query", "my_chat_member"):
        if isinstance(part := update.get(key), dict):
            chat = (part.get("message") or part).get("chat") or {}
            sender = part.get("from") or {}
            return chat.get("id") or sender.get("id")
    return None


def last_keyboard(fake: FakeTelegram, chat_id: int) -> Sent:
    """The last message of the chat that carries a keyboard."""
    for sent in reversed(fake.sent(chat_id)):
        if sent.buttons:
            return sent
    raise AssertionError(f"chat {chat_id} got no keyboard: {fake.texts(chat_id)[-3:]!r}")


def find_button(fake: FakeTelegram, chat_id: int, label: str) -> tuple[Sent, dict[str, Any]]:
    sent = last_keyboard(fake, chat_id)
    for row in sent.buttons:
        for button in row:
            if label.casefold() in button["text"].casefold():
                return sent, button
    labels = [button["text"] for row in sent.buttons for button in row]
    raise AssertionError(f"no button {label!r} in {labels}")


def labels(sent: Sent) -> list[str]:
    return [button["text"] for row in sent.buttons for button in row]


async def until(
    probe: Callable[[], Any],
    check: Callable[[Any], bool],
    timeout: float = 10.0,  # noqa: ASYNC109 - polling with a deadline is the point
) -> Any:
    """Poll `await probe()` (or `probe()`) until `check` holds; fail with the last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        if check(value):
            return value
        if loop.time() >= deadline:
            raise AssertionError(f"waited {timeout}s; last value {value!r}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running(
    settings: Settings, database: Database, fake: FakeTelegram
) -> AsyncIterator[Harness]:
    """create_app on a test server: startup (sender, pollers) and cleanup as in production."""
    app = create_app(settings, database)
    async with TestClient(TestServer(app)) as client:
        yield Harness(app, client, fake, database)
