"""Settings: language, notices (tests/dialogs/test_subscriptions.py has the rest), deleting the
customer's data."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.conversations import Customer as Person
from dialogs.messages import InboundKind
from storage import tables
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


async def test_notices_screen_replaces_the_old_reminders_answer(customer: Customer) -> None:
    """Notices are sent now: the settings show each topic's state (on by default) and when
    readings are due, and a wish in words is done, not declined."""
    await customer.start()
    await customer.press("Настройки")
    assert "Уведомления: все включены" in customer.text()
    await customer.press("Уведомления")
    text = customer.text()
    assert "• Напоминания о показаниях — включены" in text and "с 23-го по 25-е" in text
    assert "пока не рассылаю" not in text
    assert "Показания: выключить" in customer.labels()
    await customer.send("отключите напоминания")
    assert "больше не буду присылать напоминания о показаниях" in customer.text()
    assert "• Напоминания о показаниях — выключены" in customer.text()
    await customer.send("включите напоминания")
    assert "• Напоминания о показаниях — включены" in customer.text()
    await customer.send("напоминания")  # no wish: the screen again, as it is
    assert "Готово" not in customer.text()
    assert "• Напоминания о показаниях — включены" in customer.text()


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


async def test_language_named_in_russian(customer: Customer) -> None:
    await customer.start()
    await customer.send("хочу общаться на английском языке")
    assert "I will write in English" in customer.text()


async def test_erasing_leaves_nothing_in_the_state(customer: Customer) -> None:
    await customer.start()
    await customer.send("показания 12480")  # not linked: linking starts, the text waits
    await customer._event(InboundKind.BUTTON, payload="go:settings")  # an old menu button
    await customer.press("Удалить мои данные")
    await customer.press("Да, удалить")
    assert "ваши данные в этом чате удалены" in customer.text()
    me = await person(customer)
    async with customer.pipeline.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(me, customer.pipeline.clock())
    state = conversation.state
    assert (state["flow"], state["data"], state["resume"], state["resume_text"]) == (
        None,
        {},
        None,
        "",
    )
    assert "12480" not in json.dumps(state, ensure_ascii=False)


async def test_erasing_blanks_what_operators_were_told(customer: Customer) -> None:
    await linked(customer)
    await customer.send("сменить телефон на +7 912 555 44 33")
    await customer.press("Да")  # a waiting escalation with the full number in a note
    await customer.send("меню")
    await customer.press("Настройки")  # free text would go to the waiting request
    await customer.press("Удалить мои данные")
    await customer.press("Да, удалить")
    assert "ваши данные в этом чате удалены" in customer.text()
    async with customer.pipeline.unit_of_work() as store:
        escalations = (
            await store.connection.execute(
                select(tables.escalations.c.reason, tables.escalations.c.status)
            )
        ).all()
        lines = (
            await store.connection.execute(
                select(tables.escalation_messages.c.author, tables.escalation_messages.c.text)
            )
        ).all()
    assert escalations == [("", "closed")]
    assert lines and all(text == "" for _, text in lines)


async def test_settings_asked_in_words_open_the_settings(customer) -> None:
    await customer.start()
    await customer.send("открой настройки бота пожалуйста")
    assert "Уведомления" in customer.labels()
