"""Escalation to operators: within and outside business hours, waiting, cancelling."""

from __future__ import annotations

from core.conversations import Author, Conversation, ConversationStatus, Escalation
from dialogs.messages import InboundKind
from tests.dialogs.conftest import Clock, Customer, local


async def state(customer: Customer) -> tuple[Conversation, Escalation | None]:
    async with customer.pipeline.unit_of_work() as store:
        person = await store.customers.get_or_create(
            customer.channel, customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(person, customer.pipeline.clock())
        return conversation, await store.escalations.active(conversation.id)


async def test_within_hours_default_reason_and_messages_appended(customer: Customer) -> None:
    await customer.start()
    await customer.send("оператор")
    assert "Передал ваш вопрос оператору. Оператор ответит здесь, в этом чате." in customer.text()
    assert "Отменить обращение" in customer.labels()
    conversation, escalation = await state(customer)
    assert conversation.status is ConversationStatus.WAITING_OPERATOR
    assert escalation is not None
    assert escalation.reason == "Клиент просит связаться с оператором"
    assert any(m.author is Author.BOT for m in escalation.messages)  # the transcript so far
    await customer.send("мне пришёл счёт в два раза больше обычного")
    assert customer.text().startswith("Добавил к обращению")
    await customer._event(InboundKind.FILE, file_id="photo-1")
    assert customer.text().startswith("Добавил к обращению")
    _, escalation = await state(customer)
    assert escalation is not None
    customer_lines = [m.text for m in escalation.messages if m.author is Author.CUSTOMER]
    # The operator's console fetches the file from the platform by its id.
    assert customer_lines[-2:] == ["мне пришёл счёт в два раза больше обычного", "[file: photo-1]"]


async def test_a_real_request_becomes_the_reason(customer: Customer) -> None:
    await customer.start()
    await customer.send("хочу пожаловаться на начисление за октябрь")
    _, escalation = await state(customer)
    assert escalation is not None
    assert escalation.reason == "хочу пожаловаться на начисление за октябрь"


async def test_saturday_answer_on_monday(customer: Customer, clock: Clock) -> None:
    clock.now = local(2026, 11, 21, 12, 0)
    await customer.start()
    await customer.send("соедините с оператором")
    text = customer.text()
    assert "Сейчас операторы не работают (пн–пт, 08:00–18:00)." in text
    assert "Оператор ответит в понедельник, 23 ноября, в 08:00 — здесь, в этом чате." in text
    conversation, escalation = await state(customer)
    assert escalation is not None and conversation.status is ConversationStatus.WAITING_OPERATOR


async def test_early_morning_and_evening(customer: Customer, clock: Clock) -> None:
    clock.now = local(2026, 11, 23, 7, 0)  # Monday before opening
    await customer.start()
    await customer.send("оператор")
    assert "Оператор ответит сегодня в 08:00" in customer.text()
    await customer.press("Отменить обращение")
    clock.now = local(2026, 11, 23, 19, 0)
    await customer.send("оператор")
    assert "Оператор ответит завтра в 08:00" in customer.text()


async def test_already_waiting_then_cancel(customer: Customer) -> None:
    await customer.start()
    await customer.send("оператор")
    await customer.send("оператор")
    assert "уже в очереди" in customer.text()
    await customer.press("Отменить обращение")
    assert "Обращение отменено" in customer.text()
    assert "Передать показания" in customer.labels()  # the main menu
    conversation, escalation = await state(customer)
    assert escalation is None
    assert conversation.status is ConversationStatus.BOT


async def test_idle_messages_still_reach_the_waiting_request(customer: Customer) -> None:
    await customer.start()
    await customer.send("оператор")
    await customer.send("меню")  # leaves the step, the request keeps waiting
    await customer.send("и ещё вопрос про пени")
    assert "Добавил к обращению" in customer.text()
    _, escalation = await state(customer)
    assert escalation is not None
    assert escalation.messages[-1].text == "и ещё вопрос про пени"


async def test_closed_meanwhile_hands_the_conversation_back(customer: Customer) -> None:
    await customer.start()
    await customer.send("оператор")
    _, escalation = await state(customer)
    assert escalation is not None
    async with customer.pipeline.unit_of_work() as store:
        await store.escalations.close(escalation.id, customer.pipeline.clock())
        await store.commit()
    await customer.send("какие часы зон суток")
    assert "Добавил" not in customer.text()
    assert "23:00–07:00" in customer.text()
    conversation, _ = await state(customer)
    assert conversation.status is ConversationStatus.BOT


async def test_the_transcript_shows_the_label_of_a_pressed_button(customer: Customer) -> None:
    await customer.start()
    await customer.press("Связаться с оператором")
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(cust, customer.pipeline.clock())
        lines = await store.conversations.transcript(conversation.id, 10)
    customer_lines = [line.text for line in lines if line.author is Author.CUSTOMER]
    assert customer_lines[:2] == ["/start", "Связаться с оператором"]
