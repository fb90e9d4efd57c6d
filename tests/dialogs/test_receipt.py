"""The latest receipt as text: payer masked, tariff, readings of the period, totals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.balance import HistoryEntry
from core.readings import Reading, ReadingStatus
from tests.dialogs.conftest import Clock, Customer, linked, local
from tests.dialogs.papers_read import attachments, pdf_text


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
    assert "Тариф: городское население, газовые плиты, однотарифный" in text
    # The charge as the month's kWh at its price: it multiplies to the amount.
    assert "200 кВт·ч × 6,56 ₽ = 1 312,00 ₽" in text
    assert "Показания: 12 345,6 → 12 545,6" in text  # the replaced one does not count
    assert "круглосуточно" not in text.casefold()  # a single-rate meter has no zones to name
    assert "12 340" not in text
    assert "Объём: 200 кВт·ч" in text
    assert "Начислено: 1 312,00 ₽" in text and "Оплачено: 1 312,00 ₽" in text
    # What is due is said once: no «К оплате … до …» followed by «Итого к оплате».
    assert "Итого к оплате: 1 250,40 ₽ до 15 декабря 2026" in text
    assert text.casefold().count("к оплате") == 1
    # The bank details went into the PDF attached to it.
    assert "БИК" not in text and "PDF" in text
    files = attachments(customer.last)
    assert [f.filename for f in files] == ["kvitanciya-4567-2026-10.pdf"]
    assert "045773603" in pdf_text(files[0])
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


async def billed_october(
    customer: Customer, account: str, serial: str, readings: list[tuple[str, str, str]]
) -> None:
    """October billed for the account, and the customer's readings for it (register, value, kWh)."""
    async with customer.pipeline.unit_of_work() as store:
        kwh = sum((Decimal(consumption) for _, _, consumption in readings), Decimal(0))
        await store.history.upsert(
            [HistoryEntry(account, "2026-10", kwh, Decimal("600.00"), Decimal("600.00"))]
        )
        for register, value, consumption in readings:
            await store.readings.add(
                Reading(
                    account,
                    serial,
                    register,
                    Decimal(value),
                    Decimal(consumption),
                    "2026-10",
                    datetime(2026, 10, 24, 6, tzinfo=UTC),
                    "test",
                    ReadingStatus.ACCEPTED,
                )
            )
        await store.commit()


async def test_two_zone_receipt_names_zones_in_lower_case(customer: Customer) -> None:
    await billed_october(
        customer, "59012345678", "B-2", [("T1", "23180", "180"), ("T2", "8070", "70")]
    )
    await linked(customer, "59012345678", "Ёлкин")
    await customer.press("Квитанция")
    text = plain(customer.text())
    assert "двухзонный" in text
    # The charge split by zone as the month's readings measured it: 180 × 7,08 + 70 × 4,26.
    assert "день: 180 кВт·ч × 7,08 ₽ + ночь: 70 кВт·ч × 4,26 ₽ = 1 572,60 ₽" in text
    assert "Показания (день): 23 000 → 23 180" in text
    assert "Показания (ночь): 8 000 → 8 070" in text


async def test_previous_reading_after_a_rollover(customer: Customer) -> None:
    # Six digits: 999 950 went past zero to 30, i.e. 80 kWh.
    await billed_october(customer, "5900000003", "C-3", [("T1", "30", "80")])
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.press("Квитанция")
    text = plain(customer.text())
    assert "Показания: 999 950 → 30" in text
    assert "-50" not in text


async def test_receipt_of_a_month_named(customer: Customer) -> None:
    await linked(customer)
    await customer.send("квитанция за сентябрь")
    text = plain(customer.text())
    assert "Квитанция за сентябрь 2026" in text
    assert "октябрь" not in text
    assert "Объём: 200 кВт·ч" in text
    # A past month's receipt does not ask for today's debt.
    assert "Это квитанция за прошедший месяц" in text
    assert "Итого к оплате" not in text


async def test_receipt_of_a_month_asked_before_linking(customer: Customer) -> None:
    await customer.start()
    await customer.send("пришлите квитанцию за август")
    await customer.send("5901234567")
    await customer.send("да")
    await customer.send("Иванова")
    assert "Квитанция за август 2026" in plain(customer.text())


async def test_a_month_without_a_receipt_is_not_replaced_by_another(customer: Customer) -> None:
    await linked(customer)
    await customer.send("квитанция за январь")
    text = plain(customer.text())
    assert "Квитанции за январь 2026 у меня нет" in text
    assert "май 2026 — октябрь 2026" in text
    assert "Квитанция за" not in text
    await customer.press("Последняя квитанция")
    assert "Квитанция за октябрь 2026" in plain(customer.text())


async def test_overdue_receipt_says_the_date_passed_and_the_estimated_penalty(
    customer: Customer, clock: Clock
) -> None:
    await linked(customer)
    clock.now = local(2027, 1, 20)  # 36 days after 15 December
    await customer.send("квитанция")
    text = plain(customer.text())
    assert "срок оплаты (15 декабря 2026) прошёл 36 дней назад" in text
    assert "К оплате 1 250,40 ₽ до" not in text and "до 15 декабря" not in text
    assert "Пени на сегодня — примерно 4,13 ₽" in text
    # The estimate is said, never added to what to pay (billing charges the exact penalty).
    assert "Итого к оплате: 1 250,40 ₽" in text and "с пенями" not in text


async def test_receipt_with_an_overpayment_offers_no_payment(customer: Customer) -> None:
    await billed_october(customer, "5900000003", "C-3", [("T1", "30", "80")])
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.press("Квитанция")
    text = plain(customer.text())
    assert "Переплата 300,00 ₽" in text
    assert "Оплатить онлайн" not in text and "Итого к оплате" not in text
