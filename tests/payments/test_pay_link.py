"""«как оплатить» → a link the turn wrote → GET /pay (a page, nothing done) → its button POSTs →
YooKassa's page; notifications fetched back; the customer told once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from core.payments import PaymentStatus
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, linked
from tests.fakes.yookassa.server import FakeYookassa
from tests.payments.conftest import Site

ACCOUNT = "5901234567"


async def _payments(database: Database) -> list:
    async with database.unit_of_work() as store:
        return await store.online_payments.of_account(ACCOUNT, list(PaymentStatus))


async def _told(database: Database) -> list[str]:
    async with database.unit_of_work() as store:
        rows = await store.outbox.pending("test")
    return [row.body["text"] for row in rows if "получена" in row.body["text"]]


async def _opened(customer: Customer, site: Site, text: str = "как оплатить") -> str:
    """Ask for a link and open it: YooKassa's page address."""
    await linked(customer)
    await customer.send(text)
    response = await site.client.post(site.path(customer.text()), allow_redirects=False)
    assert response.status == 303, await response.text()
    return response.headers["Location"]


async def test_the_amount_due_is_offered_and_the_link_opens_yookassa(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    text = customer.text()
    assert "Оплатить 1 250,40 ₽ — https://bot.energosbyt.example/pay/" in text
    assert "никогда не спрашиваю данные банковской карты" in text
    assert "Другую сумму" in customer.labels()
    [row] = await _payments(database)
    assert row.status is PaymentStatus.CREATED and row.amount == Decimal("1250.40")
    assert fake_yookassa.creates == 0  # the turn never calls the acquirer

    path = site.path(text)
    shown = await site.client.get(path, allow_redirects=False)
    page = await shown.text()
    assert shown.status == 200, page
    assert "1\xa0250,40 ₽" in page and "•••••••4567" in page and ACCOUNT not in page
    assert '<form method="post">' in page and "Перейти к оплате" in page
    assert fake_yookassa.creates == 0  # seen is not paid: a preview or a scanner does nothing

    first = await site.client.post(path, allow_redirects=False)
    assert first.status == 303
    [payment] = fake_yookassa.payments.values()
    assert first.headers["Location"] == payment["confirmation"]["confirmation_url"]
    assert payment["amount"] == {"value": "1250.40", "currency": "RUB"}
    assert payment["metadata"] == {"account": ACCOUNT, "payment_id": row.public_id}
    assert "payment_method" not in payment  # two methods: YooKassa's page offers both
    page = await site.client.session.get(first.headers["Location"])
    assert page.status == 200 and "1250.40" in await page.text()

    second = await site.client.post(path, allow_redirects=False)
    assert second.status == 303 and second.headers["Location"] == first.headers["Location"]
    assert len(fake_yookassa.payments) == 1
    [row] = await _payments(database)
    assert row.status is PaymentStatus.PENDING and row.provider_id == payment["id"]


async def test_asked_twice_one_link(customer: Customer, site: Site, database: Database) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    first = site.path(customer.text())
    await customer.send("оплатить")
    assert site.path(customer.text()) == first
    assert len(await _payments(database)) == 1


async def test_a_succeeded_payment_is_fetched_back_and_told_once(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.succeed(payment_id, method="sbp")
    gets = fake_yookassa.gets
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    assert fake_yookassa.gets == gets + 1  # not believed as it came
    [row] = await _payments(database)
    assert row.status is PaymentStatus.SUCCEEDED and row.method == "sbp"
    assert row.paid_at is not None
    told = await _told(database)
    assert told == [
        "Оплата 1\xa0250,40 ₽ по счёту •••••••4567 получена — спасибо! В расчётный центр она "
        "поступит в течение 3 рабочих дней, до этого долг в расчётах ещё может быть виден."
    ]
    assert site.woken == [1]

    assert await fake_yookassa.notify(site.webhook, payment_id) == 200  # YooKassa repeats
    assert len(await _told(database)) == 1 and site.woken == [1]

    again = await site.client.get(site.path(customer.text()), allow_redirects=False)
    assert again.status == 410 and "Уже оплачено" in await again.text()
    paid = await site.client.post(site.path(customer.text()), allow_redirects=False)
    assert paid.status == 410 and "Уже оплачено" in await paid.text()


async def test_forged_notifications_change_nothing(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    real = dict(fake_yookassa.payments[payment_id])
    # Unknown to us.
    forged = {**real, "id": "2d7c1b1e-000f-5000-a000-1b0f0e0e0e0e", "status": "succeeded"}
    assert await fake_yookassa.notify(site.webhook, "", "payment.succeeded", forged) == 200
    # Ours, but YooKassa says it is still pending.
    claimed = {**real, "status": "succeeded", "paid": True}
    assert await fake_yookassa.notify(site.webhook, "", "payment.succeeded", claimed) == 200
    # Succeeded at YooKassa, but of another amount than ours.
    fake_yookassa.payments[payment_id]["amount"] = {"value": "1.00", "currency": "RUB"}
    fake_yookassa.succeed(payment_id)
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    [row] = await _payments(database)
    assert row.status is PaymentStatus.PENDING and row.paid_at is None
    assert await _told(database) == [] and site.woken == []


async def test_a_canceled_payment_is_marked_and_an_abandoned_page_tells_nothing(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.cancel(payment_id, "expired_on_confirmation")
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    [row] = await _payments(database)
    assert row.status is PaymentStatus.CANCELED
    assert row.cancel_reason == "expired_on_confirmation"
    assert site.woken == []
    gone = await site.client.get(site.path(customer.text()), allow_redirects=False)
    assert gone.status == 410 and "не действует" in await gone.text()


async def test_a_declined_payment_is_told(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.cancel(payment_id, "insufficient_funds")
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    async with database.unit_of_work() as store:
        rows = await store.outbox.pending("test")
    assert any("не прошла" in row.body["text"] for row in rows)
    assert site.woken == [1]


async def test_bad_notifications_are_refused(site: Site) -> None:
    url = "/webhooks/yookassa"
    assert (await site.client.post(url, data=b"{not json")).status == 400
    assert (await site.client.post(url, json={"type": "other"})).status == 400
    assert (await site.client.post(url, json={"type": "notification", "event": "x"})).status == 400
    huge = b'{"type": "notification", "pad": "' + b"x" * 70_000 + b'"}'
    assert (await site.client.post(url, data=huge)).status == 413


async def test_forged_and_expired_links_get_a_polite_page(
    customer: Customer, site: Site, clock: Clock, fake_yookassa: FakeYookassa
) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    path = site.path(customer.text())
    forged = await site.client.get(path[:-3] + "abc", allow_redirects=False)
    assert forged.status == 404 and "Ссылка не найдена" in await forged.text()
    assert (await site.client.get("/pay/nothing", allow_redirects=False)).status == 404
    for odd in ("/pay/abc.%C3%A9", "/pay/%D0%B0%D0%B1%D0%B2.abc"):  # «abc.é», «абв.abc»
        for answer in (await site.client.get(odd), await site.client.post(odd)):
            assert answer.status == 404 and "Ссылка не найдена" in await answer.text()
    assert (await site.client.post(path[:-3] + "abc", allow_redirects=False)).status == 404
    site.desk.clock = lambda: clock.now + timedelta(hours=25)
    expired = await site.client.get(path, allow_redirects=False)
    assert expired.status == 410 and "Напишите боту" in await expired.text()
    pressed = await site.client.post(path, allow_redirects=False)
    assert pressed.status == 410 and "Напишите боту" in await pressed.text()
    assert fake_yookassa.creates == 0


async def test_yookassa_down_is_a_try_later_page_and_nothing_is_lost(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    path = site.path(customer.text())
    fake_yookassa.down = True
    down = await site.client.post(path, allow_redirects=False)
    assert down.status == 503 and "Попробуйте позже" in await down.text()
    [row] = await _payments(database)
    assert row.status is PaymentStatus.CREATED
    fake_yookassa.down = False
    up = await site.client.post(path, allow_redirects=False)
    assert up.status == 303 and len(fake_yookassa.payments) == 1


async def test_notifications_only_from_trusted_networks_when_set(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.succeed(payment_id)
    site.desk.trusted_networks = ("185.71.76.0/27", "77.75.156.11/32")
    assert await fake_yookassa.notify(site.webhook, payment_id) == 403
    [row] = await _payments(database)
    assert row.status is PaymentStatus.PENDING
    site.desk.trusted_networks = ("185.71.76.0/27", "127.0.0.0/8")
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    [row] = await _payments(database)
    assert row.status is PaymentStatus.SUCCEEDED


async def test_previews_and_scanners_use_nothing_up(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database, clock: Clock
) -> None:
    """Messengers fetch a message's links for previews (GET and HEAD): only the button pays."""
    await linked(customer)
    await customer.send("как оплатить")
    path = site.path(customer.text())
    assert (await site.client.head(path, allow_redirects=False)).status == 200
    assert (await site.client.get(path, allow_redirects=False)).status == 200
    assert fake_yookassa.creates == 0
    [row] = await _payments(database)
    assert row.status is PaymentStatus.CREATED

    # Hours later, within the link's day, the customer presses the button: a fresh payment.
    site.desk.clock = lambda: clock.now + timedelta(hours=5)
    pressed = await site.client.post(path, allow_redirects=False)
    assert pressed.status == 303 and fake_yookassa.creates == 1
    # Back on the link: its page, whose button goes on to the same payment.
    again = await site.client.get(path, allow_redirects=False)
    assert again.status == 200 and "Перейти к оплате" in await again.text()
    on = await site.client.post(path, allow_redirects=False)
    assert on.headers["Location"] == pressed.headers["Location"] and fake_yookassa.creates == 1


async def test_the_page_speaks_the_customers_language(
    customer: Customer, site: Site, database: Database
) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    path = site.path(customer.text())
    async with database.unit_of_work() as store:
        [row] = await store.online_payments.of_account(ACCOUNT, [PaymentStatus.CREATED])
        assert row.customer_id is not None
        found = await store.customers.get(row.customer_id)
        assert found is not None
        await store.customers.update(replace(found, language="en"))
        await store.commit()
    page = await (await site.client.get(path)).text()
    assert 'lang="en"' in page and "Go to payment" in page and "1,250.40" in page


async def test_a_notification_in_pieces_is_read_whole(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    """A body that arrives in several TCP segments (a few KiB over the internet) is one body."""
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.succeed(payment_id)
    body = json.dumps(
        {
            "type": "notification",
            "event": "payment.succeeded",
            "object": {**fake_yookassa.payments[payment_id], "description": "x" * 1500},
        }
    ).encode()

    async def pieces() -> AsyncIterator[bytes]:
        yield body[:700]
        await asyncio.sleep(0.05)
        yield body[700:]

    sent = await site.client.post("/webhooks/yookassa", data=pieces())
    assert sent.status == 200, await sent.text()
    [row] = await _payments(database)
    assert row.status is PaymentStatus.SUCCEEDED

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: still at most 64 KiB
        for _ in range(20):
            yield b"x" * 8192

    assert (await site.client.post("/webhooks/yookassa", data=endless())).status == 413


async def test_a_54fz_receipt_when_the_shop_fiscalises_through_yookassa(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    fake_yookassa.needs_receipt = True
    await linked(customer)
    await customer.send("как оплатить")
    path = site.path(customer.text())
    refused = await site.client.post(path, allow_redirects=False)
    assert refused.status == 503  # no receipt set up: YooKassa refuses, the customer waits

    site.desk.client.config = replace(site.desk.client.config, receipt_vat_code=1)
    pressed = await site.client.post(path, allow_redirects=False)
    assert pressed.status == 303, await pressed.text()
    [payment] = fake_yookassa.payments.values()
    assert fake_yookassa.keys  # the receipt went with the payment it was made for
    [(body, _)] = [v for v in fake_yookassa.keys.values() if v[1]["id"] == payment["id"]]
    assert body["receipt"] == {
        "customer": {"phone": "79120000001"},  # the account's phone; it has no e-mail
        "items": [
            {
                "description": "Электроэнергия",
                "quantity": "1.00",
                "amount": {"value": "1250.40", "currency": "RUB"},
                "vat_code": 1,
                "payment_subject": "service",
                "payment_mode": "full_payment",
            }
        ],
    }


async def test_a_payment_on_its_way_is_not_asked_for_again(
    customer: Customer, site: Site, fake_yookassa: FakeYookassa, database: Database
) -> None:
    """Paid through the bot, billing does not show it yet: «как оплатить» offers no second
    link for the same debt, and says the payment is on its way."""
    await _opened(customer, site)
    [payment_id] = fake_yookassa.payments
    fake_yookassa.succeed(payment_id)
    assert await fake_yookassa.notify(site.webhook, payment_id) == 200
    await customer.send("меню")
    await customer.send("как оплатить")
    text = customer.text()
    assert "платить не нужно" in text and "уже в пути" in text, text
    assert "/pay/" not in text
    assert len(await _payments(database)) == 1
