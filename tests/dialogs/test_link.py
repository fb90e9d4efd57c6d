"""Consent and linking: number + surname, phone, limits, and resuming what was asked."""

from __future__ import annotations

from datetime import timedelta

from dialogs.messages import InboundKind
from dialogs.pipeline import Pipeline
from tests.dialogs.conftest import Clock, Customer, linked


async def linked_numbers(customer: Customer) -> list[str]:
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            customer.channel, customer.user_id, "", "ru", customer.pipeline.clock()
        )
        return [a.number for a in await store.accounts.linked(cust.id)]


async def test_consent_is_asked_once_and_recorded(customer: Customer) -> None:
    await customer.start()
    await customer.press("Мои лицевые счета")
    await customer.press("Привязать")
    assert "согласие" in customer.text()
    await customer.press("Даю согласие")
    assert "номер лицевого счёта" in customer.text()
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        assert await store.consents.has(cust.id, "2026-01")
    await customer.send("меню")
    await customer.send("привязать лицевой счёт")
    assert "согласие" not in customer.text()


async def test_refused_consent_links_nothing(customer: Customer) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.press("Не даю")
    assert "Без согласия" in customer.text()
    assert await linked_numbers(customer) == []


async def test_surname_written_differently_still_links(customer: Customer) -> None:
    await customer.start()
    await customer.send("59-012-345-678")  # a two-zone account of «Ёлкин»
    await customer.send("да")
    await customer.send("  елкин- ")
    assert "привязан" in customer.text()
    assert "•••••••5678" in customer.text()
    assert await linked_numbers(customer) == ["59012345678"]


async def test_number_and_surname_in_one_message(customer: Customer) -> None:
    await customer.start()
    await customer.send("привязать счёт")
    await customer.send("да")
    await customer.send("5901234567 Иванова")
    assert await linked_numbers(customer) == ["5901234567"]


async def test_wrong_surname_and_unknown_account_answer_alike(customer: Customer) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.send("привязать ещё счёт")
    await customer.send("5901234567")
    await customer.send("Петрова")
    wrong_surname = customer.text()
    await customer.send("5999999999")
    await customer.send("Петрова")
    assert customer.text() == wrong_surname
    assert "Не удалось найти" in wrong_surname


async def test_five_failures_lock_the_customer_even_with_the_right_surname(
    customer: Customer, clock: Clock
) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.send("да")
    for _ in range(4):
        await customer.send("Петрова")
        assert "Не удалось найти" in customer.text()
    await customer.send("Петрова")
    assert "Слишком много" in customer.text() and "через 1 час" in customer.text()
    await customer.send("5901234567 Иванова")
    assert "Слишком много" in customer.text()
    assert await linked_numbers(customer) == []
    clock.now += timedelta(hours=1, minutes=1)
    await customer.send("5901234567 Иванова")
    assert await linked_numbers(customer) == ["5901234567"]


async def test_ten_failures_on_one_account_lock_it_for_everyone(pipeline, clock: Clock) -> None:
    for n in range(5):
        attacker = Customer(pipeline, user_id=f"attacker-{n}")
        await attacker.start()
        await attacker.send("5901234567")
        await attacker.send("да")
        await attacker.send("Сидорова")
        await attacker.send("Петрова")
    owner = Customer(pipeline, user_id="owner")
    await owner.start()
    await owner.send("5901234567")
    await owner.send("да")
    await owner.send("Иванова")
    assert "Слишком много" in owner.text() and "через 24 часа" in owner.text()
    clock.now += timedelta(hours=24, minutes=1)
    await owner.send("5901234567 Иванова")
    assert "привязан" in owner.text()


async def test_shared_phone_links_every_account_with_that_phone(customer: Customer) -> None:
    await customer.start()
    await customer.share_phone("+7 912 000-00-02")
    await customer.send("да")
    assert sorted(await linked_numbers(customer)) == ["5900000003", "59012345678"]


async def test_someone_elses_contact_is_refused(customer: Customer) -> None:
    await customer.start()
    await customer.send("привязать счёт")
    await customer.send("да")
    await customer.share_phone("+79120000001", own=False)
    assert "только по своему номеру" in customer.text()
    assert await linked_numbers(customer) == []


async def test_reading_asked_before_linking_resumes_after_it(customer: Customer) -> None:
    await customer.start()
    await customer.send("передать показания 12480")
    await customer.send("да")
    await customer.send("5901234567")
    await customer.send("Иванова")
    assert "приняты" in customer.text(), customer.text()
    assert "134,4" in customer.text()


async def test_unlink(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Мои лицевые счета")
    await customer.press("Отвязать")
    await customer.press("Да")
    assert "отвязан" in customer.text()
    assert await linked_numbers(customer) == []


async def test_natural_ways_of_writing_the_surname(pipeline) -> None:
    for n, typed in enumerate(["Иванова.", "фамилия Иванова", "Мария Иванова", "иванова м.и."]):
        customer = Customer(pipeline, user_id=f"natural-{n}")
        await customer.start()
        await customer.send("5901234567")
        await customer.send("да")
        await customer.send(typed)
        assert "привязан" in customer.text(), typed


async def test_a_number_instead_of_the_consent_answer_is_kept(customer: Customer) -> None:
    await customer.start()
    await customer.send("показания")
    await customer.send("5901-234-567")
    assert "согласие" in customer.text() or "«да» или «нет»" in customer.text()
    await customer.send("да")
    assert "фамилию" in customer.text()


async def test_everything_in_one_message(customer: Customer) -> None:
    await customer.start()
    await customer.send(
        "Здравствуйте, лицевой счёт 59012345678, фамилия Ёлкин, показания день 23100 ночь 8050"
    )
    await customer.send("да")
    assert "приняты" in customer.text(), customer.text()


async def test_requests_at_the_surname_question_are_not_guesses(customer: Customer) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.send("да")
    for text in ("не знаю", "где её взять", "я не помню", "а зачем"):
        await customer.send(text)
        assert "Не удалось найти" not in customer.text(), text
    await customer.send("передать показания")  # a clear request leaves the question
    async with customer.pipeline.unit_of_work() as store:
        cust = await store.customers.get_or_create(
            "test", customer.user_id, "", "ru", customer.pipeline.clock()
        )
        since = customer.pipeline.clock() - timedelta(hours=1)
        assert await store.link_attempts.failures_by_customer(cust.id, since) == 0


async def test_several_surnames_in_one_message_count_as_several_guesses(
    customer: Customer,
) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.send("да")
    await customer.send("Петрова Сидорова")  # three candidates: both and «Петрова-Сидорова»
    await customer.send("Кузнецова Смирнова")
    assert "Слишком много" in customer.text()


async def test_number_then_surname_then_reading_in_one_message(customer: Customer) -> None:
    await customer.start()
    await customer.send("передать показания")
    await customer.send("да")
    await customer.send("5901234567 Иванова 12480")
    assert "приняты" in customer.text(), customer.text()


async def test_a_request_at_the_consent_question_is_answered(customer: Customer) -> None:
    await customer.start()
    await customer.send("5901234567")
    await customer.send("нет света")
    assert "8-800-220-0-220" in customer.text()


async def test_an_empty_contact_links_nothing(customer: Customer) -> None:
    await customer.start()
    await customer.share_phone("")
    assert "согласие" not in customer.text()
    assert "не понял" in customer.text()


async def test_consent_in_ordinary_words(pipeline) -> None:
    for n, answer in enumerate(["я согласна", "согласен на обработку данных", "Даю согласие"]):
        customer = Customer(pipeline, user_id=f"consent-{n}")
        await customer.start()
        await customer.send("5901234567")
        await customer.send(answer)
        assert "фамилию" in customer.text(), answer
    refuser = Customer(pipeline, user_id="refuser")
    await refuser.start()
    await refuser.send("5901234567")
    await refuser.send("не согласен на обработку")
    assert "фамилию" not in refuser.text()


async def test_refusals_of_consent_are_never_taken_for_consent(pipeline) -> None:
    for n, answer in enumerate(
        ["не даю согласие", "согласие не даю", "согласие отзываю", "я не согласна"]
    ):
        customer = Customer(pipeline, user_id=f"refusal-{n}")
        await customer.start()
        await customer.send("5901234567")
        await customer.send(answer)
        assert "Без согласия" in customer.text(), answer
        async with pipeline.unit_of_work() as store:
            cust = await store.customers.get_or_create(
                "test", customer.user_id, "", "ru", pipeline.clock()
            )
            assert not await store.consents.has(cust.id, "2026-01"), answer


async def test_a_channel_without_a_share_phone_button_asks_for_the_number_only(
    pipeline: Pipeline,
) -> None:
    """The web chat cannot prove a phone is the customer's own: linking offers no phone."""
    customer = Customer(pipeline, channel="webchat")
    await customer.start()
    await customer.press("Мои лицевые счета")
    await customer.press("Привязать")
    await customer.press("Даю согласие")
    assert "фамилию" in customer.text() and "Поделиться" not in customer.text()
    assert not any(reply.request_phone for reply in customer.last)
    await customer.send("5901234567")
    await customer.send("Иванова")
    assert "5901234567" in customer.text() or "привязан" in customer.text().lower()


async def test_a_sticker_or_a_file_at_the_consent_question_keeps_the_question(
    customer: Customer,
) -> None:
    await customer.start()
    await customer.send("5901234567")
    assert "согласие" in customer.text()
    for kind in (InboundKind.UNSUPPORTED, InboundKind.FILE):
        replies = await customer._event(kind, file_id="f1")
        # The question and its buttons again, not the main menu: a messenger that shows only
        # the last keyboard would otherwise lose «Даю согласие».
        assert "Вернёмся к вопросу" in replies[0].text
        assert "согласие" in replies[-1].text
        assert "Даю согласие" in customer.labels()
    await customer.press("Даю согласие")
    assert "фамилию" in customer.text().casefold() or "фамили" in customer.text()
