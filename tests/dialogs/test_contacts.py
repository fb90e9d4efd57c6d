"""Changing the phone or e-mail: validated, confirmed, passed to operators masked."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.conversations import Author, ConversationStatus, Escalation
from storage.tables import audit
from tests.dialogs.conftest import Customer, linked


async def waiting(customer: Customer) -> tuple[ConversationStatus, Escalation | None]:
    async with customer.pipeline.unit_of_work() as store:
        now = customer.pipeline.clock()
        person = await store.customers.get_or_create(
            customer.channel, customer.user_id, "", "ru", now
        )
        conversation = await store.conversations.get_for_update(person, now)
        return conversation.status, await store.escalations.active(conversation.id)


async def test_phone_change_typed_after_a_bad_one(customer: Customer) -> None:
    await linked(customer)
    await customer.send("хочу сменить контакты")
    assert "Что изменить для счёта •••••••4567?" in customer.text()
    await customer.press("Телефон")
    assert customer.last[-1].request_phone
    await customer.send("123")
    assert "Не получилось распознать номер" in customer.text()
    await customer.send("+7 912 555 44 33")
    assert "Сменить телефон для счёта •••••••4567 на +79125554433?" in customer.text()
    await customer.press("Да")
    assert "Передал оператору ваше обращение о смене телефона" in customer.text()
    assert "Отменить обращение" in customer.labels()
    status, escalation = await waiting(customer)
    assert status is ConversationStatus.WAITING_OPERATOR
    assert escalation is not None
    assert escalation.reason == "Смена контактов: телефон +7 *** ***-44-33 для счёта •••••••4567"
    notes = [m.text for m in escalation.messages if m.author is Author.BOT]
    assert "Новый телефон для счёта 5901234567: +79125554433" in notes


async def test_phone_named_in_the_first_message_and_shared_contact(customer: Customer) -> None:
    await linked(customer)
    await customer.send("сменить номер телефона")
    await customer.share_phone("+79991112233")
    assert "на +79991112233?" in customer.text()
    await customer.send("да")
    _, escalation = await waiting(customer)
    assert escalation is not None and "+7 *** ***-22-33" in escalation.reason


async def test_email_change(customer: Customer) -> None:
    await linked(customer)
    await customer.send("поменять электронную почту")
    assert "адрес электронной почты" in customer.text()
    await customer.send("ivanova@")
    assert "не похоже на адрес" in customer.text()
    await customer.send("ivanova@mail.ru")
    await customer.press("Да")
    _, escalation = await waiting(customer)
    assert escalation is not None
    assert escalation.reason == "Смена контактов: e-mail i***@mail.ru для счёта •••••••4567"


async def test_declined_change_opens_nothing(customer: Customer) -> None:
    await linked(customer)
    await customer.send("поменять электронную почту")
    await customer.send("ivanova@mail.ru")
    await customer.press("Нет")
    assert "ничего не меняю" in customer.text()
    status, escalation = await waiting(customer)
    assert escalation is None and status is ConversationStatus.BOT


async def test_the_field_named_and_not_negated_is_asked(customer: Customer) -> None:
    await linked(customer)
    await customer.send("поменять телефон, почту не трогать")
    assert customer.last[-1].request_phone
    await customer.send("меню")
    await customer.send("поменять контакты: не телефон, а почту")
    assert "адрес электронной почты" in customer.text()


async def test_audit_holds_no_full_account_or_contact(customer: Customer) -> None:
    await linked(customer)
    await customer.send("поменять почту на ivanova.maria@mail.ru")
    await customer.press("Да")
    async with customer.pipeline.unit_of_work() as store:
        rows = await store.connection.execute(
            select(audit.c.details).where(audit.c.action == "contact_change_requested")
        )
        [details] = [details for (details,) in rows.all()]
    assert details["account"] == "•••••••4567"
    assert details["value"] == "i***@mail.ru"
    assert "5901234567" not in json.dumps(details) and "maria" not in json.dumps(details)


async def test_phone_and_email_prompts_can_be_cancelled(customer: Customer) -> None:
    await linked(customer)
    await customer.send("сменить телефон")
    assert customer.last[-1].request_phone
    assert customer.labels() == ["Отмена"]
    await customer.send("1")  # a button number, not a phone
    assert "Чем могу помочь?" in customer.text()
    status, escalation = await waiting(customer)
    assert escalation is None and status is ConversationStatus.BOT
    await customer.send("поменять электронную почту")
    assert customer.labels() == ["Отмена"]
    await customer.press("Отмена")
    assert "Чем могу помочь?" in customer.text()


async def test_another_request_at_the_phone_prompt_leaves_it(customer: Customer) -> None:
    await linked(customer)
    await customer.send("сменить телефон")
    await customer.send("абв где")
    assert "Не получилось распознать номер" in customer.text()  # unclear: asked again
    await customer.send("покажи мой баланс")
    assert "1 250,40" in customer.text().replace("\xa0", " ")
    status, escalation = await waiting(customer)
    assert escalation is None and status is ConversationStatus.BOT
