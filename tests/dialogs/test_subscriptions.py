"""Notices per topic: the question at the first linking, the settings' screen, wishes in words,
and a notice's «Отписаться» (`unsub:<topic>`) with its undo (`sub:<topic>`) from any state."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.conversations import Conversation, ConversationStatus
from dialogs.messages import InboundKind
from storage import tables
from tests.dialogs.conftest import Clock, Customer, linked
from tests.dialogs.test_policy import change_conversation
from tests.dialogs.test_settings import person

OFFER = "Могу присылать уведомления"
ALL_TOPICS = ("readings", "debt", "outages", "visits", "receipts")


async def rows(customer: Customer) -> dict[str, tuple[bool, str, datetime]]:
    """The customer's subscriptions as stored: topic → (enabled, channel, changed at)."""
    me = await person(customer)
    async with customer.pipeline.unit_of_work() as store:
        result = await store.connection.execute(
            select(
                tables.subscriptions.c.topic,
                tables.subscriptions.c.enabled,
                tables.subscriptions.c.channel,
                tables.subscriptions.c.changed_at,
            ).where(tables.subscriptions.c.customer_id == me.id)
        )
        return {r.topic: (bool(r.enabled), r.channel, r.changed_at) for r in result}


async def chosen(customer: Customer) -> dict[str, bool]:
    return {topic: on for topic, (on, _, _) in (await rows(customer)).items()}


async def press_payload(customer: Customer, payload: str) -> None:
    """A button of a notice the bot sent on its own (not in the last replies)."""
    await customer._event(InboundKind.BUTTON, payload=payload)


async def readings_stored(customer: Customer) -> list[str]:
    async with customer.pipeline.unit_of_work() as store:
        result = await store.connection.execute(
            select(tables.readings.c.value).where(tables.readings.c.status == "accepted")
        )
        return [str(value) for (value,) in result]


# -- the question at linking --------------------------------------------------------------------


async def test_first_linking_asks_once_and_yes_stores_every_topic(
    customer: Customer, clock: Clock
) -> None:
    await linked(customer)
    question, menu = customer.last[-2:]
    assert question.text.startswith(OFFER)
    assert [b.label for b in question.buttons] == ["Да, все", "Выбрать", "Не нужно"]
    # The menu comes last (Viber shows only the last keyboard): nothing waits for the answer.
    assert "Передать показания" in [b.label for b in menu.buttons]
    assert await rows(customer) == {}  # nothing chosen yet: every topic at its default
    clock.now += timedelta(minutes=1)
    await customer.send("да присылай")
    assert "буду присылать все уведомления" in customer.text()
    assert "Передать показания" in customer.labels()
    stored = await rows(customer)
    assert sorted(stored) == sorted(ALL_TOPICS)
    assert set(stored.values()) == {(True, "test", clock.now)}


async def test_no_turns_every_topic_off(customer: Customer) -> None:
    await linked(customer)
    await customer.send("нет, не надо")
    assert "уведомления присылать не буду" in customer.text()
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, False)


async def test_the_buttons_answer_too(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Не нужно")
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, False)


async def test_choose_opens_the_screen_and_one_topic_is_stored(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Выбрать")
    text = customer.text()
    assert "• Долг и сроки оплаты — включены" in text
    assert "с 23-го по 25-е" in text
    await customer.press("Долг и оплата: выключить")
    assert "больше не буду присылать уведомления о долге" in customer.text()
    assert "• Долг и сроки оплаты — выключены" in customer.text()
    assert "Долг и оплата: включить" in customer.labels()
    assert await chosen(customer) == {"debt": False}


async def test_only_some_topics_in_words(customer: Customer) -> None:
    await linked(customer)
    await customer.send("только про отключения")
    assert "только уведомления об отключениях" in customer.text()
    assert await chosen(customer) == {
        "readings": False,
        "debt": False,
        "outages": True,
        "visits": False,
        "receipts": False,
    }


async def test_other_requests_are_not_trapped_by_the_question(customer: Customer) -> None:
    await linked(customer)
    await customer.send("баланс")
    assert "К оплате 1 250,40 ₽" in customer.text()
    await customer.send("да")  # the question is gone: a «да» is no answer to it any more
    assert await rows(customer) == {}


async def test_a_reading_right_after_linking_is_taken(customer: Customer) -> None:
    await linked(customer)
    await customer.send("12480")
    assert "приняты" in customer.text()
    assert await readings_stored(customer) == ["12480"]
    assert await rows(customer) == {}


async def test_operator_right_after_linking(customer: Customer) -> None:
    await linked(customer)
    await customer.send("оператор")
    assert "оператор" in customer.text().casefold() and OFFER not in customer.text()
    assert await rows(customer) == {}


async def test_not_asked_again_once_chosen(customer: Customer) -> None:
    now = customer.pipeline.clock()
    async with customer.pipeline.unit_of_work() as store:
        me = await store.customers.get_or_create(customer.channel, customer.user_id, "", "ru", now)
        await store.subscriptions.choose(me.id, {"debt": False}, customer.channel, now)
        await store.commit()
    await linked(customer)
    assert OFFER not in customer.text()
    assert "Что хотите сделать дальше?" in customer.text()


async def test_not_asked_when_linking_a_second_account(customer: Customer) -> None:
    await linked(customer)
    await customer.send("привязать ещё один счёт 59012345678")
    await customer.send("Ёлкин")
    assert "привязан" in customer.text()
    assert OFFER not in customer.text()


async def test_a_reading_sent_before_linking_is_taken_then_asked(customer: Customer) -> None:
    await customer.start()
    await customer.send("показания 12480")
    await customer.send("да")
    await customer.send("5901234567 Иванова")
    text = customer.text()
    assert "приняты" in text and text.index("приняты") < text.index(OFFER)
    assert await readings_stored(customer) == ["12480"]
    await customer.send("выборочно")
    assert "Уведомления, которые я присылаю" in customer.text()


async def test_a_task_with_a_question_open_keeps_it_and_asks_beside(
    customer: Customer,
) -> None:
    await customer.start()
    await customer.send("передать показания")
    await customer.send("да")
    await customer.send("5901234567")
    await customer.send("Иванова")
    texts = [reply.text for reply in customer.last]
    assert texts[-1].startswith("Счётчик № A-1")  # the task's question is the last one
    assert any("Кстати, могу присылать уведомления" in text for text in texts)
    payloads = [b.payload for reply in customer.last for b in reply.buttons]
    assert {"sub:all", "sub:choose", "unsub:all"} <= set(payloads)  # they work at any time
    await customer.send("12480")
    assert "приняты" in customer.text()
    assert await readings_stored(customer) == ["12480"]
    assert await rows(customer) == {}  # the default stays until they choose


async def test_the_side_question_answered_later(customer: Customer) -> None:
    await customer.start()
    await customer.send("передать показания")
    await customer.send("да")
    await customer.send("5901234567")
    await customer.send("Иванова")
    await customer.send("12480")
    assert "приняты" in customer.text()
    await press_payload(customer, "unsub:all")  # «Не нужно» of the question beside it
    assert "уведомления присылать не буду" in customer.text()
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, False)
    await customer.press("Включить снова")
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, True)


async def test_choose_beside_a_task_keeps_the_task_to_go_back_to(customer: Customer) -> None:
    await customer.start()
    await customer.send("передать показания")
    await customer.send("да")
    await customer.send("5901234567")
    await customer.send("Иванова")
    await customer.press("Выбрать")
    assert "Уведомления, которые я присылаю" in customer.text()
    await customer.press("Квитанция: выключить")
    await customer.press("Главное меню")
    assert "Продолжим передачу показаний?" in customer.text()
    await customer.press("Да, продолжим")
    await customer.send("12480")
    assert "приняты" in customer.text()
    assert await chosen(customer) == {"receipts": False}


# -- a notice's «Отписаться» ---------------------------------------------------------------------


async def test_unsubscribe_in_the_middle_of_a_question_keeps_the_question(
    customer: Customer, clock: Clock
) -> None:
    await linked(customer)
    await customer.send("передать показания")
    clock.now += timedelta(hours=2)
    await press_payload(customer, "unsub:debt")
    texts = [reply.text for reply in customer.last]
    assert texts[0] == (
        "Больше не буду присылать уведомления о долге и сроках оплаты. "
        "Включить снова можно в настройках."
    )
    assert [b.payload for b in customer.last[0].buttons] == ["sub:debt", "go:menu"]
    assert texts[-1].startswith("Счётчик № A-1")  # the open question again
    assert await rows(customer) == {"debt": (False, "test", clock.now)}
    await customer.send("12480")
    assert "приняты" in customer.text()
    clock.now += timedelta(minutes=5)
    await press_payload(customer, "sub:debt")  # the undo, pressed later: never out of date
    assert "снова буду присылать уведомления о долге" in customer.text()
    assert await rows(customer) == {"debt": (True, "test", clock.now)}


async def test_unsubscribe_with_nothing_open(customer: Customer) -> None:
    await linked(customer)
    await customer.send("меню")
    await press_payload(customer, "unsub:outages")
    assert "Больше не буду присылать уведомления об отключениях" in customer.text()
    assert customer.labels() == ["Включить снова", "Главное меню"]
    assert await chosen(customer) == {"outages": False}
    await customer.press("Включить снова")
    assert await chosen(customer) == {"outages": True}


async def test_unsubscribe_at_the_question_of_linking_answers_it(customer: Customer) -> None:
    await linked(customer)
    await press_payload(customer, "unsub:receipts")
    assert OFFER not in customer.text()
    assert await chosen(customer) == {"receipts": False}
    await customer.send("да")  # no question is open any more
    assert await chosen(customer) == {"receipts": False}


async def test_unsubscribe_while_an_operator_holds_the_conversation(customer: Customer) -> None:
    await linked(customer)
    await customer.send("позовите оператора")

    def operator_takes(conversation: Conversation) -> None:
        conversation.status = ConversationStatus.OPERATOR

    await change_conversation(customer, operator_takes)
    await press_payload(customer, "unsub:visits")
    assert "Больше не буду присылать уведомления о выезде мастера" in customer.text()
    assert customer.labels() == ["Включить снова"]
    assert await chosen(customer) == {"visits": False}


async def test_an_unknown_topic_is_out_of_date(customer: Customer) -> None:
    await linked(customer)
    await customer.send("меню")
    await press_payload(customer, "unsub:spam")
    assert "неактуальны" in customer.text()
    assert await rows(customer) == {}


async def test_unsubscribe_in_english(customer: Customer) -> None:
    await customer.start()
    await customer.send("switch to english")
    await press_payload(customer, "unsub:receipts")
    assert customer.text().startswith(
        "I will no longer send you notifications that your bill is ready."
    )
    assert customer.labels() == ["Turn back on", "Main menu"]


# -- the settings' screen and wishes in words -----------------------------------------------------


async def test_the_screen_shows_defaults_and_choices(customer: Customer) -> None:
    await linked(customer)
    await press_payload(customer, "unsub:readings")
    await customer.send("настройки")
    assert "Уведомления: включено 4 из 5" in customer.text()
    await customer.press("Уведомления")
    text = customer.text()
    assert "• Напоминания о показаниях — выключены" in text
    assert "• Отключения электроэнергии по вашему адресу — включены" in text  # the default
    assert "Показания: включить" in customer.labels()
    await customer.press("Выключить все")
    assert "все уведомления выключены" in customer.text()
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, False)
    await customer.send("включи все")
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, True)
    await customer.send("не присылайте уведомления о долге")
    assert await chosen(customer) == dict.fromkeys(ALL_TOPICS, True) | {"debt": False}


async def test_wishes_in_words_from_anywhere(customer: Customer) -> None:
    await linked(customer)
    await customer.send("меню")
    await customer.send("отпишись от напоминаний")
    assert "больше не буду присылать напоминания о показаниях" in customer.text()
    assert await chosen(customer) == {"readings": False}
    await customer.send("меню")
    await customer.send("включи напоминания")
    assert await chosen(customer) == {"readings": True}
    await customer.send("меню")
    await customer.send("отпишите меня от расылки про отключения света")  # sic
    assert await chosen(customer) == {"readings": True, "outages": False}


async def test_a_wish_about_notices_of_a_topic_is_settings_not_that_topic(
    customer: Customer,
) -> None:
    """«не присылайте уведомления о долге» names the debt, but asks about the notices: it is
    served at once, with the notices screen to change more."""
    await linked(customer)
    await customer.send("меню")
    await customer.send("не присылайте уведомления о долге")
    assert "больше не буду присылать уведомления о долге" in customer.text()
    assert "Долг и оплата: включить" in customer.labels()
    assert await chosen(customer) == {"debt": False}


async def test_questions_about_notices_change_nothing(customer: Customer) -> None:
    await linked(customer)
    await customer.send("меню")
    for question in (
        "вы будете напоминать про показания?",
        "почему вы не присылаете уведомления о долге?",
        "напоминания",
    ):
        await customer.send(question)
        await customer.send("меню")
    assert await rows(customer) == {}
