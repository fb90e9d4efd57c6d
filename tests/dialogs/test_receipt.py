"""The latest receipt as text: payer masked, tariff, readings of the period, totals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.readings import Reading, ReadingStatus
from tests.dialogs.conftest import Customer, linked


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_receipt_of_the_latest_period(customer: Customer) -> None:
    async with customer.pipeline.unit_of_work() as store:
        submitted = datetime(2026, 10, 24, 6, tzinfo=UTC)
        for value, status in (
            ("12540", ReadingStatus.REPLACED),
            ("12545.6", ReadingStatus.ACCEPTED),
        ):
            await store.readings.add(
                Reading(
                    "5901234567",
                    "A-1",
                    "T1",
                    Decimal(value),
                    Decimal(200),
                    "2026-10",
                    submitted,
                    "test",
                    status,
                )
            )
        await store.commit()
    await linked(customer)
    await customer.press("Квитанция")
    text = plain(customer.text())
    assert "Квитанция за октябрь 2026" in text
    assert "Плательщик: И*****ва М. И." in text
    assert "Адрес: г. Пермь, ул. Ленина, д. 10" in text and "кв. 5" not in text
    assert "Лицевой счёт: 5901234567" in text
    assert "однотарифный" in text and "однотарифный; 6,56 ₽ за кВт·ч (диапазон I)" in text
    assert "12 345,6 → 12 545,6" in text  # the replaced reading does not count
    assert "12 340" not in text
    assert "Объём: 200 кВт·ч" in text
    assert "Начислено: 1 312,00 ₽" in text and "Оплачено: 1 312,00 ₽" in text
    assert "К оплате 1 250,40 ₽ до 15 декабря 2026" in text
    assert "Итого к оплате: 1 250,40 ₽" in text
    assert "БИК: 045773603" in text
    assert "https://energosbyt.example/pay?account=5901234567" in text
    assert "Главное меню" in customer.labels()


async def test_receipt_without_readings_of_the_period(customer: Customer) -> None:
    await linked(customer)
    await customer.send("пришлите квитанцию")
    text = plain(customer.text())
    assert "Квитанция за октябрь 2026" in text
    assert "Показания" not in text
    assert "Объём: 200 кВт·ч" in text


async def test_no_history_no_receipt(customer: Customer) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.press("Квитанция")
    text = customer.text()
    assert "пока нет начислений" in text and "•••••••0003" in text
    assert "Итого" not in text
