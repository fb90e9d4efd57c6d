"""The amount to pay: the one due, one named in the request, «другую сумму» and what is wrong
with a bad one; and the company's own page when payments.provider is link."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.payments import PaymentStatus, Provider
from dialogs.config import DialogConfig
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, linked, local, make_config
from tests.payments.conftest import LINK, rules


async def _amounts(database: Database) -> list[Decimal]:
    async with database.unit_of_work() as store:
        rows = await store.online_payments.of_account("5901234567", list(PaymentStatus))
    return [row.amount for row in rows]


@pytest.mark.parametrize(
    "said",
    [
        "оплатить 500",
        "хочу оплатить 500 руб",
        "Оплатить 500р",
        "оплатить 500 за ноябрь",
        "как оплатить за ноябрь 2026 500 рублей",
        "заплатить 500, можно?",
    ],
)
async def test_an_amount_named_with_the_request(
    customer: Customer, database: Database, said: str
) -> None:
    await linked(customer)
    await customer.send(said)
    assert "Оплатить 500,00 ₽ — https://bot.energosbyt.example/pay/" in customer.text()
    assert await _amounts(database) == [Decimal("500.00")]


@pytest.mark.parametrize(
    "said",
    [
        "как оплатить за ноябрь 2026",
        "как оплатить сразу 2 месяца",
        "оплатить 2 месяца",
        "как оплатить в 8 утра",
        "оплатить 1 квартиру",
        "оплатить 2026 ноябрь",
        "оплатить 15-го",
        "оплатить 590 123 45 67",
    ],
)
async def test_numbers_that_are_no_money_leave_the_amount_due(
    customer: Customer, database: Database, said: str
) -> None:
    await linked(customer)
    await customer.send(said)
    assert "Оплатить 1 250,40 ₽ — https://bot.energosbyt.example/pay/" in customer.text()
    assert await _amounts(database) == [Decimal("1250.40")]


async def test_an_amount_with_kopecks_in_the_request(
    customer: Customer, database: Database
) -> None:
    await linked(customer)
    await customer.send("оплатить 1 375,29")
    assert "Оплатить 1 375,29 ₽" in customer.text()
    await customer.send("меню")
    await customer.send("оплатить -300")
    assert "Сумма должна быть больше нуля." in customer.text()
    await customer.send("меню")
    await customer.send("оплатить 0")
    assert "Сумма должна быть больше нуля." in customer.text()
    assert await _amounts(database) == [Decimal("1375.29")]


async def test_another_amount_with_bad_ones_first(customer: Customer, database: Database) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    await customer.press("Другую сумму")
    assert "Какую сумму хотите оплатить?" in customer.text()
    assert "от 1,00 до 150 000,00 ₽" in customer.text()
    await customer.send("0")
    assert "Сумма должна быть больше нуля." in customer.text()
    await customer.send("-300")
    assert "Сумма должна быть больше нуля." in customer.text()
    await customer.send("500,555")
    assert "не больше двух цифр" in customer.text()
    await customer.send("200000")
    assert "не больше 150 000,00 ₽" in customer.text()
    assert await _amounts(database) == [Decimal("1250.40")]
    await customer.send("1 572,60")
    assert "Оплатить 1 572,60 ₽" in customer.text()
    assert await _amounts(database) == [Decimal("1250.40"), Decimal("1572.60")]


async def test_an_amount_typed_right_after_the_link(customer: Customer, database: Database) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    first = LINK.search(customer.text())
    await customer.send("700 руб")
    second = LINK.search(customer.text())
    assert first and second and first.group(1) != second.group(1)
    assert "Оплатить 700,00 ₽" in customer.text()


async def test_nothing_due_offers_an_advance(customer: Customer, database: Database) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")  # overpaid by 300
    await customer.send("как оплатить")
    text = customer.text()
    assert "Сейчас по счёту •••••••0003 платить не нужно." in text
    assert LINK.search(text) is None and await _amounts(database) == []
    await customer.press("Другую сумму")
    await customer.send("1000")
    assert "Оплатить 1 000,00 ₽" in customer.text()


async def test_amount_limits_come_from_the_rules(
    database: Database, customer: Customer, config: DialogConfig
) -> None:
    customer.pipeline.config = make_config(
        payments=rules(min_amount=Decimal("100.00"), max_amount=Decimal("1000.00"))
    )
    await linked(customer)
    await customer.send("как оплатить")  # 1 250,40 is due: above one payment's limit
    assert "частями" in customer.text() and LINK.search(customer.text()) is None
    await customer.send("50")
    assert "Онлайн можно оплатить от 100,00 ₽." in customer.text()
    await customer.send("999,99")
    assert "Оплатить 999,99 ₽" in customer.text()


async def test_the_company_page_when_the_provider_is_link(
    customer: Customer, database: Database
) -> None:
    template = "https://energosbyt.example/pay?account={account}&sum={amount}"
    base = make_config(payments=rules(provider=Provider.LINK))
    from dataclasses import replace

    customer.pipeline.config = replace(base, company=replace(base.company, payment_url=template))
    await linked(customer)
    await customer.send("как оплатить")
    assert "https://energosbyt.example/pay?account=5901234567&sum=1250.40" in customer.text()
    assert await _amounts(database) == []


async def test_an_amount_named_on_the_company_page(customer: Customer, database: Database) -> None:
    """payments.provider link: the amount named goes into the template's {amount}, or the
    customer is told it is entered on the company's page — never silently dropped."""
    from dataclasses import replace

    base = make_config(payments=rules(provider=Provider.LINK))
    with_amount = "https://energosbyt.example/pay?account={account}&sum={amount}"
    customer.pipeline.config = replace(base, company=replace(base.company, payment_url=with_amount))
    await linked(customer)
    await customer.send("оплатить 500")
    assert "https://energosbyt.example/pay?account=5901234567&sum=500.00" in customer.text()
    await customer.send("как оплатить за ноябрь 2026")
    assert "https://energosbyt.example/pay?account=5901234567&sum=1250.40" in customer.text()

    without = "https://energosbyt.example/pay?account={account}"
    customer.pipeline.config = replace(base, company=replace(base.company, payment_url=without))
    await customer.send("оплатить 500")
    text = customer.text()
    assert "https://energosbyt.example/pay?account=5901234567" in text
    assert "Сумму 500,00 ₽ вы укажете на странице оплаты" in text
    await customer.send("как оплатить")
    assert "на странице оплаты" in customer.text() and "Сумму" not in customer.text()
    assert await _amounts(database) == []


async def test_a_bare_number_after_the_link_is_not_a_payment(
    customer: Customer, database: Database
) -> None:
    await linked(customer)
    await customer.send("как оплатить")
    await customer.send("12480")  # what the meter shows, rather
    assert "Оплатить 12 480" not in customer.text()
    assert await _amounts(database) == [Decimal("1250.40")]


async def test_the_amount_template_in_balance_receipt_and_debt(
    customer: Customer, database: Database, clock: Clock
) -> None:
    """company.payment_url with {amount} works in every answer that gives the company's page."""
    from dataclasses import replace

    base = make_config(payments=rules(provider=Provider.LINK))
    template = "https://energosbyt.example/pay?account={account}&sum={amount}"
    customer.pipeline.config = replace(base, company=replace(base.company, payment_url=template))
    await linked(customer)
    for asked in ("баланс", "квитанция", "отключат ли за долг"):
        if asked.endswith("долг"):
            clock.now = local(2026, 12, 20)  # the bill is overdue now
        await customer.send(asked)
        text = customer.text()
        assert "что-то пошло не так" not in text, (asked, text)
        assert "pay?account=5901234567&sum=1250.40" in text, (asked, text)
        await customer.send("меню")
