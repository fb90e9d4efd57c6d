"""What to pay now, one rule for the QR and every total: the debt plus billing's own penalty,
never the bot's estimate, less the online payments on their way to billing."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from core.payment_qr import parse_payload
from core.payments import OnlinePayment, PaymentStatus
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.pipeline import Pipeline
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, account, linked, local, make_config, seed
from tests.dialogs.papers_read import attachments, pdf_images, pdf_text, png_qr_texts, qr_texts
from tests.dialogs.test_papers import BANK
from tests.payments.conftest import rules

NUMBER = "5901234567"  # debt 1 250,40 due 15 December 2026


async def _customer(database: Database, clock: Clock) -> Customer:
    await seed(database)
    base = make_config(payments=rules())
    config = replace(base, company=replace(base.company, bank=dict(BANK)))
    customer = Customer(Pipeline(database.unit_of_work, Engine(FLOWS), config, clock=clock))
    await linked(customer)
    return customer


async def _paid_online(database: Database, clock: Clock, amount: str) -> None:
    now = clock()
    async with database.unit_of_work() as store:
        row = await store.customers.get_or_create("test", "1001", "", "ru", now)
        await store.online_payments.add(
            OnlinePayment(
                public_id=uuid.uuid4().hex,
                idempotence_key=str(uuid.uuid4()),
                account=NUMBER,
                amount=Decimal(amount),
                status=PaymentStatus.SUCCEEDED,
                created_at=now,
                expires_at=now + timedelta(hours=24),
                paid_at=now,
                customer_id=row.id,
                provider_id=f"yk-{uuid.uuid4().hex[:8]}",
            )
        )
        await store.commit()


def _total(text: str) -> str:
    found = re.search(r"Итого к оплате\s+(.+)", text)
    assert found, text
    return found[1].strip()


async def test_an_estimated_penalty_is_said_but_never_asked_for(database: Database) -> None:
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    clock.now = local(2027, 3, 1, 10, 0)  # 76 days past the due date: a penalty runs

    await customer.send("сколько платить")
    text = customer.text()
    assert "примерно" in text and "Пени в нём нет" in text
    assert "QR-код для оплаты 1 250,40 ₽" in text
    (qr,) = attachments(customer.last)
    assert parse_payload(png_qr_texts(qr)[0])["Sum"] == "125040"

    await customer.send("квитанция")
    assert "Итого к оплате: 1 250,40 ₽" in customer.text()
    assert "с пенями" not in customer.text()
    (pdf,) = attachments(customer.last)
    text = pdf_text(pdf)
    assert "Пени на сегодня (примерно, в итог не входят)" in text
    assert _total(text) == "1 250,40 ₽"
    assert parse_payload(qr_texts(pdf_images(pdf))[0])["Sum"] == "125040"


async def test_billings_own_penalty_is_part_of_what_to_pay(database: Database) -> None:
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    async with database.unit_of_work() as store:
        await store.accounts.upsert(
            [account(NUMBER, "Иванова", phone="+79120000001", penalty=Decimal("45.10"))]
        )
        await store.commit()
    clock.now = local(2027, 3, 1, 10, 0)

    await customer.send("сколько платить")
    assert "QR-код для оплаты 1 295,50 ₽" in customer.text()
    (qr,) = attachments(customer.last)
    assert parse_payload(png_qr_texts(qr)[0])["Sum"] == "129550"

    await customer.send("квитанция")
    assert "Итого к оплате с пенями: 1 295,50 ₽" in customer.text()
    (pdf,) = attachments(customer.last)
    assert _total(pdf_text(pdf)) == "1 295,50 ₽"
    assert parse_payload(qr_texts(pdf_images(pdf))[0])["Sum"] == "129550"


async def test_a_paid_online_debt_gets_no_second_qr(database: Database) -> None:
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    await _paid_online(database, clock, "1250.40")

    await customer.send("сколько платить")
    assert "уже на пути" in customer.text() or "в пути" in customer.text()
    assert "QR-код" not in customer.text()
    assert attachments(customer.last) == []

    await customer.send("квитанция")
    assert "Итого к оплате" not in customer.text()
    (pdf,) = attachments(customer.last)
    text = pdf_text(pdf)
    assert "Оплачено онлайн, ещё не учтено расчётным центром 1 250,40 ₽" in text
    assert _total(text) == "ничего — оплата уже в пути"
    assert qr_texts(pdf_images(pdf)) == []


async def test_a_partial_online_payment_leaves_the_rest_to_pay(database: Database) -> None:
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    await _paid_online(database, clock, "1000.00")

    await customer.send("сколько платить")
    assert "QR-код для оплаты 250,40 ₽" in customer.text()
    (qr,) = attachments(customer.last)
    assert parse_payload(png_qr_texts(qr)[0])["Sum"] == "25040"

    await customer.send("квитанция")
    assert "Итого к оплате: 250,40 ₽" in customer.text()
    (pdf,) = attachments(customer.last)
    assert _total(pdf_text(pdf)) == "250,40 ₽"
    assert parse_payload(qr_texts(pdf_images(pdf))[0])["Sum"] == "25040"


async def test_file_names_carry_only_the_last_four_digits(database: Database) -> None:
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    names = []
    for text in ("квитанция", "сколько платить", "история потребления"):
        await customer.send(text)
        names += [file.filename for file in attachments(customer.last)]
    assert names == ["kvitanciya-4567-2026-10.pdf", "oplata-4567.png", "potreblenie-4567.png"]
    assert not any(NUMBER in name for name in names)


async def test_asked_for_the_qr_code_the_customer_gets_it(database: Database) -> None:
    """«скиньте куар код для оплаты» goes to paying: the link, and the QR of what is due."""
    clock = Clock(local(2026, 11, 20, 10, 0))
    customer = await _customer(database, clock)
    for asked in ("скиньте куар код для оплаты", "qr code please", "оплатить по qr"):
        await customer.send(asked)
        (qr,) = attachments(customer.last)
        assert parse_payload(png_qr_texts(qr)[0])["Sum"] == "125040", asked
        await customer.send("меню")
