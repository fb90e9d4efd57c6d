"""The engine's turn policy: expectations, interruptions and their resumption, ways out, the
language offer, card data, deletion only when meant."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from core.conversations import Conversation, ConversationStatus
from core.readings import Reading
from dialogs.engine import hand_back
from tests.dialogs.conftest import Customer, linked


async def stored(customer: Customer, account: str, serial: str) -> list[Reading]:
    async with customer.pipeline.unit_of_work() as store:
        return await store.readings.for_meter(account, serial)


async def change_conversation(customer: Customer, change: Callable[[Conversation], None]) -> None:
    """What the console does to a conversation between two of the customer's messages."""
    async with customer.pipeline.unit_of_work() as store:
        me = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(me, customer.pipeline.clock())
        change(conversation)
        await store.conversations.save(conversation)
        await store.commit()


async def book_until_slot(customer: Customer) -> None:
    await linked(customer)
    await customer.send("вызвать мастера замена счетчика")
    await customer.send("в понедельник")
    assert "В какое время" in customer.text()


async def test_back_returns_to_the_previous_question_with_its_answers(customer: Customer) -> None:
    await book_until_slot(customer)
    await customer.send("назад")
    assert "Выберите удобный день" in customer.text()
    await customer.send("во вторник")
    assert "В какое время" in customer.text()
    await customer.send("назад")
    await customer.send("назад")  # the first question of the flow: back to the menu
    assert "Передать показания" in customer.labels()


async def test_a_request_elsewhere_is_served_and_the_task_offered_back(customer: Customer) -> None:
    await book_until_slot(customer)
    await customer.send("а сколько я должен?")
    assert "1 250,40" in customer.text()
    assert "Продолжим оформление заявки" in customer.text()
    await customer.send("да")
    assert "В какое время" in customer.text()
    await customer.send("утром")
    assert "Как с вами связаться" in customer.text()


async def test_an_answer_to_the_interrupted_question_resumes_it(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("передать показания")
    await customer.send("день 23100")
    await customer.send("а ночь это с какого часа?")
    assert "23:00" in customer.text() and "Продолжим передачу показаний" in customer.text()
    await customer.send("8050")
    assert "приняты" in customer.text()
    readings = await stored(customer, "59012345678", "B-2")
    assert {(r.register, r.value) for r in readings} == {
        ("T1", Decimal(23100)),
        ("T2", Decimal(8050)),
    }


async def test_two_misses_offer_a_way_out_and_the_question_still_works(customer: Customer) -> None:
    await linked(customer)
    await customer.send("удалить мои данные")
    await customer.press("Нет")  # no deletion; back to the menu
    await customer.send("мои счета")
    await customer.press("Отвязать")
    assert "Отвязать лицевой счёт" in customer.text()
    await customer.send("хм")
    assert "«да» или «нет»" in customer.text()
    assert "Связаться с оператором" not in customer.labels()
    await customer.send("ну не знаю даже")
    assert "оператора или вернуться в главное меню" in customer.text()
    assert {"Связаться с оператором", "Главное меню", "Да", "Нет"} <= set(customer.labels())
    await customer.send("нет")
    assert "оставляю как есть" in customer.text()


async def test_a_change_of_mind_in_a_few_words_leaves_the_step(customer: Customer) -> None:
    for words in ("не надо мастера", "передумала, потом", "отмена заявки", "стоп"):
        await book_until_slot(customer)
        await customer.send(words)
        assert "заявку не отправляю" in customer.text(), words
    async with customer.pipeline.unit_of_work() as store:
        assert await store.visits.for_accounts(["5901234567"]) == []


async def test_card_data_is_never_read_and_the_question_comes_back(customer: Customer) -> None:
    await linked(customer)
    await customer.send("передать показания")
    await customer.send("карта 4276 3800 1234 4359 12/27 спишите")
    text = customer.text()
    assert "никогда не отправляйте данные банковской карты" in text
    assert "Введите текущее показание" in text  # the same question, asked again
    assert "4359" not in text
    assert await stored(customer, "5901234567", "A-1") == []
    await customer.send("12480")
    assert "приняты" in customer.text()


async def test_only_the_current_question_s_buttons_act(customer: Customer) -> None:
    await linked(customer)
    await customer.send("вызвать мастера")
    types = list(customer.last)
    await customer.press("Замена")
    assert "Выберите удобный день" in customer.text()
    customer.last = types  # a button of the question answered already
    await customer.press("Опломбировка")
    assert "неактуальны" in customer.text() and "Выберите удобный день" in customer.text()


async def test_english_gets_english_with_an_offer_and_a_typed_yes_switches(
    customer: Customer,
) -> None:
    await linked(customer)
    await customer.send("hello, how much do I owe?")
    assert "1,250.40" in customer.text()
    assert "Shall I continue in English?" in customer.text()
    await customer.send("yes")
    assert "from now on I'll write in English" in customer.text() or "in English" in customer.text()
    await customer.send("мой тариф")
    assert "Shall" not in customer.text()  # the customer's language is English now
    assert "Продолжить на русском" in customer.text()  # and Russian is offered back


async def test_a_surname_in_latin_letters_is_not_taken_for_english(customer: Customer) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.send("да")
    await customer.send("Ivanova")
    assert "привязан" in customer.text()
    assert "English" not in customer.text()


async def test_data_is_deleted_only_on_an_explicit_confirmation(customer: Customer) -> None:
    await linked(customer)
    await customer.send("даю согласие")  # the consent button's label, typed long after
    assert "Удалить данные?" not in customer.text()
    await customer.send("удалите мои персональные данные")
    assert "Удалить данные?" in customer.text()
    await customer.send("да")  # a bare yes could be meant for anything
    assert "напишите «удалить»" in customer.text()
    await customer.send("да, удаляйте")
    assert "ваши данные в этом чате удалены" in customer.text()


async def test_an_operator_hands_the_conversation_back_through_the_engine(
    customer: Customer,
) -> None:
    await linked(customer)
    await customer.send("передать показания")

    states: list[dict[str, object]] = []

    def operator_closes(conversation: Conversation) -> None:
        conversation.state = {**conversation.state, "declined_language": True}
        hand_back(conversation)
        states.append(conversation.state)

    await change_conversation(customer, operator_closes)
    state = states[0]
    assert (state["flow"], state["step"], state["data"], state["trail"]) == (None, None, {}, [])
    assert state["declined_language"] is True  # what the customer chose stays
    await customer.send("12480")  # no question is open now: a bare number is a new request
    assert "приняты" in customer.text()


async def test_a_reading_is_not_taken_for_the_interrupted_question_s_answer(
    customer: Customer,
) -> None:
    """«показания 12480» after a side question answers no amount the payment flow waited for:
    a clear request for another task wins over a fit with the interrupted question."""
    await linked(customer)
    await customer.send("оплатил не на тот лицевой счёт")
    await customer.send("15 ноября")
    assert "сумм" in customer.text()
    await customer.send("мой тариф")
    await customer.send("показания 12480")
    assert "приняты" in customer.text() or "показание" in customer.text()
    async with customer.pipeline.unit_of_work() as store:
        assert list(await store.console.queue()) == []


async def test_back_from_a_side_question_returns_to_the_task(customer: Customer) -> None:
    await book_until_slot(customer)
    await customer.send("привязать ещё один счёт")
    assert "номер лицевого счёта" in customer.text()
    await customer.send("назад")
    assert "В какое время" in customer.text()


async def test_a_second_request_that_also_asks_is_offered_after_the_first(
    customer: Customer,
) -> None:
    await linked(customer)
    await customer.send("12480, а ещё нужно опломбировать счётчик")
    assert "12 480 — это показание" in customer.text()
    await customer.send("да")
    assert "приняты" in customer.text() and "А ещё вы спрашивали" in customer.text()
    await customer.send("да")
    assert "Опломбировка" in customer.text()


async def test_the_language_is_not_offered_while_an_operator_holds_the_conversation(
    customer: Customer,
) -> None:
    await linked(customer)
    await customer.send("позовите оператора")

    def operator_takes(conversation: Conversation) -> None:
        conversation.status = ConversationStatus.OPERATOR

    await change_conversation(customer, operator_takes)
    replies = await customer.send("hello, is anyone there")
    assert replies == []  # the operator reads it; the bot says nothing
