"""Settings: language, reminders, deleting the customer's data."""

from __future__ import annotations

from core.conversations import Customer as Person
from tests.dialogs.conftest import Customer, linked


async def person(customer: Customer) -> Person:
    async with customer.pipeline.unit_of_work() as store:
        return await store.customers.get_or_create(
            customer.channel, customer.user_id, "", "ru", customer.pipeline.clock()
        )


async def test_switch_to_english_and_back(customer: Customer) -> None:
    await customer.start()
    await customer.press("Настройки")
    assert "Язык: Русский" in customer.text()
    await customer.press("Language")
    await customer.press("English")
    assert "I will write in English" in customer.text()
    assert "Submit readings" in customer.labels()
    assert (await person(customer)).language == "en"
    await customer.press("Tariffs")
    assert "What would you like to know about tariffs?" in customer.text()
    await customer.press("Estimate")
    await customer.send("day 180 night 70")
    text = customer.text().replace("\xa0", " ")
    assert "Total: 1,572.60 ₽" in text
    assert "at the tariffs in force from 1 January 2026" in text
    await customer.send("меню")
    await customer.press("Settings")
    await customer.press("Language")
    await customer.press("Русский")
    assert "теперь я пишу по-русски" in customer.text()
    assert (await person(customer)).language == "ru"


async def test_language_asked_in_free_text(customer: Customer) -> None:
    await customer.start()
    await customer.send("switch to english")
    assert "I will write in English" in customer.text()
    assert (await person(customer)).language == "en"


async def test_reminders_off_and_on(customer: Customer) -> None:
    await customer.start()
    await customer.press("Настройки")
    await customer.press("Напоминания")
    assert "с 23 по 25 число" in customer.text() and "включены" in customer.text()
    await customer.press("Выключить")
    assert "Напоминания выключены" in customer.text()
    assert (await person(customer)).reminders is False
    await customer.send("включите напоминания")
    assert "Напоминания включены" in customer.text()
    assert (await person(customer)).reminders is True


async def test_reminders_off_in_free_text(customer: Customer) -> None:
    await customer.start()
    await customer.send("отключите напоминания")
    assert "Напоминания выключены" in customer.text()
    assert (await person(customer)).reminders is False


async def test_delete_my_data_unlinks(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Настройки")
    await customer.press("Удалить мои данные")
    text = customer.text()
    assert "отвяжу все лицевые счета" in text
    assert "Переданные показания и заявки на выезд останутся" in text
    await customer.press("Да, удалить")
    assert "ваши данные в этом чате удалены" in customer.text()
    assert customer.labels() == []  # no menu, no consent prompt
    me = await person(customer)
    async with customer.pipeline.unit_of_work() as store:
        assert await store.accounts.linked(me.id) == []
        assert not await store.consents.has(me.id, customer.pipeline.config.consent_version)


async def test_delete_declined_keeps_everything(customer: Customer) -> None:
    await linked(customer)
    await customer.send("удалить мои данные")
    assert "Удалить данные?" in customer.text()
    await customer.press("Нет, оставить")
    assert "ничего не удаляю" in customer.text()
    me = await person(customer)
    async with customer.pipeline.unit_of_work() as store:
        assert [a.number for a in await store.accounts.linked(me.id)] == ["5901234567"]
