"""The real app in process with its WhatsApp and Messenger sides pointed at FakeGraph, and a
customer's hands on both: signed webhook bodies in, the buttons the fake received pressed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, update

from bots.messenger.settings import MessengerSettings
from bots.meta import SIGNATURE_HEADER
from bots.webchat.settings import WebchatSettings
from bots.whatsapp.settings import WhatsAppSettings, WhatsAppTemplate
from dialogs.messages import Reply
from energobot.app import SERVICES, Services, create_app
from energobot.settings import (
    ConsoleSettings,
    OutboxSettings,
    Settings,
)
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.graph import (
    APP_SECRET,
    PAGE_TOKEN,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    WHATSAPP_TOKEN,
    FakeGraph,
    Sent,
)
from tests.fakes.graph import webhooks as build
from tests.telegram.harness import until

MESSENGER_WEBHOOK = "/webhooks/messenger"
WHATSAPP_WEBHOOK = "/webhooks/whatsapp"
PATHS = {"whatsapp": WHATSAPP_WEBHOOK, "messenger": MESSENGER_WEBHOOK}
REMINDER = "reading_reminder"
# An approved template with body placeholders, filled from a debt notice's values in this order.
DEBT_TEMPLATE = WhatsAppTemplate(
    name="debt_due_v1", language="ru", parameters=["account", "amount", "due"]
)


def make_settings(fake: FakeGraph) -> Settings:
    """Both channels on, pointed at the fake; the app's own rate limiters off (the fake's are
    the subject where a test turns them on)."""
    return Settings(
        whatsapp=WhatsAppSettings(
            enabled=True,
            api_base=fake.base_url,
            phone_number_id=PHONE_NUMBER_ID,
            token=WHATSAPP_TOKEN,  # type: ignore[arg-type]
            app_secret=APP_SECRET,  # type: ignore[arg-type]
            verify_token=VERIFY_TOKEN,  # type: ignore[arg-type]
            templates={
                REMINDER: WhatsAppTemplate(name="reading_reminder_v2", language="ru"),
                "debt_due": DEBT_TEMPLATE,
            },
            rate_per_second=0,
            chat_rate_per_second=0,
        ),
        messenger=MessengerSettings(
            enabled=True,
            api_base=fake.base_url,
            page_token=PAGE_TOKEN,  # type: ignore[arg-type]
            app_secret=APP_SECRET,  # type: ignore[arg-type]
            verify_token=VERIFY_TOKEN,  # type: ignore[arg-type]
            rate_per_second=0,
            chat_rate_per_second=0,
        ),
        outbox=OutboxSettings(poll_seconds=0.05, report_seconds=3600, send_timeout_seconds=5),
        webchat=WebchatSettings(enabled=False),
        console=ConsoleSettings(enabled=False),
    )


class Harness:
    def __init__(
        self, app: web.Application, client: TestClient, fake: FakeGraph, database: Database
    ) -> None:
        self.app, self.client, self.fake, self.database = app, client, fake, database

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    # -- webhooks ----------------------------------------------------------------------------

    async def post(
        self,
        platform: str,
        body: dict[str, Any] | bytes,
        *,
        signature: str | None = "",
        secret: str = APP_SECRET,
    ) -> tuple[int, str]:
        """POST as Meta does: signed with the app secret unless `signature` is given (None:
        no header at all)."""
        data = body if isinstance(body, bytes) else build.encode(body)
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature or build.sign(data, secret)
        async with self.client.post(PATHS[platform], data=data, headers=headers) as response:
            return response.status, await response.text()

    async def verify(self, platform: str, params: dict[str, str]) -> tuple[int, str, str]:
        async with self.client.get(PATHS[platform], params=params) as response:
            return response.status, await response.text(), response.content_type

    async def deliver(self, platform: str, body: dict[str, Any]) -> list[Sent]:
        """Post a customer's body (their window opens at the fake), wait for the outbox to
        drain, return what the fake accepted meanwhile."""
        for user in senders(platform, body):
            self.fake.wrote(user)
        before = len(self.fake.delivered)
        status, text = await self.post(platform, body)
        assert status == 200, (status, text)
        await self.settle()
        return self.fake.delivered[before:]

    # -- a WhatsApp customer -----------------------------------------------------------------

    async def wa_say(self, wa_id: str, text: str, **options: Any) -> list[Sent]:
        return await self.deliver("whatsapp", build.wa_text(wa_id, text, **options))

    async def wa_press(self, wa_id: str, label: str, **options: Any) -> list[Sent]:
        """Tap the option whose title contains `label` on the last interactive message; on
        numbered text, type its number."""
        sent = self.last_with_options(wa_id)
        if sent is None:
            return await self.wa_say(wa_id, self.numbered(wa_id, label), **options)
        title, reply_id = find(sent, label)
        if sent.kind == "interactive:list":
            body = build.wa_list_reply(wa_id, reply_id, title, **options)
        else:
            body = build.wa_button_reply(wa_id, reply_id, title, **options)
        return await self.deliver("whatsapp", body)

    async def wa_share_contact(self, wa_id: str, phone: str, *, own: bool = True) -> list[Sent]:
        card_wa_id = wa_id if own else "79990001122"
        return await self.deliver("whatsapp", build.wa_contact_card(wa_id, phone, card_wa_id))

    # -- a Messenger customer ----------------------------------------------------------------

    async def fb_say(self, psid: str, text: str) -> list[Sent]:
        return await self.deliver("messenger", build.fb_text(psid, text))

    async def fb_press(self, psid: str, label: str) -> list[Sent]:
        """A quick reply sends a message with its payload; a card's button a postback."""
        sent = self.last_with_options(psid)
        if sent is None:
            return await self.fb_say(psid, self.numbered(psid, label))
        title, payload = find(sent, label)
        if sent.kind == "quick_replies":
            return await self.deliver("messenger", build.fb_quick_reply(psid, payload, title))
        return await self.deliver("messenger", build.fb_postback(psid, payload, title))

    async def fb_share_phone(self, psid: str, phone: str) -> list[Sent]:
        sent = self.last_with_options(psid)
        assert sent is not None and ("user_phone_number", "user_phone_number") in sent.options
        return await self.deliver("messenger", build.fb_quick_reply(psid, phone, phone))

    # -- reading what came back ----------------------------------------------------------------

    def last_with_options(self, user: str) -> Sent | None:
        for sent in reversed(self.fake.sent(user)):
            if sent.options:
                return sent
            if "\n1 — " in sent.text:
                return None  # numbered text is the latest prompt
        return None

    def numbered(self, user: str, label: str) -> str:
        text = "\n".join(s.text for s in self.fake.sent(user)[-2:])
        for line in text.splitlines():
            number, sep, title = line.partition(" — ")
            if sep and number.isdigit() and label.casefold() in title.casefold():
                return number
        raise AssertionError(f"no option {label!r} in {text!r}")

    @staticmethod
    def text(sent: list[Sent]) -> str:
        return "\n".join(s.text for s in sent).replace("\xa0", " ")

    # -- the outbox and the database ---------------------------------------------------------

    async def pending(self) -> int:
        async with self.database.unit_of_work() as store:
            query = select(func.count()).where(outbox.c.status == "pending")
            return int((await store.connection.execute(query)).scalar_one())

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a deadline
        await until(self.pending, lambda count: count == 0, timeout)

    async def rows(self, query: Any) -> list[dict[str, Any]]:
        async with self.database.unit_of_work() as store:
            result = await store.connection.execute(query)
            return [dict(row) for row in result.mappings()]

    async def inbox(self) -> list[dict[str, Any]]:
        return await self.rows(select(inbox).order_by(inbox.c.id))

    async def outbox(self, user: str | None = None) -> list[dict[str, Any]]:
        query = select(outbox).order_by(outbox.c.id)
        if user is not None:
            query = query.where(outbox.c.user_id == user)
        return await self.rows(query)

    async def conversation(self, platform: str, user: str) -> dict[str, Any]:
        query = (
            select(conversations)
            .join(customers, customers.c.id == conversations.c.customer_id)
            .where(customers.c.channel == platform, customers.c.user_id == user)
        )
        (row,) = await self.rows(query)
        return row

    async def age(self, platform: str, user: str, hours: float) -> None:
        """The customer last wrote `hours` ago (for us and for the fake)."""
        at = datetime.now(UTC) - timedelta(hours=hours)
        conversation = await self.conversation(platform, user)
        async with self.database.unit_of_work() as store:
            await store.connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation["id"])
                .values(last_inbound_at=at)
            )
            await store.commit()
        self.fake.wrote(user, at)

    async def enqueue(self, platform: str, user: str, reply: Reply) -> int:
        """A reply written outside the customer's turn (an operator's answer, a reminder)."""
        conversation = await self.conversation(platform, user)
        async with self.database.unit_of_work() as store:
            row_id = await store.outbox.add(
                conversation["id"], platform, user, reply.to_dict(), datetime.now(UTC)
            )
            await store.commit()
        self.services.sender.wake()
        await self.settle()
        (row,) = await self.rows(select(outbox).where(outbox.c.id == row_id))
        return row


def senders(platform: str, body: dict[str, Any]) -> set[str]:
    """Whose window a body opens: the senders of its messages."""
    users: set[str] = set()
    for entry in body.get("entry", []):
        if platform == "whatsapp":
            for change in entry.get("changes", []):
                value = change.get("value", {})
                for message in value.get("messages", []):
                    user = message.get("from_user_id") or message.get("from")
                    if user:
                        users.add(str(user))
        else:
            for event in entry.get("messaging", []):
                if "message" in event or "postback" in event:
                    users.add(str(event.get("sender", {}).get("id")))
    return users


def find(sent: Sent, label: str) -> tuple[str, str]:
    for title, payload in sent.options:
        if label.casefold() in title.casefold():
            return title, payload
    raise AssertionError(f"no option {label!r} in {[t for t, _ in sent.options]}")


def dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


@asynccontextmanager
async def running(fake: FakeGraph, database: Database) -> AsyncIterator[Harness]:
    app = create_app(make_settings(fake), database)
    async with TestClient(TestServer(app)) as client:
        yield Harness(app, client, fake, database)
