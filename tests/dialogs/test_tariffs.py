"""Tariffs and the estimate: the DOMAIN example, routing, my tariff, failures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.meters import Scheme, Zone
from core.readings import parse_readings
from dialogs.flows.tariffs import zone_volumes
from tests.dialogs.conftest import Clock, Customer, linked, local


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_domain_example_two_zone_estimate(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    assert "Рассчитать стоимость" in customer.labels()
    await customer.press("Рассчитать стоимость")
    await customer.send("день 180 ночь 70")
    text = plain(customer.text())
    assert "День, диапазон I: 180 кВт·ч × 7,08 ₽ = 1 274,40 ₽" in text
    assert "Ночь, диапазон I: 70 кВт·ч × 4,26 ₽ = 298,20 ₽" in text
    assert "Итого: 1 572,60 ₽" in text
    assert "двухзонный" in text
    assert "Расчёт примерный, по тарифам, действующим с 1 января 2026 г." in text
    # Still in the estimate: the next numbers are calculated too.
    await customer.send("пик 50 полупик 100 ночь 80")
    text = plain(customer.text())
    assert "трёхзонный" in text
    # 50 × 8,10 + 100 × 6,56 + 80 × 4,26 = 405 + 656 + 340,80
    assert "Итого: 1 401,80 ₽" in text


async def test_free_text_with_kwh_goes_straight_to_the_estimate(customer: Customer) -> None:
    await customer.start()
    await customer.send("сколько платить за 250 квт")
    text = plain(customer.text())
    assert "Диапазон I: 250 кВт·ч × 6,56 ₽ = 1 640,00 ₽" in text
    assert "Итого: 1 640,00 ₽" in text
    assert "действующим с 1 января 2026 г." in text


async def test_two_numbers_are_day_and_night(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("180 70")
    assert "Итого: 1 572,60 ₽" in plain(customer.text())


async def test_volume_beyond_range_one_is_split(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("1500")
    text = plain(customer.text())
    # 1 000 × 6,56 + 500 × 9,02
    assert "Диапазон II: 500 кВт·ч × 9,02 ₽ = 4 510,00 ₽" in text
    assert "Итого: 11 070,00 ₽" in text


async def test_unusable_input_is_explained(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("день 100 50")
    assert "Подпишите каждую" in customer.text()
    await customer.send("день 100 день 50")
    assert "указана дважды" in customer.text()
    await customer.send("5901234567")
    assert "очень много" in customer.text()
    await customer.send("10 20 30 40")
    assert "Слишком много чисел" in customer.text()
    await customer.send("0")
    assert "нулевым" in customer.text()
    await customer.send("день 180 ночь 70")
    assert "1 572,60" in plain(customer.text())


async def test_linked_two_zone_meter_gets_a_hint_for_a_single_number(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("250")
    text = plain(customer.text())
    assert "Итого: 1 640,00 ₽" in text
    assert "У вас двухзонный счётчик" in text


async def test_my_tariff_without_account_offers_linking(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Мой тариф")
    text = plain(customer.text())
    assert "городское население, газовые плиты" in text
    assert "Круглосуточно: 6,56 / 9,02 / 10,32 ₽" in text
    assert "День: 7,08 / 9,74 / 11,15 ₽" in text
    assert "I — до 1 000 кВт·ч" in text and "III — свыше 6 000 кВт·ч" in text
    assert "Привязать лицевой счёт" in customer.labels()


async def test_my_tariff_of_a_linked_two_zone_account(customer: Customer) -> None:
    await linked(customer, "59012345678", "Ёлкин")
    await customer.press("Тарифы")
    await customer.press("Мой тариф")
    text = plain(customer.text())
    assert "•••••••5678: городское население, газовые плиты, двухзонный" in text
    assert "День: 7,08 / 9,74 / 11,15 ₽" in text
    assert "Ночь: 4,26 / 7,22 / 8,27 ₽" in text
    assert "II — от 1 000 до 6 000 кВт·ч" in text
    assert "ночь 23:00–07:00" in text
    assert "Многодетные семьи" in text
    assert "действуют с 1 января 2026 г." in text


async def test_zone_hours_ranges_and_large_families(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Часы зон")
    text = customer.text()
    assert "день 07:00–23:00, ночь 23:00–07:00" in text
    assert "пик 07:00–10:00 и 17:00–21:00, полупик 10:00–17:00 и 21:00–23:00" in text
    await customer.press("Диапазоны")
    text = plain(customer.text())
    assert "Сельское население: I — до 1 000 кВт·ч" in text
    await customer.press("Многодетным")
    assert "по цене диапазона I" in customer.text()
    assert "Связаться с оператором" in customer.labels()


async def test_a_price_question_about_a_zone_shows_prices(customer: Customer) -> None:
    await customer.start()
    await customer.send("ночной тариф сколько стоит")
    text = plain(customer.text())
    assert "Ночь: 4,26 / 7,22 / 8,27 ₽" in text
    assert "23:00–07:00" not in text
    await customer.send("меню")
    await customer.send("во сколько начинается ночной тариф")
    assert "ночь 23:00–07:00" in customer.text()


async def test_no_tariff_in_force(customer: Customer, clock: Clock) -> None:
    clock.now = local(2025, 6, 2)  # before the seeded tariffs start
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("250")
    assert "Не нашёл действующего тарифа" in customer.text()
    assert "Связаться с оператором" in customer.labels()


@pytest.mark.parametrize(
    ("text", "meter", "expected"),
    [
        ("250", None, (Scheme.SINGLE, {Zone.ALL: D(250)})),
        ("180 70", None, (Scheme.TWO_ZONE, {Zone.DAY: D(180), Zone.NIGHT: D(70)})),
        ("ночь 70 день 180", None, (Scheme.TWO_ZONE, {Zone.NIGHT: D(70), Zone.DAY: D(180)})),
        ("т1 180 т2 70", None, (Scheme.TWO_ZONE, {Zone.DAY: D(180), Zone.NIGHT: D(70)})),
        (
            "т1 50 т2 80",
            Scheme.THREE_ZONE,
            (Scheme.THREE_ZONE, {Zone.PEAK: D(50), Zone.NIGHT: D(80)}),
        ),
        (
            "день 50 полупик 100 ночь 80",
            None,
            (Scheme.THREE_ZONE, {Zone.PEAK: D(50), Zone.SEMIPEAK: D(100), Zone.NIGHT: D(80)}),
        ),
        ("день 100 50", None, "tariffs.estimate_mixed"),
        ("ночь 1 ночь 2", None, "tariffs.estimate_duplicate"),
        ("1 2 3 4", None, "tariffs.estimate_too_many"),
    ],
)
def test_zone_volumes(text: str, meter: Scheme | None, expected: object) -> None:
    assert zone_volumes(parse_readings(text), meter) == expected
