"""Payments left `pending` — a notification lost, or none configured — are fetched back from
YooKassa and settled as a notification would settle them: told once, whoever comes first."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.payments import OnlinePayment, PaymentStatus
from energobot.pay import mount_payments
from energobot.pay_reconcile import reconcile
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, linked
from tests.fakes.yookassa.server import FakeYookassa
from tests.payments.conftest import Site

ACCOUNT = "5901234567"


async def _opened(customer: Customer, site: Site) -> str:
    """Ask for a link and press its button: YooKassa's payment id."""
    await linked(customer)
    await customer.send("как оплатить")
    pressed = await site.client.post(site.path(customer.text()), allow_redirects=False)
    assert pressed.status == 303, await pressed.text()
    [payment_id] = await _ids(site)
    return payment_id


async def _ids(site: Site) -> list[str]:
    async with site.desk.unit_of_work() as store:
        rows = await store.online_payments.of_account(ACCOUNT, list(PaymentStatus))
    return [row.provider_id for row in rows if row.provider_id]


async def _row(database: Database) -> OnlinePayment:
    async with database.unit_of_work() as store:
        [row] = await store.online_payments.of_account(ACCOUNT, list(PaymentStatus))
    return row


async def _told(database: Database, words: str) -> int:
    async with database.unit_of_work() as store:
        rows = await store.outbox.pending("test")
    return sum(words in row.body["text"] for row in rows)


async def test_a_payment_whose_notification_never_came_is_fetched_and_told_once(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database, clock: Clock
) -> None:
    payment_id = await _opened(customer, site)
    fake_yookassa.succeed(payment_id)
    assert await reconcile(site.desk) == 0  # just opened: the notification may be on its way
    clock.now += timedelta(minutes=5)
    gets = fake_yookassa.gets
    assert await reconcile(site.desk) == 1
    assert fake_yookassa.gets == gets + 1
    row = await _row(database)
    assert row.status is PaymentStatus.SUCCEEDED and row.succeeded_at == clock.now
    assert await _told(database, "получена") == 1 and site.woken == [1]
    # Again, and the late notification: nothing more is told.
    assert await reconcile(site.desk) == 0
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    assert await _told(database, "получена") == 1 and site.woken == [1]


async def test_declined_abandoned_and_unfinished_payments(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database, clock: Clock
) -> None:
    payment_id = await _opened(customer, site)
    clock.now += timedelta(minutes=5)
    assert await reconcile(site.desk) == 0  # still being paid: left pending
    assert (await _row(database)).status is PaymentStatus.PENDING
    fake_yookassa.cancel(payment_id, "insufficient_funds")
    assert await reconcile(site.desk) == 1
    row = await _row(database)
    assert row.status is PaymentStatus.CANCELED and row.cancel_reason == "insufficient_funds"
    assert await _told(database, "не прошла") == 1


async def test_old_payments_are_no_longer_asked_and_yookassa_down_waits(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database, clock: Clock
) -> None:
    payment_id = await _opened(customer, site)
    fake_yookassa.succeed(payment_id)
    clock.now += timedelta(minutes=5)
    fake_yookassa.down = True
    assert await reconcile(site.desk) == 0
    assert (await _row(database)).status is PaymentStatus.PENDING
    fake_yookassa.down = False
    clock.now += site.desk.rules.link_lifetime + timedelta(days=1)  # past the link and a day
    gets = fake_yookassa.gets
    assert await reconcile(site.desk) == 0 and fake_yookassa.gets == gets


async def test_serve_runs_it_every_few_minutes_and_two_processes_tell_once(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database, clock: Clock
) -> None:
    payment_id = await _opened(customer, site)
    fake_yookassa.succeed(payment_id)
    clock.now += timedelta(minutes=5)
    desk = site.desk
    desk.reconcile_every = timedelta(milliseconds=20)
    apps = []
    for _ in range(2):  # two processes of `serve`, each with its own routes and timer
        app = web.Application()
        mount_payments(app, desk)
        apps.append(TestClient(TestServer(app)))
    for client in apps:
        await client.start_server()
    try:
        for _ in range(100):
            if (await _row(database)).status is PaymentStatus.SUCCEEDED:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
    finally:
        for client in apps:
            await client.close()
    assert (await _row(database)).status is PaymentStatus.SUCCEEDED
    assert await _told(database, "получена") == 1
