"""Technician visits: booking end to end, phone checks, listing and cancelling."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from core.visits import Visit, VisitStatus, VisitType
from dialogs.messages import InboundKind
from storage.tables import audit
from tests.dialogs.conftest import Clock, Customer, linked, local


async def visits_of(customer: Customer, number: str = "5901234567") -> list[Visit]:
    async with customer.pipeline.unit_of_work() as store:
        return await store.visits.for_accounts([number])


async def audit_details(customer: Customer) -> list[dict[str, Any]]:
    async with customer.pipeline.unit_of_work() as store:
        rows = await store.connection.execute(select(audit.c.details).order_by(audit.c.id))
        return [details for (details,) in rows.all()]


async def go(customer: Customer, flow: str) -> None:
    """A main-menu style button that starts a flow."""
    await customer._event(InboundKind.BUTTON, payload=f"go:{flow}")


async def book_until_phone(customer: Customer, kind: str = "Контрольное снятие") -> None:
    await linked(customer)
    await customer.press("Вызвать мастера")
    assert "Что нужно сделать?" in customer.text()
    assert len(customer.labels()) == 8
    await customer.press(kind)
    # Friday 20 November: the next working days start on Monday.
    assert customer.labels()[0] == "пн, 23 ноября"
    assert len(customer.labels()) == 6
    await customer.press("24 ноября")
    assert "время" in customer.text()
    await customer.press("08:00")


async def test_booking_end_to_end_with_a_typed_phone(customer: Customer) -> None:
    await book_until_phone(customer)
    assert customer.last[-1].request_phone
    assert "Телефон из лицевого счёта (+7 *** ***-00-01)" in customer.labels()
    await customer.send("12345")
    assert "например +7 912 345-67-89" in customer.text()  # asked again with an example
    await customer.send("8 (912) 555-44-33")
    assert "Без комментария" in customer.labels()
    await customer.send("Домофон 15, третий подъезд")
    summary = customer.text()
    assert "Контрольное снятие показаний" in summary
    assert "вт, 24 ноября, с 08:00 до 12:00" in summary
    assert "+7 *** ***-44-33" in summary
    assert "Домофон 15" in summary
    assert await visits_of(customer) == []  # nothing before the confirmation
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert f"Заявка № {visit.number} принята. Когда мастеру назначат время" in customer.text()
    assert visit.number.startswith("2611-")
    assert visit.type is VisitType.CONTROL_READING
    assert visit.preferred_date == date(2026, 11, 24)
    assert visit.slot == "08:00-12:00"
    assert visit.phone == "+79125554433"
    assert visit.comment == "Домофон 15, третий подъезд"
    assert visit.status is VisitStatus.NEW
    assert "Мои заявки" in customer.labels()


async def test_control_reading_mentions_disputes(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Вызвать мастера")
    await customer.press("Контрольное снятие")
    assert "оспорить показания" in customer.text()
    await customer.send("25")  # neither a listed day nor its number
    assert "Выберите день кнопкой" in customer.text()
    assert customer.labels()[0] == "пн, 23 ноября"


async def test_account_phone_and_no_comment(customer: Customer) -> None:
    await book_until_phone(customer, "Замена или установка")
    assert "оспорить" not in customer.text()
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    assert "Комментарий" not in customer.text()
    await customer.send("да")
    [visit] = await visits_of(customer)
    assert visit.phone == "+79120000001"
    assert visit.comment == ""
    assert visit.type is VisitType.METER_REPLACEMENT


async def test_shared_contact_and_a_long_comment_is_cut(customer: Customer) -> None:
    await book_until_phone(customer)
    await customer.share_phone("+7 999 111-22-33")
    await customer.send("а" * 600)
    assert "первые 500 символов" in customer.text()
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.phone == "+79991112233"
    assert len(visit.comment) == 500


async def test_declined_confirmation_stores_nothing(customer: Customer) -> None:
    await book_until_phone(customer)
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.send("что?")
    assert "«да» или «нет»" in customer.text()
    await customer.press("Нет")
    assert "не отправляю" in customer.text()
    assert await visits_of(customer) == []


async def test_a_day_typed_by_number_of_the_list(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Вызвать мастера")
    await customer.send("3")  # the third type: verification
    await customer.send("1")  # the first day
    await customer.send("2")  # the second slot
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.type is VisitType.VERIFICATION
    assert visit.preferred_date == date(2026, 11, 23)
    assert visit.slot == "12:00-17:00"


async def test_my_visits_and_cancel(customer: Customer, clock: Clock) -> None:
    await book_until_phone(customer)
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    await customer.press("Мои заявки")
    text = customer.text()
    assert f"№ {visit.number} — Контрольное снятие показаний" in text
    assert "принята, ждёт назначения времени" in text
    await customer.press(f"Отменить № {visit.number}")
    assert f"Отменить заявку № {visit.number}" in customer.text()
    await customer.press("Да")
    assert f"Заявка № {visit.number} отменена" in customer.text()
    [cancelled] = await visits_of(customer)
    assert cancelled.status is VisitStatus.CANCELLED
    async with customer.pipeline.unit_of_work() as store:
        history = await store.visits.history(visit.id)
    assert history[-1].status is VisitStatus.CANCELLED and history[-1].by == "customer"
    await go(customer, "my_visits")
    assert "отменена" in customer.text()
    assert not any(label.startswith("Отменить") for label in customer.labels())


async def test_keeping_a_visit_when_asked_to_cancel(customer: Customer) -> None:
    await book_until_phone(customer)
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    await customer.press("Мои заявки")
    await customer.press("Отменить №")
    await customer.press("Нет")
    assert "остаётся в силе" in customer.text()
    [visit] = await visits_of(customer)
    assert visit.status is VisitStatus.NEW


async def test_no_visits_yet(customer: Customer) -> None:
    await linked(customer)
    await customer.send("мои заявки")
    assert "нет заявок" in customer.text()
    assert "Новая заявка" in customer.labels()
    await customer.press("Новая заявка")
    assert "Что нужно сделать?" in customer.text()


async def test_a_day_gone_by_the_confirmation_is_chosen_again(
    customer: Customer, clock: Clock
) -> None:
    await book_until_phone(customer)  # Tuesday 24 November, 08:00-12:00
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    clock.now = local(2026, 11, 25, 9, 0)  # the customer answers on Wednesday
    await customer.send("да")
    assert await visits_of(customer) == []
    assert "На 24 ноября записаться уже нельзя" in customer.text()
    assert customer.labels()[0] == "чт, 26 ноября"
    assert "вт, 24 ноября" not in customer.labels()
    await customer.press("27 ноября")
    summary = customer.text()  # straight back to the summary: the rest of the request holds
    assert "пт, 27 ноября, с 08:00 до 12:00" in summary and "Всё верно?" in summary
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.preferred_date == date(2026, 11, 27)
    assert visit.slot == "08:00-12:00" and visit.phone == "+79120000001"


async def test_audit_holds_no_full_account_number(customer: Customer) -> None:
    await book_until_phone(customer)
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    await customer.press("Мои заявки")
    await customer.press("Отменить №")
    await customer.press("Да")
    details = await audit_details(customer)
    created = next(d for d in details if d.get("type") == "control_reading")
    assert created["account"] == "•••••••4567"
    assert "5901234567" not in json.dumps(details, ensure_ascii=False)


async def book_until_date(customer: Customer, kind: str = "Опломбировка") -> None:
    await linked(customer)
    await customer.press("Вызвать мастера")
    await customer.press(kind)
    assert customer.labels()[0] == "пн, 23 ноября"


async def test_days_named_in_words_and_dates(customer: Customer) -> None:
    await book_until_date(customer)
    await customer.send("завтра")  # Saturday 21 November: no visits
    assert "На 21 ноября записаться нельзя" in customer.text()
    assert customer.labels()[0] == "пн, 23 ноября"
    await customer.send("5 декабря")  # a Saturday too
    assert "На 5 декабря записаться нельзя" in customer.text()
    await customer.send("30.11")
    assert "В какое время удобно?" in customer.text()
    await customer.send("утром")
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    assert "пн, 30 ноября, с 08:00 до 12:00" in customer.text()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("в понедельник", date(2026, 11, 23)),
        ("во вторник", date(2026, 11, 24)),
        ("второй", date(2026, 11, 24)),
        ("давайте третий день", date(2026, 11, 25)),
        ("27 ноября", date(2026, 11, 27)),
        ("26.11", date(2026, 11, 26)),
        ("последний", date(2026, 11, 30)),
    ],
)
async def test_a_day_named_among_the_offered(customer: Customer, day: str, expected: date) -> None:
    await book_until_date(customer)
    await customer.send(day)
    assert "В какое время удобно?" in customer.text(), customer.text()
    await customer.send("1")
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.preferred_date == expected


async def test_tomorrow_and_the_day_after_on_a_weekday(customer: Customer, clock: Clock) -> None:
    clock.now = local(2026, 11, 23, 10, 0)  # Monday
    await linked(customer)
    await customer.press("Вызвать мастера")
    await customer.press("Опломбировка")
    await customer.send("послезавтра")
    assert "В какое время удобно?" in customer.text()
    await customer.send("после обеда")
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    assert "ср, 25 ноября, с 12:00 до 17:00" in customer.text()
    await customer.press("Нет")
    await go(customer, "visits")
    await customer.press("Опломбировка")
    await customer.send("завтра")
    assert "В какое время удобно?" in customer.text()
    await customer.send("1")
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    assert "вт, 24 ноября, с 08:00 до 12:00" in customer.text()


@pytest.mark.parametrize(
    ("answer", "slot"),
    [
        ("утром", "08:00-12:00"),
        ("с утра", "08:00-12:00"),
        ("лучше до обеда", "08:00-12:00"),
        ("после обеда", "12:00-17:00"),
        ("днём", "12:00-17:00"),
        ("вечером", "12:00-17:00"),
        ("второй", "12:00-17:00"),
        ("к 14:00", "12:00-17:00"),
    ],
)
async def test_a_slot_named_in_words(customer: Customer, answer: str, slot: str) -> None:
    await book_until_date(customer)
    await customer.press("24 ноября")
    await customer.send(answer)
    assert "Как с вами связаться?" in customer.text(), customer.text()
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.slot == slot


async def test_unclear_answers_keep_the_booking(customer: Customer) -> None:
    await book_until_date(customer)
    await customer.send("хм, не знаю")
    assert "Выберите день кнопкой или напишите" in customer.text()
    await customer.press("24 ноября")
    await customer.send("как получится")
    assert "Выберите время кнопкой или напишите" in customer.text()
    await customer.send("утром")
    await customer.send("абвгд")
    assert "например +7 912 345-67-89" in customer.text()  # asked again
    await customer.send("1")  # the first button: the account's phone
    assert "Без комментария" in customer.labels()
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.phone == "+79120000001" and visit.type is VisitType.SEALING


async def test_another_request_at_the_slot_and_phone_leaves_the_booking(
    customer: Customer,
) -> None:
    await book_until_date(customer)
    await customer.press("24 ноября")
    await customer.send("покажи мой баланс")
    assert "К оплате 1 250,40" in customer.text().replace("\xa0", " ")
    await go(customer, "visits")
    await customer.press("Опломбировка")
    await customer.press("24 ноября")
    await customer.press("08:00")
    await customer.send("какой у меня долг")
    assert "К оплате 1 250,40" in customer.text().replace("\xa0", " ")
    assert await visits_of(customer) == []


async def test_a_broken_meter_preselects_a_replacement(customer: Customer) -> None:
    await linked(customer)
    await customer.send("счетчик сломался")
    text = customer.text()
    assert "Оформляю заявку: Замена или установка счётчика." in text
    assert customer.labels()[0] == "пн, 23 ноября"
    assert "Другая работа" in customer.labels()
    await customer.send("второй")
    await customer.send("утром")
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.type is VisitType.METER_REPLACEMENT


async def test_the_preselected_kind_can_be_changed_and_typed(customer: Customer) -> None:
    await linked(customer)
    await customer.send("счётчик не работает, нужен мастер")
    await customer.press("Другая работа")
    assert "Что нужно сделать?" in customer.text()
    await customer.send("нужна поверка")
    assert customer.labels()[0] == "пн, 23 ноября"
    assert "Другая работа" not in customer.labels()
    await customer.send("1")
    await customer.send("1")
    await customer.send("1")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    assert visit.type is VisitType.VERIFICATION


async def booked_and_asked_to_cancel(customer: Customer) -> Visit:
    await book_until_phone(customer)
    await customer.press("Телефон из лицевого счёта")
    await customer.press("Без комментария")
    await customer.press("Да")
    [visit] = await visits_of(customer)
    await customer.press("Мои заявки")
    await customer.press(f"Отменить № {visit.number}")
    assert customer.labels() == ["Да, отменить заявку", "Нет, оставить"]
    return visit


@pytest.mark.parametrize("answer", ["да", "отменить", "Отмена", "отменяйте"])
async def test_typed_answers_cancel_the_visit(customer: Customer, answer: str) -> None:
    visit = await booked_and_asked_to_cancel(customer)
    await customer.send(answer)
    assert f"Заявка № {visit.number} отменена" in customer.text()
    [cancelled] = await visits_of(customer)
    assert cancelled.status is VisitStatus.CANCELLED


@pytest.mark.parametrize("answer", ["нет", "не отменяйте", "оставьте", "стоп"])
async def test_typed_answers_keep_the_visit(customer: Customer, answer: str) -> None:
    await booked_and_asked_to_cancel(customer)
    await customer.send(answer)
    assert "остаётся в силе" in customer.text()
    [kept] = await visits_of(customer)
    assert kept.status is VisitStatus.NEW


async def test_an_unclear_answer_asks_again_about_cancelling(customer: Customer) -> None:
    visit = await booked_and_asked_to_cancel(customer)
    await customer.send("хм")
    assert f"Отменить заявку № {visit.number}" in customer.text()
    assert "«да» или «нет»" in customer.text()
    await customer.press("Да, отменить заявку")
    assert f"Заявка № {visit.number} отменена" in customer.text()


async def test_someone_elses_contact_is_refused_politely_at_the_phone_step(
    customer: Customer,
) -> None:
    await book_until_phone(customer)
    await customer.share_phone("+7 999 555-00-00", own=False)
    assert "другого человека" in customer.text()
    assert any(reply.request_phone for reply in customer.last)  # asked again, button and all
    await customer.share_phone("+7 999 111-22-33")
    await customer.press("Без комментария")
    assert "***-22-33" in customer.text()


async def test_a_stale_button_at_the_phone_step_asks_again_with_the_phone_button(
    customer: Customer,
) -> None:
    await book_until_phone(customer)
    await customer._event(InboundKind.BUTTON, payload="1:day:2026-11-23")
    assert "неактуальн" in customer.text()
    assert customer.last[-1].request_phone
