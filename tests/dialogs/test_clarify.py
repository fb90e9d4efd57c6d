"""Free text at the menu: clear requests start their flow, unsure ones get a question."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import Customer, linked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("скока платить за свет", "1 250,40"),  # the balance of the linked account
        ("нет света с утра", "8-800-220-0-220"),  # the grid company's hotline
        ("соедините с человеком", "оператор"),
        ("квитка за октябрь", "Квитанция"),
    ],
)
async def test_clear_free_text_starts_the_flow(
    customer: Customer, text: str, expected: str
) -> None:
    await linked(customer)
    await customer.send(text)
    assert expected.casefold() in customer.text().casefold(), customer.text()


async def test_unsure_text_asks_with_the_likeliest_flows_as_buttons(customer: Customer) -> None:
    await linked(customer)
    await customer.send("пришлите квиточек")  # a word only the trained model knows
    assert "Уточните" in customer.text()
    labels = customer.labels()
    assert labels[0] == "Получить квитанцию"
    assert "Связаться с оператором" in labels and "Главное меню" in labels
    await customer.press("Получить квитанцию")
    assert "Уточните" not in customer.text()
    assert "квитанц" in customer.text().casefold()


async def test_one_word_between_two_flows_offers_both(customer: Customer) -> None:
    await linked(customer)
    await customer.send("счетчик")
    assert "Уточните" in customer.text()
    labels = customer.labels()
    assert labels[:2] == ["Вызвать мастера", "Передать показания"], labels
    await customer.press("Передать показания")
    assert "Введите текущее показание" in customer.text()


async def test_nothing_understood_still_shows_the_menu(customer: Customer) -> None:
    await linked(customer)
    await customer.send("абырвалг шмырдяк")
    assert "Уточните" not in customer.text()
    assert "Передать показания" in customer.labels()


async def test_ownership_and_own_requests_reach_their_flows(customer: Customer) -> None:
    await linked(customer)
    await customer.send("мои заявки")
    assert "нет заявок" in customer.text()
    await customer.send("меню")
    await customer.send("продали квартиру, как переоформить лицевой счет")
    assert "оператор" in customer.text().casefold()
