"""Numbers written in words: numbers_in_words() and the readings and kWh they become."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.meters import Zone
from dialogs.nlu import Intent, analyze, numbers_in_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("шесть тысяч двести", "6200"),
        ("двадцать три тысячи четыреста пятнадцать", "23415"),
        ("двенадцать тысяч четыреста восемьдесят и пять десятых", "12480.5"),
        ("двенадцать тысяч четыреста восемьдесят целых пять десятых", "12480.5"),
        ("сорок пять тысяч триста двадцать один и двадцать пять сотых", "45321.25"),
        ("двенадцать запятая пять", "12.5"),
        ("23 тысячи 415", "23415"),
        ("23 тысячи четыреста пятнадцать", "23415"),
        ("12 тыс 480", "12480"),
        ("12 тыс. 480", "12480"),
        ("сто двадцать", "120"),
        ("сто", "100"),
        ("тысяча двести", "1200"),
        ("одну тысячу", "1000"),
        ("полторы тысячи", "1500"),
        ("полтысячи", "500"),
        ("восемь тыщ", "8000"),
        ("пятсот", "500"),  # the soft sign left out
        ("четыре тысячи пятьсот шестьдесят семь", "4567"),
        ("двадцать-пять", "25"),
        ("six thousand two hundred", "6200"),
        ("twelve thousand four hundred and eighty", "12480"),
        ("two thousand and five", "2005"),
        ("twenty one point five", "21.5"),
        # Only the number changes.
        ("показания шесть тысяч двести, спасибо", "показания 6200, спасибо"),
        ("день двадцать тысяч сто, ночь восемь тысяч", "день 20100, ночь 8000"),
        ("т1 пять т2 три", "т1 5 т2 3"),  # small, but labelled
        ("двести пятьдесят киловатт", "250 киловатт"),
    ],
)
def test_number_words_become_digits(text: str, expected: str) -> None:
    assert numbers_in_words(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "один раз",
        "одна квитанция",
        "первый",
        "в два раза больше",
        "три дня нет света",
        "пять",  # a lone small number: as likely a word
        "показания пять",
        "двадцать первого мая",  # an ordinal follows
        "в две тысячи двадцать шестом году",
        "оплатила 5 тыс",  # money: digits and «тыс» with nothing after
        "оплатила 23 тысячи",
        "this one",
        "one more question",
        "полторы недели",
        "",
        "показания 12345",
    ],
)
def test_words_that_are_no_readings_stay_words(text: str) -> None:
    assert numbers_in_words(text) == text


def test_number_words_are_punctuation_bound() -> None:
    # A comma ends a number: two numbers, not one.
    assert numbers_in_words("двадцать, тридцать") == "20, 30"
    assert numbers_in_words("сто. двадцать") == "100. 20"


def _readings(text: str) -> list[tuple[Zone | None, Decimal]]:
    return [(value.zone, value.value) for value in analyze(text).entities.readings]


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("шесть тысяч двести", [(None, Decimal("6200"))]),
        ("показания двадцать три тысячи четыреста пятнадцать", [(None, Decimal("23415"))]),
        ("передаю 23 тысячи 415", [(None, Decimal("23415"))]),
        (
            "двенадцать тысяч четыреста восемьдесят и пять десятых",
            [(None, Decimal("12480.5"))],
        ),
        (
            "день двадцать тысяч сто, ночь восемь тысяч",
            [(Zone.DAY, Decimal("20100")), (Zone.NIGHT, Decimal("8000"))],
        ),
        ("reading six thousand two hundred", [(None, Decimal("6200"))]),
        ("один раз уже передавал показания", []),
        ("у меня одна квитанция на две квартиры", []),
        ("счёт вырос в два раза", []),
    ],
)
def test_number_words_are_read_as_readings(
    text: str, readings: list[tuple[Zone | None, Decimal]]
) -> None:
    assert _readings(text) == readings


def test_number_words_read_as_a_reading_are_submitted() -> None:
    analysis = analyze("шесть тысяч двести")
    assert analysis.intent is Intent.SUBMIT_READING
    assert analysis.confidence > 0.8


def test_number_words_of_energy_are_kwh() -> None:
    analysis = analyze("сколько будет стоить двести пятьдесят киловатт")
    assert analysis.entities.kwh == (Decimal("250"),)
    assert analysis.intent is Intent.TARIFF_QUESTION


def test_zone_words_before_number_words_are_no_tariff_words() -> None:
    assert analyze("день двадцать тысяч сто ночь восемь тысяч").intent is Intent.SUBMIT_READING
