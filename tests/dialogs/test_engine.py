"""The engine's own rules: buttons, numbers, labels, commands, stale buttons, duplicates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dialogs.messages import Inbound, InboundKind
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, linked


async def test_start_greets_with_the_main_menu(customer: Customer) -> None:
    replies = await customer.start()
    assert "Здравствуйте" in replies[0].text
    assert "Передать показания" in customer.labels()
    assert all(len(b.payload.encode()) <= 64 for r in replies for b in r.buttons)


async def test_a_typed_number_presses_the_button(customer: Customer) -> None:
    await customer.start()
    await customer.send("7")  # «Нет света»
    assert "8-800-220-0-220" in customer.text()


async def test_a_typed_label_presses_the_button(customer: Customer) -> None:
    await customer.start()
    await customer.send("нет света!")
    assert "8-800-220-0-220" in customer.text()


async def test_numbers_are_input_where_a_step_takes_numbers(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("1")  # the only button is «Отмена», but here 1 is a (too low) reading
    assert "меньше предыдущего" in customer.text()


async def test_stale_button_gets_the_current_prompt(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("мои счета")
    old = list(customer.last)
    await customer.press("Отвязать")
    current_prompt = customer.text()
    customer.last = old
    await customer.press("Отвязать")
    assert "неактуальны" in customer.text()
    assert current_prompt in customer.text()


async def test_main_menu_buttons_never_go_stale(customer: Customer) -> None:
    await customer.start()
    menu = list(customer.last)
    await customer.send("тарифы")
    customer.last = menu
    await customer.press("Нет света")
    assert "неактуальны" not in customer.text()
    assert "8-800-220-0-220" in customer.text()


async def test_global_commands_from_any_step(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("отмена")
    assert "отменил" in customer.text()
    await customer.send("показания")
    await customer.send("меню")
    assert "Передать показания" in customer.labels()


async def test_unknown_twice_offers_an_operator(customer: Customer) -> None:
    await customer.start()
    await customer.send("фывапролдж")
    assert "не понял" in customer.text()
    assert "Передать показания" in customer.labels()
    await customer.send("олдлордлро")
    assert "оператору" in customer.text()
    assert "Связаться с оператором" in customer.labels()


async def test_duplicate_event_changes_nothing(customer: Customer) -> None:
    pipeline = customer.pipeline
    event = Inbound("test", "dup", "evt-1", InboundKind.TEXT, pipeline.clock(), text="привет")
    first = await pipeline.handle(event)
    again = await pipeline.handle(event)
    assert not first.duplicate and first.replies
    assert again.duplicate and again.replies == ()
    async with pipeline.unit_of_work() as store:
        rows = await store.outbox.pending("test", first.conversation_id)
    assert len(rows) == len(first.replies)


async def test_a_turn_that_waited_for_the_conversation_is_stamped_after_the_wait(
    customer: Customer, database_url: str, clock: Clock
) -> None:
    """Another process holds the conversation (an operator's reply being written): the
    customer's message that waited for it is stamped with the time after the wait, so it comes
    after that process's rows — on PostgreSQL the event is not kept in the statement that finds
    the conversation locked, on SQLite the batch waits for the write lock."""
    import asyncio
    from datetime import timedelta

    from sqlalchemy import select

    from storage.tables import inbox

    pipeline = customer.pipeline
    await customer.start()
    other = Database(database_url)
    later = clock.now + timedelta(minutes=5)
    try:
        async with other.unit_of_work() as store:
            held = await store.customers.get_or_create("test", customer.user_id, "", "ru", later)
            await store.conversations.get_for_update(held, later)
            turn = asyncio.create_task(
                pipeline.handle(
                    Inbound(
                        "test", customer.user_id, "waited", InboundKind.TEXT, later, text="меню"
                    )
                )
            )
            await asyncio.sleep(0.3)
            assert not turn.done()
            clock.now = later  # the holder's time: later than the turn's first look at the clock
            await store.commit()
        handled = await turn
        async with other.engine.connect() as conn:
            received = (
                await conn.execute(select(inbox.c.received_at).where(inbox.c.event_id == "waited"))
            ).scalar_one()
    finally:
        await other.dispose()
    assert handled.replies
    assert received == later


async def test_a_renamed_customer_waiting_for_the_conversation_does_not_deadlock_its_holder(
    customer: Customer, database_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder of the conversation (a turn elsewhere switching the language) writes the
    customer row after locking the conversation; the waiting turn, with a new display name,
    must wait for the conversation before it writes the customer row, in the same order (a
    deadlock would be broken by PostgreSQL, and the turn run again: none is allowed here)."""
    import asyncio
    from dataclasses import replace as changed

    from storage.repos.customers import ConversationRepo

    failed: list[BaseException] = []
    locking = ConversationRepo.get_for_update

    async def watched(self: ConversationRepo, *args: Any) -> Any:
        try:
            return await locking(self, *args)
        except Exception as exc:
            failed.append(exc)
            raise

    monkeypatch.setattr(ConversationRepo, "get_for_update", watched)
    pipeline = customer.pipeline
    await customer.start()
    other = Database(database_url)
    try:
        async with other.unit_of_work() as store:
            opened = await store.conversations.open("test", customer.user_id)
            assert opened is not None
            turn = asyncio.create_task(
                pipeline.handle(
                    Inbound(
                        "test",
                        customer.user_id,
                        "renamed",
                        InboundKind.TEXT,
                        clock.now,
                        text="меню",
                        display_name="Мария Ивановна",
                    )
                )
            )
            await asyncio.sleep(0.3)
            await store.customers.update(changed(opened[0], language="en"))
            await store.commit()  # a deadlock would fail this or the turn
        handled = await turn
        async with other.unit_of_work() as store:
            renamed = await store.customers.get(opened[0].id)
    finally:
        await other.dispose()
    assert handled.replies and failed == []
    assert renamed is not None and renamed.display_name == "Мария Ивановна"


async def test_state_survives_a_new_pipeline(customer: Customer) -> None:
    from dialogs.engine import Engine
    from dialogs.flows import FLOWS
    from dialogs.pipeline import Pipeline

    await linked(customer)
    await customer.send("показания")
    old = customer.pipeline
    customer.pipeline = Pipeline(old.unit_of_work, Engine(FLOWS), old.config, clock=old.clock)
    await customer.send("12480")
    assert "приняты" in customer.text()


async def test_one_conversation_is_handled_in_order_under_concurrency(customer: Customer) -> None:
    import asyncio

    from tests.dialogs.conftest import linked as link

    await link(customer)
    pipeline = customer.pipeline
    events = [
        Inbound("test", customer.user_id, f"c-{n}", InboundKind.TEXT, pipeline.clock(), text=t)
        for n, t in enumerate(["показания", "12400", "показания", "12410"])
    ]
    results = await asyncio.gather(*(pipeline.handle(e) for e in events))
    assert "приняты" in results[1].replies[0].text
    assert "приняты" in results[3].replies[0].text
    assert not pipeline._locks._locks  # nothing left behind


async def test_a_state_this_version_does_not_know_starts_over(customer: Customer) -> None:
    await customer.start()
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(cust, customer.pipeline.clock())
        conversation.state = {"flow": "readings", "step": "renamed_step", "data": {}}
        await store.conversations.save(conversation)
        await store.commit()
    await customer.send("нет света")
    assert "8-800-220-0-220" in customer.text()


async def test_a_failing_step_apologises_and_the_next_message_works(
    customer: Customer, monkeypatch
) -> None:
    from dialogs.flows import FLOWS

    await linked(customer)
    await customer.send("показания")

    async def broken(ctx, msg):
        raise RuntimeError("a bug")

    step = FLOWS["readings"].steps["value"]
    monkeypatch.setitem(FLOWS["readings"].steps, "value", replace(step, handler=broken))
    await customer.send("12480")
    assert "что-то пошло не так" in customer.text()
    assert "Передать показания" in customer.labels()
    monkeypatch.setitem(FLOWS["readings"].steps, "value", step)
    await customer.send("показания")
    await customer.send("12480")
    assert "приняты" in customer.text()


async def test_cancel_while_waiting_withdraws_the_request(customer: Customer) -> None:
    await customer.start()
    await customer.send("позовите оператора")
    await customer.send("отмена")
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(cust, customer.pipeline.clock())
        assert await store.escalations.active(conversation.id) is None
    assert conversation.status.value == "bot"


async def test_the_bot_still_answers_what_it_can_while_a_request_waits(customer: Customer) -> None:
    await customer.start()
    await customer.send("позовите оператора")
    await customer.send("и ещё: вчера вечером моргал свет во всём подъезде")
    assert "Добавил к обращению" in customer.text()
    await customer.press("Главное меню")
    await customer.press("Нет света")
    assert "8-800-220-0-220" in customer.text()


async def test_deep_link_with_an_account_number_starts_linking(customer: Customer) -> None:
    await customer.start(payload="5901234567")
    await customer.send("да")
    assert "фамилию" in customer.text()
    await customer.send("Иванова")
    assert "привязан" in customer.text()


async def test_a_reading_pending_before_cancel_is_not_resumed(customer: Customer) -> None:
    await customer.start()
    await customer.send("показания 12480")
    await customer.send("отмена")
    await customer.send("привязать счёт")
    await customer.send("да")
    await customer.send("5901234567 Иванова")
    assert "приняты" not in customer.text()


async def test_a_short_request_while_waiting_is_answered_by_the_bot(customer: Customer) -> None:
    await customer.start()
    await customer.send("позовите оператора")
    await customer.send("нет света")
    assert "8-800-220-0-220" in customer.text()
    await customer.send("мне кажется, что мне неправильно посчитали долг за октябрь")
    assert "Добавил к обращению" in customer.text()


async def test_card_numbers_are_never_stored_and_the_customer_is_warned(customer: Customer) -> None:
    await customer.start()
    await customer.send("позовите оператора")
    await customer.send("вот моя карта 4111 1111 1111 1111 cvv 123, спишите долг пожалуйста")
    assert "никогда не отправляйте данные банковской карты" in customer.text()
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(cust, customer.pipeline.clock())
        transcript = await store.conversations.transcript(conversation.id, 50)
        escalation = await store.escalations.active(conversation.id)
    everything = " ".join(m.text for m in transcript + escalation.messages)
    assert "•••• •••• •••• 1111" in everything
    assert "4111 1111 1111 1111" not in everything and "cvv 123" not in everything


async def test_while_waiting_complaints_go_to_the_operator_and_short_requests_to_both(
    customer: Customer,
) -> None:
    await customer.start()
    await customer.send("позовите оператора")
    await customer.send("мне начислили пени незаконно")
    assert "Добавил к обращению" in customer.text()
    await customer.send("мои заявки")
    assert "Добавил к обращению" not in customer.text()
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        conversation = await store.conversations.get_for_update(cust, customer.pipeline.clock())
        escalation = await store.escalations.active(conversation.id)
    texts = [m.text for m in escalation.messages]
    assert "мне начислили пени незаконно" in texts and "мои заявки" in texts
