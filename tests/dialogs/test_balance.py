"""Balance through the engine: debt, overpayment, overdue, several accounts."""

from __future__ import annotations

from tests.dialogs.conftest import Clock, Customer, linked, local


def plain(text: str) -> str:
    """Babel groups digits with no-break spaces; tests compare with ordinary ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_debt_with_history_hint_and_payment_link(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Баланс")
    text = plain(customer.text())
    assert "К оплате 1 250,40 ₽ до 15 декабря 2026" in text
    assert "просроч" not in text and "Пени" not in text  # due date not reached yet
    assert "октябрь 2026: 200 кВт·ч, начислено 1 312,00 ₽, оплачено 1 312,00 ₽" in text
    assert "май 2026" in text  # six months: May to October
    assert "по среднему" in text and "по нормативу" in text
    assert "https://energosbyt.example/pay?account=5901234567" in text
    assert "•••••••4567" in text and "кв. 5" not in text
    labels = customer.labels()
    for label in ("Квитанция", "Передать показания", "Главное меню"):
        assert label in labels
    await customer.press("Квитанция")
    assert "Квитанция за октябрь 2026" in customer.text()


async def test_overdue_debt_shows_days_and_penalty(customer: Customer, clock: Clock) -> None:
    await linked(customer)
    clock.now = local(2027, 1, 20)  # 36 days after 15 December; the 9.5 % cap has ended
    await customer.send("баланс")
    text = plain(customer.text())
    # A passed date is never «К оплате … до 15 декабря 2026».
    assert "К оплате" not in text
    assert "Задолженность — 1 250,40 ₽" in text
    assert "просрочено 1 250,40 ₽: срок оплаты (15 декабря 2026) прошёл 36 дней назад" in text
    # 6 penalised days × 1 250,40 × 16,5 % / 300 = 4,126…
    assert "Пени на сегодня — примерно 4,13 ₽" in text
    assert "Оплатить онлайн" in text


async def test_overdue_within_grace_days_has_no_penalty_yet(
    customer: Customer, clock: Clock
) -> None:
    await linked(customer)
    clock.now = local(2026, 12, 25)
    await customer.send("какой у меня долг")
    text = plain(customer.text())
    assert "10 дней назад" in text
    assert "с 31-го дня" in text


async def test_overpayment(customer: Customer) -> None:
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.press("Баланс")
    text = plain(customer.text())
    assert "Переплата 300,00 ₽ — она пойдёт в счёт следующих начислений" in text
    assert "К оплате" not in text
    assert "Оплатить онлайн" not in text and "pay?account" not in text
    assert "Начислений по счёту пока нет" in text


async def test_several_accounts_are_chosen_and_a_wrong_number_is_asked_again(
    customer: Customer,
) -> None:
    await linked(customer)
    await linked(customer, "5900000003", "Смирнов-Задунайский")
    await customer.press("Баланс")
    assert "Выберите лицевой счёт" in customer.text()
    await customer.send("1111")
    assert "Не нашёл такой счёт" in customer.text()
    assert any("0003" in label for label in customer.labels())
    await customer.press("0003")
    assert "Переплата 300,00 ₽" in plain(customer.text())


async def test_balance_in_english(customer: Customer) -> None:
    await linked(customer)
    await customer.press("Настройки")
    await customer.press("Language")
    await customer.press("English")
    await customer.press("Balance")
    text = plain(customer.text())
    assert "Amount due: 1,250.40 ₽ by 15 December 2026." in text
    assert "October 2026: 200 kWh" in text
