"""Submitting readings through the engine, checked on what is stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.readings import Reading, ReadingStatus
from dialogs.config import DialogConfig
from dialogs.pipeline import Pipeline
from tests.dialogs.conftest import Clock, Customer, linked, local


async def stored(customer: Customer, account: str, serial: str) -> list[Reading]:
    async with customer.pipeline.unit_of_work() as store:
        return await store.readings.for_meter(account, serial)


async def test_single_rate_reading_with_consumption_and_estimate(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Передать показания")
    assert "12 345,6" in customer.text()  # the previous value and its date are shown
    assert "24 октября 2026" in customer.text()
    await customer.send("12 480")
    text = customer.text()
    assert "приняты" in text and "ноябрь 2026" in text
    assert "134,4 кВт·ч" in text
    assert "881,66 ₽" in text  # 134.4 × 6.56
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal("12480")
    assert reading.consumption_kwh == Decimal("134.4")
    assert reading.status is ReadingStatus.ACCEPTED
    assert reading.period == "2026-11"
    assert reading.channel == "test"


async def test_two_zone_in_one_message_and_one_by_one(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания")
    await customer.send("день 23100 ночь 8050")
    assert "приняты" in customer.text()
    readings = await stored(customer, "59012345678", "B-2")
    assert {(r.register, r.value, r.consumption_kwh) for r in readings} == {
        ("T1", Decimal(23100), Decimal(100)),
        ("T2", Decimal(8050), Decimal(50)),
    }
    assert "921,00 ₽" in customer.text()  # 100 × 7.08 + 50 × 4.26


async def test_two_zone_values_one_at_a_time(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("сдать показания")
    await customer.send("23100")
    assert "«ночь» (T2)" in customer.text()
    await customer.send("т2 8050")
    assert "приняты" in customer.text()


async def test_lower_value_is_refused_and_nothing_stored(customer: Customer) -> None:
    await linked(customer)
    await customer.send("передать показания")
    await customer.send("12000")
    assert "меньше предыдущего" in customer.text()
    assert "контрольное снятие" in customer.text()
    assert await stored(customer, "5901234567", "A-1") == []
    await customer.send("12400")
    assert "приняты" in customer.text()


async def test_correction_before_cutoff_replaces_and_keeps_history(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания 12480")
    await customer.send("показания")
    assert "уже переданы" in customer.text()
    await customer.send("12470")
    assert "заменены" in customer.text()
    readings = await stored(customer, "5901234567", "A-1")
    assert [(r.value, r.status) for r in readings] == [
        (Decimal(12470), ReadingStatus.ACCEPTED),
        (Decimal(12480), ReadingStatus.REPLACED),
    ]


async def test_after_cutoff_counts_for_next_period(customer: Customer, clock: Clock) -> None:
    clock.now = local(2026, 11, 26)
    await linked(customer)
    await customer.send("показания")
    assert "декабрь 2026" in customer.text()
    await customer.send("12480")
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.period == "2026-12"


async def test_implausible_value_only_after_confirmation_and_flagged(customer: Customer) -> None:
    await linked(customer)  # history average 200 kWh → limit 600
    await customer.send("показания")
    await customer.send("13345,6")
    assert "1 000 кВт·ч" in customer.text() and "Всё верно" in customer.text()
    assert await stored(customer, "5901234567", "A-1") == []
    await customer.send("нет")
    await customer.send("13345,6")
    await customer.press("Да")
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.status is ReadingStatus.FLAGGED


async def test_too_many_digits_and_decimals(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("1234567")
    assert "цифр больше" in customer.text()
    await customer.send("12345,678")
    assert "не больше двух" in customer.text()
    assert await stored(customer, "5901234567", "A-1") == []


async def test_smart_meter_needs_no_submission_but_takes_a_control_value(
    customer: Customer,
) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.send("показания")
    assert "автоматически" in customer.text()
    await customer.press("контрольное")
    await customer.send("000020")
    assert "перешёл через ноль" in customer.text()  # 999 950 → 20: a rollover
    assert "999 950" in customer.text()  # the previous value, as no prompt showed it
    await customer.press("Да")
    assert "Контрольные показания" in customer.text()
    [reading] = await stored(customer, "5900000003", "C-3")
    assert reading.kind.value == "control" and reading.consumption_kwh == Decimal(70)


async def test_not_a_number_gets_an_example(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("сейчас посмотрю")
    assert "Не вижу в сообщении показаний" in customer.text()
    assert "«12480»" in customer.text()  # the question again, with its example


async def test_new_values_at_are_you_sure_replace_the_old_ones(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("13345,6")  # an extra digit: «are you sure?»
    await customer.send("что?")
    assert "«да» или «нет»" in customer.text()
    await customer.send("12445,6")
    assert "приняты" in customer.text()
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal("12445.6") and reading.status is ReadingStatus.ACCEPTED


async def test_confirmed_across_the_cutoff_midnight_counts_for_the_next_period(
    customer: Customer, clock: Clock
) -> None:
    clock.now = local(2026, 11, 25, 23, 58)
    await linked(customer)
    await customer.send("показания")
    await customer.send("13345,6")
    clock.now = local(2026, 11, 26, 0, 1)
    await customer.press("Да")
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.period == "2026-12" and reading.status is ReadingStatus.FLAGGED


async def test_one_refused_zone_keeps_the_others(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания")
    await customer.send("день 23100 ночь 7990")  # the night is below 8 000
    assert "меньше предыдущего" in customer.text()
    assert "«ночь» (T2)" in customer.text()
    await customer.send("8050")
    assert "приняты" in customer.text()
    readings = await stored(customer, "59012345678", "B-2")
    assert {(r.register, r.value) for r in readings} == {("T1", 23100), ("T2", 8050)}


async def test_values_typed_for_a_smart_meter_are_control_values(customer: Customer) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.send("показания")
    await customer.send("999990")
    assert "Контрольные показания" in customer.text()


async def test_two_family_members_at_once_leave_one_counted_reading(pipeline, monkeypatch) -> None:
    import asyncio

    from storage.repos.readings import ReadingRepo

    wife, husband = Customer(pipeline, user_id="wife"), Customer(pipeline, user_id="husband")
    for person in (wife, husband):
        await linked(person)
        await person.send("показания")
    fetch = ReadingRepo.for_meter

    async def slow_fetch(self, *args, **kwargs):  # widen the window between read and write
        found = await fetch(self, *args, **kwargs)
        await asyncio.sleep(0.2)
        return found

    monkeypatch.setattr(ReadingRepo, "for_meter", slow_fetch)
    await asyncio.gather(wife.send("12470"), husband.send("12480"))
    readings = await stored(wife, "5901234567", "A-1")
    assert sorted(r.status.value for r in readings) == ["accepted", "replaced"]


async def test_two_family_members_in_two_processes_leave_one_counted_reading(
    pipeline: Pipeline,
    database_url: str,
    config: DialogConfig,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As above, each served by another process (its own connection): the meter's lock, not
    one shared transaction, keeps the second reading from being checked against a stale
    history."""
    import asyncio

    from dialogs.engine import Engine
    from dialogs.flows import FLOWS
    from storage.database import Database
    from storage.repos.readings import ReadingRepo

    other = Database(database_url)
    elsewhere = Pipeline(other.unit_of_work, Engine(FLOWS), config, clock=clock)
    wife, husband = Customer(pipeline, user_id="wife"), Customer(elsewhere, user_id="husband")
    try:
        for person in (wife, husband):
            await linked(person)
            await person.send("показания")
        fetch = ReadingRepo.for_meter

        async def slow_fetch(self: ReadingRepo, *args: Any, **kwargs: Any) -> list[Reading]:
            found = await fetch(self, *args, **kwargs)
            await asyncio.sleep(0.2)  # widen the window between read and write
            return found

        monkeypatch.setattr(ReadingRepo, "for_meter", slow_fetch)
        await asyncio.gather(wife.send("12470"), husband.send("12480"))
    finally:
        await other.dispose()
    readings = await stored(wife, "5901234567", "A-1")
    assert sorted(r.status.value for r in readings) == ["accepted", "replaced"]


async def test_after_a_zero_consumption_reading_the_checks_still_apply(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("12345,6")  # the same as billing's last value: zero consumption
    assert "приняты" in customer.text()
    await customer.press("Передать ещё")
    assert "12 345,6" in customer.text()
    await customer.send("12000")
    assert "меньше предыдущего" in customer.text()
    await customer.send("13345,6")
    assert "Всё верно" in customer.text()


async def test_asking_again_at_the_reading_prompt_repeats_it(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания")
    await customer.send("передать показания")
    assert "Предыдущее показание" in customer.text()


@pytest.mark.parametrize("text", ["что-то 5", "<script>alert(1)</script>"])
async def test_one_small_number_among_words_at_the_menu_is_not_a_reading(
    customer: Customer, text: str
) -> None:
    await linked(customer)
    await customer.send(text)
    assert "показани" not in customer.text().lower()
    await customer.send("23 415")  # a number alone is still taken as a reading
    assert "показани" in customer.text().lower()


async def test_next_month_each_zone_is_checked_against_its_own_last_reading(
    customer: Customer, clock: Clock
) -> None:
    """Billing has not imported last month's readings yet: the baselines are ours, zone by zone
    (both zones were saved at the same instant; the night one must not become the day's)."""
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 23100 ночь 8050")
    assert "приняты" in customer.text()
    clock.now = local(2026, 12, 21, 10, 0)
    await customer.send("показания день 23180 ночь 8090")
    assert "приняты" in customer.text(), customer.text()
    latest = [r for r in await stored(customer, "59012345678", "B-2") if r.period == "2026-12"]
    assert {(r.register, r.value, r.consumption_kwh) for r in latest} == {
        ("T1", Decimal(23180), Decimal(80)),
        ("T2", Decimal(8090), Decimal(40)),
    }


@pytest.mark.parametrize(
    "text",
    [
        "показания день 23100 ночь 8050",
        "передаю показания 23100 и 8050",
        "пакозания т1 23100 т2 8050",
    ],
)
async def test_values_sent_with_the_request_are_answered_without_asking_for_them(
    customer: Customer, text: str
) -> None:
    """The values came with «показания»: the answer is that they are taken, not «введите
    показания» first and then «приняты» in the same turn."""
    await linked(customer, "59012345678", "Ёлкин")
    replies = await customer.send(text)
    assert len(replies) == 1, [r.text for r in replies]
    assert "приняты" in replies[0].text
    assert "Введите" not in customer.text()
    assert {r.value for r in await stored(customer, "59012345678", "B-2")} == {
        Decimal(23100),
        Decimal(8050),
    }


async def test_a_value_sent_with_the_request_and_missing_a_zone_asks_for_that_zone(
    customer: Customer,
) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 23100")
    assert "Введите" not in customer.text()
    assert "«ночь» (T2)" in customer.text()
    await customer.send("8050")
    assert "приняты" in customer.text()


async def test_an_implausible_value_sent_with_the_request_is_named_in_the_question(
    customer: Customer,
) -> None:
    """No prompt came before it, so the question says which value it is about."""
    await linked(customer)
    await customer.send("показания 23415")
    text = customer.text()
    assert "Всё верно?" in text
    assert "23 415" in text and "11 069,4 кВт·ч" in text
    assert await stored(customer, "5901234567", "A-1") == []
    await customer.send("да")
    assert "приняты" in customer.text()


async def test_a_meter_due_for_verification_is_still_told_when_values_come_with_the_request(
    customer: Customer,
) -> None:
    async with customer.pipeline.unit_of_work() as store:
        [old] = await store.meters.for_account("59012345678")
        await store.meters.upsert([replace(old, verification_due=date(2026, 12, 1))])
        await store.commit()
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 23100 ночь 8050")
    assert "поверки" in customer.text() and "приняты" in customer.text()


@pytest.mark.parametrize(
    "text", ["добрый день. счетчик 12480 передаю", "Добрый день показания 12480"]
)
async def test_a_greeting_before_the_value_names_no_zone(customer: Customer, text: str) -> None:
    await linked(customer)
    await customer.send(text)
    assert "приняты" in customer.text()
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal(12480)


@pytest.mark.parametrize("answer", ["да точнее 12480", "да, но правильно 12480", "ага 12480"])
async def test_a_value_given_with_the_yes_to_an_implausible_one_replaces_it(
    customer: Customer, answer: str
) -> None:
    """«Всё верно?» — «да точнее 12480»: the value said now is the one meant, not a yes to the
    implausible one before it."""
    await linked(customer)
    await customer.send("показания 23415")
    assert "Всё верно?" in customer.text()
    await customer.send(answer)
    assert "приняты" in customer.text()
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal(12480)
    assert reading.status is ReadingStatus.ACCEPTED


async def test_a_zone_corrected_with_the_yes_keeps_the_other_zone(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 29100 ночь 8050")
    assert "Всё верно?" in customer.text()
    await customer.send("да но день 23100")
    assert "приняты" in customer.text(), customer.text()
    assert {(r.register, r.value) for r in await stored(customer, "59012345678", "B-2")} == {
        ("T1", Decimal(23100)),
        ("T2", Decimal(8050)),
    }


async def test_the_same_values_said_again_with_the_yes_are_a_yes(customer: Customer) -> None:
    await linked(customer)
    await customer.send("показания 23415")
    await customer.send("да 23415 верно")
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal(23415)
    assert reading.status is ReadingStatus.FLAGGED


@pytest.mark.parametrize(
    "answer",
    [
        "да, верно, 11069 кВт",
        "да, я 3 месяца не передавала",
        "да все верно, заплачу 5000 рублей",
        "да, дома 5 человек и 2 обогревателя",
    ],
)
async def test_a_yes_with_numbers_that_are_no_reading_is_a_yes(
    customer: Customer, answer: str
) -> None:
    """Numbers beside the yes that could not be this meter's reading (lower than the last,
    a kWh figure, money) leave the yes a yes: the value asked about is stored for a check."""
    await linked(customer)
    await customer.send("показания 23415")
    assert "Всё верно?" in customer.text()
    await customer.send(answer)
    assert "приняты" in customer.text(), customer.text()
    [reading] = await stored(customer, "5901234567", "A-1")
    assert reading.value == Decimal(23415)
    assert reading.status is ReadingStatus.FLAGGED


async def test_a_yes_with_a_small_number_at_the_rollover_question_is_a_yes(
    customer: Customer,
) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.send("показания")
    await customer.press("контрольное")
    await customer.send("000020")
    assert "перешёл через ноль" in customer.text()
    await customer.send("да, 2 месяца не было дома")
    [reading] = await stored(customer, "5900000003", "C-3")
    assert reading.value == Decimal(20)


@pytest.mark.parametrize(
    "answer", ["да, ночь не так, там 8030", "да, но ночь не 8050 а 8030", "да но т2 8030"]
)
async def test_a_zone_corrected_in_words_with_the_yes_keeps_the_other_zone(
    customer: Customer, answer: str
) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 29100 ночь 8050")
    assert "Всё верно?" in customer.text()
    await customer.send(answer)
    values = {(r.register, r.value) for r in await stored(customer, "59012345678", "B-2")}
    assert values == {("T1", Decimal(29100)), ("T2", Decimal(8030))} or (
        "Всё верно?" in customer.text() and not values
    ), customer.text()
    assert "Теперь пришлите" not in customer.text()


async def test_a_greeting_before_a_correction_names_no_zone(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 23100 ночь 8050")
    await customer.send("Добрый день, ошиблась, там 8030")
    assert {
        (r.register, r.value)
        for r in await stored(customer, "59012345678", "B-2")
        if r.status.counts
    } == {
        ("T1", Decimal(23100)),
        ("T2", Decimal(8030)),
    }


@pytest.mark.parametrize(
    "answer",
    ["добрый день, ошиблась, там 8060", "ошиблась, ночь 8060", "нет 8060", "да точнее 8060"],
)
async def test_a_correction_at_the_question_replaces_only_its_zone_of_this_submission(
    customer: Customer, answer: str
) -> None:
    """An earlier submission of the month is not where the other zone comes from: «ошиблась,
    там 8060» after «день 23200 ночь 9050» keeps 23 200, not the month's earlier 23 100; an
    unnamed value goes to the zone it is clearly closest to."""
    await linked(customer, "59012345678", "Ёлкин")
    await customer.send("показания день 23100 ночь 8050")
    assert "приняты" in customer.text()
    await customer.send("показания день 23200 ночь 9050")
    assert "Всё верно?" in customer.text()
    await customer.send(answer)
    assert "приняты" in customer.text(), customer.text()
    counting = {
        (r.register, r.value)
        for r in await stored(customer, "59012345678", "B-2")
        if r.status.counts
    }
    assert counting == {("T1", Decimal(23200)), ("T2", Decimal(8060))}
