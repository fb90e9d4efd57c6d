"""Linked accounts: list, choose by words of the address, unlink only on a clear yes."""

from __future__ import annotations

from tests.dialogs.conftest import Customer, linked


async def test_an_account_is_chosen_by_words_of_its_address(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("привязать ещё счёт")
    await customer.send("5900000003 Смирнов-Задунайский")
    await customer.send("баланс")
    assert "Выберите лицевой счёт" in customer.text()
    await customer.send("Лобаново")
    assert "Переплата" in customer.text()


async def test_something_else_at_the_unlink_question_unlinks_nothing(customer: Customer) -> None:
    await linked(customer)
    await customer.send("мои счета")
    await customer.press("Отвязать")
    await customer.send("хм")
    assert "«да» или «нет»" in customer.text()
    await customer.send("передать показания")
    assert "Предыдущее показание" in customer.text()
    await customer.send("мои счета")
    assert "•••••••4567" in customer.text()


async def test_ordinal_and_ambiguous_answers_when_choosing_an_account(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("привязать ещё счёт")
    await customer.send("5900000003 Смирнов-Задунайский")
    await customer.send("баланс")
    await customer.send("ул")  # too vague: asked again, the flow goes on
    assert "Выберите лицевой счёт" in customer.text() or "Не нашёл" in customer.text()
    await customer.send("второй")
    assert "Переплата" in customer.text()


async def test_the_unlink_button_masks_like_everywhere(customer: Customer) -> None:
    await linked(customer)
    await customer.send("мои счета")
    assert "Отвязать •••••••4567" in customer.labels()
