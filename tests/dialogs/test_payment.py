"""How to pay: the payment page per account, bank details, and a warning about card data."""

from __future__ import annotations

from tests.dialogs.conftest import Customer, linked


async def test_payment_ways_links_bank_details_and_no_card_data(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Баланс")
    await customer.press("Способы оплаты")
    text = customer.text()
    assert "•••••••4567: https://energosbyt.example/pay?account=5901234567" in text
    assert "БИК: 045773603" in text and "ИНН: 5904000000" in text
    assert "Получатель: ПАО Энергосбыт" in text
    assert "никогда не спрашиваю данные банковской карты" in text
    assert "Главное меню" in customer.labels()


async def test_every_linked_account_gets_its_link(customer: Customer) -> None:
    await linked(customer)
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.send("как оплатить")
    text = customer.text()
    assert "•••••••4567: https://energosbyt.example/pay?account=5901234567" in text
    assert "•••••••0003: https://energosbyt.example/pay?account=5900000003" in text
    assert "5901234567" not in text.replace("account=5901234567", "")


async def test_payment_without_a_linked_account(customer: Customer) -> None:
    await customer.start()
    await customer.send("как оплатить")
    text = customer.text()
    assert "Выберите" not in text and "согласие" not in text  # no linking first
    assert "https://energosbyt.example" in text and "pay?account" not in text
    assert "номер лицевого счёта" in text
    assert "БИК: 045773603" in text
    assert "никогда не спрашиваю данные банковской карты" in text
    assert "Привязать лицевой счёт" in customer.labels()
