"""Outages and voltage go to the grid company; nothing is opened."""

from __future__ import annotations

from tests.dialogs.conftest import Customer, linked


async def test_no_power_points_to_the_grid_company(customer: Customer) -> None:
    await linked(customer)
    await customer.send("нет света с утра")
    text = customer.text()
    assert "Россети Урал — Пермэнерго" in text
    assert "8-800-220-0-220" in text and "https://rosseti-ural.ru" in text
    assert customer.labels() == ["Связаться с оператором", "Отключение за долг", "Главное меню"]
    async with customer.pipeline.unit_of_work() as store:
        assert await store.visits.for_accounts(["5901234567"]) == []


async def test_voltage_and_burnt_appliances_too(customer: Customer) -> None:
    await customer.start()
    await customer.send("скачет напряжение сгорел холодильник")
    text = customer.text()
    assert "сгорела техника" in text and "8-800-220-0-220" in text
    # The supplier's own part: a complaint about the quality of the power.
    assert "«Жалоба на качество электроэнергии»" in text
    assert "Вызвать мастера" in customer.labels()
    await customer.press("Связаться с оператором")
    assert "оператор" in customer.text().casefold()


async def test_outage_button_in_english(customer: Customer) -> None:
    await customer.start()
    await customer.press("Настройки")
    await customer.press("Language")
    await customer.press("English")
    await customer.press("Power outage")
    text = customer.text()
    assert "grid company “Россети Урал — Пермэнерго”" in text
    assert "«" not in text and "»" not in text
    assert customer.labels() == ["Talk to an operator", "Cut off for a debt", "Main menu"]


async def test_a_broken_wire_starts_with_the_safety_rule(customer: Customer) -> None:
    await customer.start()
    await customer.send("у дома оборвался провод")
    text = customer.text()
    assert text.startswith("Видите оборванный провод — не приближайтесь к нему ближе 8 метров")
    assert "8-800-220-0-220" in text and "112" in text
