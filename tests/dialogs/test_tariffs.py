"""Tariffs and the estimate: the DOMAIN example, routing, my tariff, failures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from core.accounts import Category
from core.meters import Scheme, Zone
from core.readings import parse_readings
from core.tariffs import TariffRow
from dialogs.flows.tariffs import zone_volumes
from tests.dialogs.conftest import Clock, Customer, account, linked, local, meter

# Prices that tell the categories apart (the seeded ones are alike for all three).
OWN_PRICES = {
    (Category.URBAN_ELECTRIC, Scheme.SINGLE, Zone.ALL): "4.59",
    (Category.URBAN_ELECTRIC, Scheme.TWO_ZONE, Zone.DAY): "4.96",
    (Category.URBAN_ELECTRIC, Scheme.TWO_ZONE, Zone.NIGHT): "2.98",
    (Category.URBAN_ELECTRIC, Scheme.THREE_ZONE, Zone.PEAK): "6.00",
    (Category.URBAN_ELECTRIC, Scheme.THREE_ZONE, Zone.SEMIPEAK): "5.05",
    (Category.URBAN_ELECTRIC, Scheme.THREE_ZONE, Zone.NIGHT): "3.28",
    (Category.RURAL, Scheme.SINGLE, Zone.ALL): "4.10",
}


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
    assert "II — свыше 1 000 до 6 000 кВт·ч" in text
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


async def distinct_prices(customer: Customer) -> None:
    """Range I prices of their own for electric stoves and rural households, and a household
    with an electric stove and a three-zone meter."""
    rows = [
        TariffRow(category, scheme, zone, 1, D(0), D(1000), D(price), date(2026, 1, 1), None)
        for (category, scheme, zone), price in OWN_PRICES.items()
    ]
    async with customer.pipeline.unit_of_work() as store:
        await store.tariffs.upsert(rows)
        await store.accounts.upsert(
            [account("5900000004", "Петрова", category=Category.URBAN_ELECTRIC)]
        )
        await store.meters.upsert(
            [meter("5900000004", "D-4", Scheme.THREE_ZONE, ["5000", "2000", "3000"])]
        )
        await store.commit()


async def link_another(customer: Customer, number: str, surname: str) -> None:
    await customer.send("меню")
    await customer.press("Мои лицевые счета")
    await customer.press("Привязать ещё")
    await customer.send(number)
    await customer.send(surname)
    assert "привязан" in customer.text().casefold(), customer.text()


async def test_the_account_whose_meter_matches_the_zones_decides(customer: Customer) -> None:
    await distinct_prices(customer)
    await linked(customer)  # gas stove, single-rate
    await link_another(customer, "5900000004", "Петрова")  # electric stove, three-zone
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("пик 50 полупик 100 ночь 80")
    text = plain(customer.text())
    assert "электроплиты или электроотопление, трёхзонный" in text
    assert "Считаю по тарифу счёта •••••••0004" in text
    # 50 × 6,00 + 100 × 5,05 + 80 × 3,28 = 300 + 505 + 262,40
    assert "Итого: 1 067,40 ₽" in text
    await customer.send("250")  # the single-rate meter is on the gas-stove account
    text = plain(customer.text())
    assert "газовые плиты, однотарифный" in text and "Итого: 1 640,00 ₽" in text
    assert "•••••••4567" in text
    await customer.send("день 180 ночь 70")  # no two-zone meter: the first account's category
    text = plain(customer.text())
    assert "газовые плиты, двухзонный" in text and "Итого: 1 572,60 ₽" in text
    assert "Ни у одного из ваших счётчиков нет таких зон" in text


@pytest.mark.parametrize(
    ("text", "category", "total"),
    [
        ("сколько платить за 250 квт у меня электроплита", "электроплиты", "1 147,50"),
        ("сельский тариф 250 квт", "сельское население", "1 025,00"),
        ("250 квт в деревне сколько будет стоить", "сельское население", "1 025,00"),
        ("у меня газовая плита, сколько платить за 250 квт", "газовые плиты", "1 640,00"),
    ],
)
async def test_a_category_named_in_the_text_prices_the_estimate(
    customer: Customer, text: str, category: str, total: str
) -> None:
    await distinct_prices(customer)
    await customer.start()
    await customer.send(text)
    reply = plain(customer.text())
    assert category in reply
    assert f"Итого: {total} ₽" in reply


async def test_a_named_category_beats_a_linked_account_of_another(customer: Customer) -> None:
    await distinct_prices(customer)
    await linked(customer)  # gas stove
    await customer.send("сельский тариф 250 квт")
    assert "Итого: 1 025,00 ₽" in plain(customer.text())


async def test_without_an_account_every_category_has_its_prices(customer: Customer) -> None:
    await distinct_prices(customer)
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Мой тариф")
    assert "газовые плиты" in customer.text()
    assert {"Цены: электроплиты", "Цены: сельское население"} <= set(customer.labels())
    await customer.press("Цены: электроплиты")
    text = plain(customer.text())
    assert "электроплиты или электроотопление" in text
    assert "Круглосуточно: 4,59 / 9,02 / 10,32 ₽" in text
    assert "Цены: газовые плиты" in customer.labels()
    # An estimate asked next is priced for the category on screen.
    await customer.press("Рассчитать")
    await customer.send("100")
    assert "Итого: 459,00 ₽" in plain(customer.text())
    await customer.send("меню")
    await customer.send("сельский тариф")
    assert "Круглосуточно: 4,10 /" in plain(customer.text())


async def test_a_negative_amount_is_refused(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("-5")
    text = customer.text()
    assert "не может быть меньше нуля" in text
    assert "Итого" not in text
    await customer.send("день -20 ночь 70")
    assert "не может быть меньше нуля" in customer.text()


async def test_three_bare_numbers_are_registers_t1_t2_t3(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    assert "«пик 50 ночь 80 полупик 100»" in customer.text()
    await customer.send("50 80 100")
    text = plain(customer.text())
    # T1 peak 50 × 8,10, T2 night 80 × 4,26, T3 semi-peak 100 × 6,56; listed пик, полупик, ночь.
    peak = text.index("Пик, диапазон I: 50 кВт·ч")
    semipeak = text.index("Полупик, диапазон I: 100 кВт·ч")
    night = text.index("Ночь, диапазон I: 80 кВт·ч")
    assert peak < semipeak < night
    assert "Итого: 1 401,80 ₽" in text


async def test_a_zone_left_out_is_said_to_count_as_zero(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Рассчитать")
    await customer.send("день 180")
    text = plain(customer.text())
    assert "Итого: 1 274,40 ₽" in text
    assert "Расход не указан: ночь — посчитал его равным нулю" in text
    await customer.send("180 70")
    assert "не указан" not in customer.text()


async def test_zone_labelled_volumes_with_a_price_question_go_to_the_estimate(
    customer: Customer,
) -> None:
    await customer.start()
    await customer.send("сколько платить если день 200 ночь 90")
    # 200 × 7,08 + 90 × 4,26 = 1 416 + 383,40
    assert "Итого: 1 799,40 ₽" in plain(customer.text())


async def test_prices_list_three_zones_peak_semipeak_night(customer: Customer) -> None:
    await customer.start()
    await customer.press("Тарифы")
    await customer.press("Мой тариф")
    text = plain(customer.text())
    three = text[text.index("Трёхзонный учёт") :]
    assert three.index("Пик:") < three.index("Полупик:") < three.index("Ночь:")
    assert "II — свыше 1 000 до 6 000 кВт·ч" in text
