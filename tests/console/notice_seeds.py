"""Customers with linked accounts, campaigns and their notices, put straight into the store for
the console's campaign and outage pages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from core.accounts import Account, Category
from core.notices import CampaignRecord, Kind, NoticeDraft, lane_of, notice_key
from core.ports import Store
from storage.database import Database
from storage.tables import outbox
from tests.console.conftest import Browser, add_operator


async def login_as(database: Database, browser_factory: Any, login: str, role: str) -> Browser:
    await add_operator(database, login, role=role)
    browser: Browser = browser_factory()
    response = await browser.login(login)
    assert response.url.path == "/console/queue", browser.page
    return browser


def account(number: str, address: str) -> Account:
    return Account(
        number=number,
        surname="Петрова",
        first_name="Анна",
        patronymic="Сергеевна",
        address=address,
        category=Category.URBAN_GAS,
        phone=None,
        email=None,
        large_family=False,
        balance=Decimal("0"),
        due_date=None,
    )


async def link(store: Store, user_id: str, number: str, address: str) -> tuple[int, int]:
    """A customer of the test channel with the account linked: (customer, conversation)."""
    now = datetime.now(UTC)
    await store.accounts.upsert([account(number, address)])
    customer = await store.customers.get_or_create("test", user_id, "Анна", "ru", now)
    conversation = await store.conversations.get_for_update(customer, now)
    await store.accounts.link(customer.id, number, "test", now)
    return customer.id, conversation.id


async def seed_links(database: Database, links: list[tuple[str, str, str]]) -> None:
    """(user id, account, address) each."""
    async with database.unit_of_work() as store:
        for user_id, number, address in links:
            await link(store, user_id, number, address)
        await store.commit()


async def seed_campaign(
    database: Database,
    states: list[tuple[str, str | None, str | None]],
    kind: str = "reading_reminder",
    subject: str = "2026-12",
    outage_id: int | None = None,
) -> CampaignRecord:
    """A produced campaign with one notice per (status, delivery, last_error): «pending», None,
    None is queued; «sent», «read», None was read; «skipped», None, «unsubscribed» skipped."""
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        campaign = await store.campaigns.ensure(
            f"{kind}:{subject}", kind, subject, now, outage_id=outage_id
        )
        drafts = []
        for index in range(len(states)):
            number = f"59{campaign.id:04d}{index:04d}"
            user_id = f"c{campaign.id}-{index}"
            customer_id, conversation_id = await link(
                store, user_id, number, "г. Пермь, ул. Мира, д. 1"
            )
            drafts.append(
                NoticeDraft(
                    key=notice_key(Kind(kind), subject, number, customer_id),
                    conversation_id=conversation_id,
                    channel="test",
                    user_id=user_id,
                    account=number,
                    params={"account": number, "period": subject},
                )
            )
        lane = int(lane_of(Kind(kind)))
        assert await store.notices.queue(campaign.id, kind, lane, drafts, now) == len(states)
        connection = store.connection  # type: ignore[attr-defined]
        for draft, (status, delivery, error) in zip(drafts, states, strict=True):
            await connection.execute(
                update(outbox)
                .where(outbox.c.notice_key == draft.key)
                .values(status=status, delivery=delivery, last_error=error)
            )
        await store.campaigns.produced(campaign.id, now)
        await store.commit()
        found = await store.campaigns.get(campaign.id)
    assert found is not None
    return found


async def outbox_states(database: Database, campaign_id: int) -> list[tuple[str, str | None]]:
    from sqlalchemy import select

    async with database.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.status, outbox.c.last_error)
            .where(outbox.c.campaign_id == campaign_id)
            .order_by(outbox.c.id)
        )
        return [(row[0], row[1]) for row in result.all()]
