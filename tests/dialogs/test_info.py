"""Office hours come from the business-hours settings, in the customer's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from dialogs.config import DialogConfig
from dialogs.i18n import translator
from tests.dialogs.conftest import Clock, Customer, make_config


@pytest.fixture
def config() -> DialogConfig:
    base = make_config()
    six_days = replace(
        base.hours, opens=time(9, 0), closes=time(20, 30), weekdays=frozenset(range(6))
    )
    return replace(base, hours=six_days)


async def test_hours_while_open(customer: Customer) -> None:
    await customer.start()
    await customer.send("часы работы")
    text = customer.text()
    assert "Операторы работают пн–сб с 09:00 до 20:30 по местному времени" in text
    assert "сейчас они на связи" in text


async def test_hours_while_closed(customer: Customer, clock: Clock) -> None:
    clock.now = clock.now.replace(hour=17)  # Friday 22:00 local
    await customer.start()
    await customer.send("до скольки вы работаете")
    text = customer.text()
    assert "Операторы работают пн–сб с 09:00 до 20:30" in text
    assert "Ближайшее время работы — сб, 21 ноября, с 09:00" in text


async def test_operators_closed_text_follows_the_settings(customer: Customer, clock: Clock) -> None:
    clock.now = clock.now.replace(hour=17)
    await customer.start()
    await customer.send("оператор")
    assert "Сейчас операторы не работают (пн–сб, 09:00–20:30)" in customer.text()
    assert "Оператор ответит завтра в 09:00" in customer.text()


@pytest.mark.parametrize(
    ("language", "days", "text"),
    [
        ("ru", {0, 1, 2, 3, 4}, "пн–пт"),
        ("en", {0, 1, 2, 3, 4}, "Mon–Fri"),
        ("ru", {0, 2, 4}, "пн, ср, пт"),
        ("en", {5, 6}, "Sat, Sun"),
        ("ru", {0, 1, 3, 4}, "пн, вт, чт, пт"),
        ("ru", set(), ""),
    ],
)
def test_working_days_read_as_a_range_or_a_list(language: str, days: set[int], text: str) -> None:
    assert translator(language).weekdays(days) == text
