"""Entity extraction: every number format people type, and how ambiguous runs are resolved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.meters import Zone
from dialogs.nlu import Intent, analyze


def entities(text: str):
    return analyze(text).entities


@pytest.mark.parametrize(
    ("text", "accounts"),
    [
        ("5901234567", ("5901234567",)),
        ("59012341234", ("59012341234",)),
        ("59 01 234 567", ("5901234567",)),
        ("590-123-4567", ("5901234567",)),
        ("лс 5901-234-567", ("5901234567",)),
        ("мой лицевой счет №59012341234", ("59012341234",)),
        ("5901234567 12457", ("5901234567",)),  # an account next to a reading
        ("лс 23415 18120", ("2341518120",)),  # two long groups, but an account word
        ("5901234567 и 5901234567", ("5901234567",)),  # reported once
        ("123456789", ()),  # 9 digits
        ("123456789012", ()),  # 12 digits
        ("23415 18120", ()),  # two register values in a row
        ("12 345", ()),
        ("59 01 234 567,5", ()),  # a decimal comma: not an account
    ],
)
def test_accounts(text: str, accounts: tuple[str, ...]) -> None:
    assert entities(text).accounts == accounts


def test_two_long_groups_read_as_two_readings() -> None:
    found = entities("23415 18120")
    assert [r.value for r in found.readings] == [Decimal("23415"), Decimal("18120")]


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("+7 912 345-67-89", ("+79123456789",)),
        ("+79123456789", ("+79123456789",)),
        ("89123456789", ("+79123456789",)),
        ("8 (912) 345 67 89", ("+79123456789",)),
        ("8(342)200-00-00", ("+73422000000",)),
        ("8 342 200 00 00", ("+73422000000",)),
        ("тел 9123456789", ("+79123456789",)),
        ("сотовый: 8 342 2 000 000", ("+73422000000",)),
        ("8-800-220-0-220", ("+78002200220",)),
        ("9123456789", ()),  # no prefix and no phone word: an account
        ("83422000000", ()),  # neither mobile nor grouped like a phone: an account
        ("+7 912 345", ()),
    ],
)
def test_phones(text: str, phones: tuple[str, ...]) -> None:
    assert entities(text).phones == phones


def test_phone_is_not_also_an_account_or_reading() -> None:
    found = entities("новый номер +7 (912) 345-67-89")
    assert found.accounts == ()
    assert found.readings == ()


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("за май", (5,)),
        ("в мае не пришла", (5,)),
        ("квитанция за апрель и март", (4, 3)),
        ("показания за январь", (1,)),
        ("декабрьская квитанция", (12,)),
        ("за сент", (9,)),
        ("bill for may", (5,)),
        ("may i pay", ()),
        ("майка", ()),
        ("мой счет", ()),
    ],
)
def test_months(text: str, months: tuple[int, ...]) -> None:
    assert entities(text).months == months


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("с 23 по 25", ((23, 0), (25, 0))),
        ("с 23 по 25 мая", ((23, 5), (25, 5))),
        ("23-25 мая", ((23, 5), (25, 5))),
        ("23 мая", ((23, 5),)),
        ("1 июня 2026 года", (date(2026, 6, 1),)),
        ("23.05.2026", (date(2026, 5, 23),)),
        ("23.05.26", (date(2026, 5, 23),)),
        ("23.05", ((23, 5),)),
        ("до 25-го", ((25, 0),)),
        ("25 числа", ((25, 0),)),
        ("31.02.2026", ()),  # no such day
        ("30 февраля", ()),
        ("12345.6", ()),
    ],
)
def test_dates(text: str, dates: tuple[object, ...]) -> None:
    assert entities(text).dates == dates


def test_date_numbers_are_not_readings() -> None:
    found = entities("приходите с 23 по 25 мая")
    assert found.readings == ()
    assert found.months == ()  # a month with a day is a date


@pytest.mark.parametrize(
    ("text", "kwh"),
    [
        ("250 квт", ("250",)),
        ("нагорело 180 киловатт", ("180",)),
        ("250 кВт·ч", ("250",)),
        ("250 квт/ч", ("250",)),
        ("250 квт*ч", ("250",)),
        ("250квтч", ("250",)),
        ("250 киловатт-часов", ("250",)),
        ("1 200 квт", ("1200",)),
        ("12,5 kwh", ("12.5",)),
        ("180 квт день и 70 квт ночь", ("180", "70")),
        ("250", ()),  # no unit: a reading
        ("250 кв", ()),
    ],
)
def test_kwh(text: str, kwh: tuple[str, ...]) -> None:
    assert entities(text).kwh == tuple(Decimal(v) for v in kwh)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("12457", [("12457", None)]),
        ("показаня 12 345,6", [("12345.6", None)]),
        ("день 23415 ночь 8120", [("23415", Zone.DAY), ("8120", Zone.NIGHT)]),
        (
            "пик 3201 полупик 2890 ночь 1502",
            [("3201", Zone.PEAK), ("2890", Zone.SEMIPEAK), ("1502", Zone.NIGHT)],
        ),
        ("мой лс 5901234567 показания 12457", [("12457", None)]),
        ("тел +7 912 345 67 89, показания 04532", [("04532", None)]),
        ("заплатила 1500 руб, показания 8891", [("8891", None)]),
        ("сколько будет за 250 квт", []),
        ("кв 15 дом 3 нет света 3 дня", []),
        ("в 10:30 отключили, 50% домов без света", []),
    ],
)
def test_readings_skip_numbers_claimed_by_other_entities(
    text: str, values: list[tuple[str, Zone | None]]
) -> None:
    found = entities(text).readings
    assert [(r.value, r.zone) for r in found] == [(Decimal(v), z) for v, z in values]


def test_register_labels_reach_the_readings() -> None:
    found = entities("т1 4521 т2 1877").readings
    assert [r.value for r in found] == [Decimal("4521"), Decimal("1877")]
    assert all(r.labelled for r in found)


def test_other_scripts_digits_are_read() -> None:
    assert entities("показания ١٢٣٤٥").readings[0].value == Decimal("12345")


def test_no_entities_in_plain_text() -> None:
    found = entities("здравствуйте, нет света")
    assert (found.readings, found.accounts, found.phones, found.months, found.dates) == (
        (),
        (),
        (),
        (),
        (),
    )
    assert found.kwh == ()


@pytest.mark.parametrize(
    "text",
    ["днём 120 ночью 80", "д 120 н 80", "пиковый 300 полупиковый 200", "ночные 80 дневные 120"],
)
def test_every_label_the_parser_knows_makes_a_reading(text: str) -> None:
    analysis = analyze(text)
    assert analysis.intent is Intent.SUBMIT_READING and analysis.confidence >= 0.5
    assert len(analysis.entities.readings) == 2
    assert all(value.labelled for value in analysis.entities.readings)


def _readings(text: str) -> list[tuple[str | None, str]]:
    """(zone or register or None, value) of each reading."""
    return [
        (r.register or (r.zone.value if r.zone is not None else None), format(r.value, "f"))
        for r in entities(text).readings
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # «день» as an ordinary word labels nothing ...
        ("передаю показания на сегодняшний день 45 210", [(None, "45210")]),
        ("показания на текущий день 12 004", [(None, "12004")]),
        ("на этот день счетчик показывает 7321", [(None, "7321")]),
        ("на данный день счетчик 15 230", [(None, "15230")]),
        ("в день мотает немного, показания 15230", [(None, "15230")]),
        ("счетчик 15230 каждый день смотрю", [(None, "15230")]),
        ("день рождения, показания 12345", [(None, "12345")]),
        # ... zone usage does.
        ("день 23415 ночь 8120", [("day", "23415"), ("night", "8120")]),
        ("дневные 23415 ночные 8120", [("day", "23415"), ("night", "8120")]),
        ("день: 23415 ночь: 8120", [("day", "23415"), ("night", "8120")]),
        ("т1 23415 т2 8120", [("T1", "23415"), ("T2", "8120")]),
        ("в день 23415 в ночь 8120", [("day", "23415"), ("night", "8120")]),
        ("д 120 н 80", [("day", "120"), ("night", "80")]),
    ],
)
def test_day_as_a_word_is_no_zone(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert _readings(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("показания 9 876", "9876"),
        ("2 345", "2345"),
        ("показания 12 345,6", "12345.6"),
        ("показания 123 456", "123456"),
        ("передаю 1 234 спасибо", "1234"),
        ("счетчик 9 876 квартира 12", "9876"),  # «876 квартира» is no count of flats
    ],
)
def test_a_thousands_group_is_one_number(text: str, expected: str) -> None:
    assert _readings(text) == [(None, expected)]


def test_groups_of_four_digits_stay_two_numbers() -> None:
    assert _readings("4521 1877") == [(None, "4521"), (None, "1877")]


@pytest.mark.parametrize(
    "text",
    [
        "показания 5432 квартира 12",
        "показания 5432 кв 12",
        "показания 5432 кв. 12",
        "показания 5432 дом 5",
        "показания 5432 д. 5",
        "показания 5432 д 5",
        "показания 5432 подъезд 3",
        "показания 5432 этаж 4",
        "показания 5432 офис 2",
        "ул ленина 45 показания 5432",
        "пр. мира, д 5/2 показания 5432",
        "показания 5432 оплатил 300 р",
        "показания 5432 оплатил 300 руб",
        "показания 5432 оплатил 300₽",
        "показания 5432 приходите в 9",
        "показания 5432 работаете с 9 до 18",
        "показания 5432 и 1e10",
        "показания 5432 и -5",
        "показания 5432 \x1b[31m",
        "\x1b[1;32mпоказания 5432\x1b[0m",
        "показания 5432 [0m",
    ],
)
def test_numbers_that_are_no_readings(text: str) -> None:
    assert _readings(text) == [(None, "5432")]


def test_words_ending_like_street_abbreviations_take_no_number() -> None:
    assert _readings("передать 6118") == [(None, "6118")]  # «пер» + «едать» is no street


@pytest.mark.parametrize(
    ("text", "kwh"),
    [
        ("нагорело 180 киловатт днем и 70 ночью", ("180", "70")),
        ("сколько будет за 200 квт днем, 90 ночью и 30 в пик", ("200", "90", "30")),
        ("180 квт, а ночью 70", ("180",)),  # a zone word before the number is not enough
    ],
)
def test_zone_amounts_after_a_kwh_amount(text: str, kwh: tuple[str, ...]) -> None:
    found = entities(text)
    assert found.kwh == tuple(Decimal(v) for v in kwh)


def test_only_the_first_numbers_are_looked_at() -> None:
    from dialogs.nlu.entities import MAX_NUMBERS

    assert len(entities("19 " * 2500).readings) == MAX_NUMBERS
    # Single digits a space apart are read as one display («3 4 5 6 7»), still capped.
    assert 0 < len(entities("9 " * 2500).readings) <= MAX_NUMBERS
    assert entities("1" * 5000).readings == ()  # no meter shows a thousand digits


@pytest.mark.parametrize(
    ("text", "serials", "readings"),
    [
        ("счетчик 41562093 показания 18400", ("41562093",), ("18400",)),
        ("счётчик 41562093 показания 18400", ("41562093",), ("18400",)),
        ("счетчик 41562093", ("41562093",), ()),  # more digits than any display
        ("счетчик 0112345 показания 4521", ("0112345",), ("4521",)),  # a reading named after
        ("счетчик №0112345 показания 4521", ("0112345",), ("4521",)),
        ("сч. № 0112345 показания 4521", ("0112345",), ("4521",)),
        ("№ 41562093", ("41562093",), ()),
        (
            "номер счетчика 41562093, показания день 12345 ночь 4567",
            ("41562093",),
            ("12345", "4567"),
        ),
        ("заводской номер 009217068012345", ("009217068012345",), ()),
        ("зав. № 0112345", ("0112345",), ()),
        ("s/n 41562093 reading 18400", ("41562093",), ("18400",)),
        ("serial number 41562093", ("41562093",), ()),
        # The number after a meter word is its reading when nothing says otherwise.
        ("счетчик 23456", (), ("23456",)),
        ("электросчетчик 23456", (), ("23456",)),
        ("показания счетчика 23456", (), ("23456",)),
        ("цифры со счетчика 8891", (), ("8891",)),
        ("Счётчик показывает 34567", (), ("34567",)),
        ("счетчик 23456 ночь 1234", (), ("23456", "1234")),  # two registers in order
        ("счетчик 12345 оплатила 500 руб", (), ("12345",)),  # money is no reading
        ("кв 5 счетчик 12345", (), ("12345",)),
    ],
)
def test_meter_serial_numbers_are_no_readings(
    text: str, serials: tuple[str, ...], readings: tuple[str, ...]
) -> None:
    found = entities(text)
    assert found.serials == serials
    assert tuple(str(value.value) for value in found.readings) == readings


@pytest.mark.parametrize(
    ("text", "accounts", "readings"),
    [
        ("лс 5901234567 показания 12345", ("5901234567",), ("12345",)),
        ("л/с 5901234567", ("5901234567",), ()),
        ("ЛС 5901234567", ("5901234567",), ()),
        ("лицевой счёт 5901234567, показания 12345", ("5901234567",), ("12345",)),
        ("лицевой счет №59012341234", ("59012341234",), ()),
        ("лс 5901234567 12457", ("5901234567",), ("12457",)),
        # A number after an account label that is no valid account is still no reading.
        ("лс 12345678", (), ()),
        ("л/с 123456789 показания 12345", (), ("12345",)),
        ("номер лицевого счета 1234567", (), ()),
    ],
)
def test_numbers_after_an_account_label_are_no_readings(
    text: str, accounts: tuple[str, ...], readings: tuple[str, ...]
) -> None:
    found = entities(text)
    assert found.accounts == accounts
    assert tuple(str(value.value) for value in found.readings) == readings
    assert found.serials == ()


def test_a_serial_label_keeps_a_ten_digit_serial_from_the_accounts() -> None:
    found = entities("заводской номер 0092170680")
    assert (found.serials, found.accounts) == (("0092170680",), ())


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("показания 3 4 5 6 7", ("34567",)),
        ("2 3 4 1 5", ("23415",)),
        ("1 2 3", ("1", "2", "3")),  # three digits: a list as likely
        ("кв 5 дом 3", ()),
    ],
)
def test_a_display_read_out_digit_by_digit(text: str, readings: tuple[str, ...]) -> None:
    assert tuple(str(value.value) for value in entities(text).readings) == readings


def test_a_new_number_is_a_phone() -> None:
    found = entities("новый номер 9123456789")
    assert (found.phones, found.accounts) == (("+79123456789",), ())
