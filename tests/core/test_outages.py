"""Supply interruptions: houses fields, account addresses and which addresses an outage reaches."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.outages as outages_module
from core.outages import (
    House,
    HouseSpec,
    HouseSpecError,
    Outage,
    OutageIndex,
    OutageKind,
    ParsedAddress,
    parse_address,
    parse_house,
    settlement_key,
    street_key,
)

PERM = ZoneInfo("Asia/Yekaterinburg")
START = datetime(2026, 3, 2, 9, 0, tzinfo=PERM)
END = datetime(2026, 3, 2, 17, 0, tzinfo=PERM)


def outage(
    street: str = "ул. Ленина", houses: str = "", settlement: str = "Пермь", **kwargs: object
) -> Outage:
    fields: dict[str, object] = {
        "starts_at": START,
        "ends_at": END,
        "kind": OutageKind.PLANNED,
        "reason": "ремонт ВЛ-0,4 кВ",
    }
    fields.update(kwargs)
    return Outage(settlement, street, houses, **fields)  # type: ignore[arg-type]


def test_kinds() -> None:
    assert [kind.value for kind in OutageKind] == ["planned", "emergency"]
    assert OutageKind("emergency") is OutageKind.EMERGENCY


# --- houses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("64", House(64)),
        ("64.", House(64)),
        ("12а", House(12, "а")),
        ("12 А", House(12, "а")),
        ("12-а", House(12, "а")),
        ('12 "А"', House(12, "а")),
        ("12A", House(12, "а")),  # a Latin A typed for the Cyrillic one
        ("7/1", House(7, "/1")),
        ("7 / 1", House(7, "/1")),
        ("7/1а", House(7, "/1а")),
        ("12 к2", House(12, " к2")),
        ("12к2", House(12, " к2")),
        ("12 к. 2", House(12, " к2")),
        ("12 корп. 2", House(12, " к2")),
        ("12 корпус 2", House(12, " к2")),
        ("12а корп 2", House(12, "а к2")),
        ("12к", House(12, "к")),  # к without a number is the letter
        ("5 стр. 1", House(5, " с1")),
        ("5с1", House(5, " с1")),
        ("5 лит. Б", House(5, "б")),
    ],
)
def test_houses_read_in_one_canonical_form(text: str, expected: House) -> None:
    assert parse_house(text) == expected


@pytest.mark.parametrize("text", ["", "б/н", "дом", "64-17", "12 кв", "12 корп", "а12", "12 ab"])
def test_what_is_no_house(text: str) -> None:
    assert parse_house(text) is None


_LETTERS = ["а", "б", "В", " а", "-а", " лит. Б"]
_SUFFIX = st.lists(
    st.sampled_from([*_LETTERS, "/1", "/12", " к2", " корп. 3", "к1", " стр 1"]), max_size=3
)


@given(st.integers(min_value=1, max_value=999), _SUFFIX)
def test_a_canonical_house_reads_back_as_itself(number: int, suffix: list[str]) -> None:
    house = parse_house(f"{number}{''.join(suffix)}")
    two_letters = any(a in _LETTERS and b in _LETTERS for a, b in pairwise(suffix))
    assert (house is None) is two_letters  # «12аб» is no house
    if house is not None:
        assert house.number == number
        assert parse_house(str(house)) == house


# --- houses fields -----------------------------------------------------------------------------


def covered(spec: str, *houses: str) -> list[bool]:
    parsed = HouseSpec.parse(spec)
    return [parsed.matches(house) for house in houses]


def test_ranges_single_numbers_and_a_side() -> None:
    spec = "1-15,17,2-20 чётные"
    assert covered(spec, "1", "15", "16", "17", "18", "20", "19", "21", "22") == [
        True,
        True,
        True,  # 2-20 чётные
        True,
        True,
        True,
        False,  # odd and above 17
        False,
        False,
    ]


@pytest.mark.parametrize(
    "spec", ["1-9 нечетные", "1-9 нечётные", "1-9 нечет.", "1-9 (нечет.)", "1–9 odd", "1 - 9 нечет"]
)
def test_odd_side_of_a_range(spec: str) -> None:
    assert covered(spec, "1", "3", "9", "2", "8", "11") == [True, True, True, False, False, False]


@pytest.mark.parametrize("spec", ["2-10 чётные", "2-10 четные", "2-10 чет.", "1-10 even"])
def test_even_side_of_a_range(spec: str) -> None:
    assert covered(spec, "2", "10", "1", "9", "12") == [True, True, False, False, False]


@pytest.mark.parametrize("spec", ["чётные", "четная сторона", "(чет.)", "even"])
def test_a_side_alone_is_that_side_of_the_whole_street(spec: str) -> None:
    assert covered(spec, "2", "148", "148а", "1", "147") == [True, True, True, False, False]


@pytest.mark.parametrize("spec", ["", "   "])
def test_an_empty_field_is_the_whole_street_even_houses_it_cannot_read(spec: str) -> None:
    parsed = HouseSpec.parse(spec)
    assert parsed.whole_street
    assert [parsed.matches(house) for house in ("1", "999", "12 к2", "б/н", None)] == [True] * 5


def test_houses_with_letters_fractions_and_korpus() -> None:
    spec = "5а, 7/1, 12 к2"
    assert covered(spec, "5а", "5 А", "5-а", "7/1", "12 к2", "12 корп. 2", "12к2") == [True] * 7
    # Another building of the same plot is another house.
    assert covered(spec, "5", "5б", "7", "7/2", "12", "12 к1", "12а") == [False] * 7


def test_a_plain_number_covers_the_buildings_of_its_plot() -> None:
    assert covered("12, 17", "12", "12а", "12 к2", "17/1", "13") == [True, True, True, True, False]


def test_a_range_covers_houses_by_their_leading_number() -> None:
    assert covered("1-15", "12а", "15/2", "7 к3", "16а") == [True, True, True, False]
    assert covered("2-20 чётные", "12а", "13а") == [True, False]


def test_an_unreadable_house_is_only_in_a_whole_street() -> None:
    assert covered("1-1000", "б/н", "", "дом") == [False, False, False]
    assert HouseSpec.parse("1-1000").matches(None) is False


def test_house_prefixes_separators_and_empty_elements_are_tolerated() -> None:
    assert covered("д. 5; дома 7-9,, ", "5", "8", "10") == [True, True, False]


@pytest.mark.parametrize(
    ("spec", "part", "says"),
    [
        ("1-15,абв", "абв", "expected a house"),
        ("15-1", "15-1", "runs backwards"),
        ("5а-9", "5а-9", "two plain numbers"),
        ("1-15-20", "1-15-20", "two plain numbers"),
        ("0-5", "0-5", "start at 1"),
        ("17 чётные", "17 чётные", "17 is odd, not even"),
        ("5а нечет.", "5а нечет.", "qualifies a range or a plain number"),
        ("2-2 нечетные", "2-2 нечетные", "2 is not odd"),
        ("12 кв 5", "12 кв 5", "expected a house"),
        ("1-5 и 7", "1-5 и 7", "expected a house"),
        (",", None, "no houses in it"),
    ],
)
def test_a_malformed_field_names_the_bad_part(spec: str, part: str | None, says: str) -> None:
    with pytest.raises(ValueError, match=says) as raised:
        HouseSpec.parse(spec)
    assert isinstance(raised.value, HouseSpecError)
    assert raised.value.part == part
    assert str(raised.value).startswith(f"houses {spec.strip()!r}")
    if part is not None:
        assert repr(part) in str(raised.value)


@given(
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(["", " чётные", " нечётные", " even", " odd"]),
    st.integers(min_value=1, max_value=150),
    st.sampled_from(["", "а", "/1", " к2"]),
)
def test_a_range_is_its_definition(
    low: int, width: int, side: str, number: int, suffix: str
) -> None:
    high = low + width
    if side and low == high and (low % 2 == 0) != (side.strip() in ("чётные", "even")):
        return  # a one-house range of the other side is refused (tested above)
    wanted = {"": None, " чётные": 0, " even": 0, " нечётные": 1, " odd": 1}[side]
    expected = low <= number <= high and (wanted is None or number % 2 == wanted)
    assert HouseSpec.parse(f"{low}-{high}{side}").matches(f"{number}{suffix}") is expected


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Пермский край, г. Пермь, ул. Ленина, д. 64, кв. 17",
            ParsedAddress("пермь", "ленина", "64", "ул"),
        ),
        (
            "Пермский край, г. Пермь, Комсомольский пр-т, д. 32, кв. 5",
            ParsedAddress("пермь", "комсомольский", "32", "пр-т"),
        ),
        (
            "Пермский край, Пермский р-н, с. Лобаново, ул. Центральная, д. 3",
            ParsedAddress("лобаново", "центральная", "3", "ул"),
        ),
        ("г Пермь ул Ленина 64-17", ParsedAddress("пермь", "ленина", "64", "ул")),
        ("Пермь г, Ленина ул, 64", ParsedAddress("пермь", "ленина", "64", "ул")),
        (
            "Россия, 614000, Пермский край, г.Пермь, ул.Ленина,д.64,кв.17",
            ParsedAddress("пермь", "ленина", "64", "ул"),
        ),
        (
            "614000 Пермский край г Пермь ул Ленина д64 кв17",
            ParsedAddress("пермь", "ленина", "64", "ул"),
        ),
        (
            "г. Пермь, улица Ленина, дом 64, квартира 17",
            ParsedAddress("пермь", "ленина", "64", "ул"),
        ),
        (
            "ПЕРМСКИЙ КРАЙ, Г. ПЕРМЬ, УЛ. ЛЕНИНА, Д. 64",
            ParsedAddress("пермь", "ленина", "64", "ул"),
        ),
        ("Пермь, Ленина 64", ParsedAddress("пермь", "ленина", "64", "")),
        ("г Пермь Ленина 64", ParsedAddress("пермь", "ленина", "64", "")),
        ("г. Пермь, Ленина, 64", ParsedAddress("пермь", "ленина", "64", "")),
        # Streets with numbers and types of every kind
        ("г. Пермь, ул. 25 Октября, д. 10", ParsedAddress("пермь", "25 октября", "10", "ул")),
        ("г Пермь ул 25 Октября 10-5", ParsedAddress("пермь", "25 октября", "10", "ул")),
        (
            "г. Пермь, ул. 1-ая Красноармейская, д. 4",
            ParsedAddress("пермь", "1-я красноармейская", "4", "ул"),
        ),
        (
            "г Пермь ул 1-я Красноармейская 4",
            ParsedAddress("пермь", "1-я красноармейская", "4", "ул"),
        ),
        ("г Пермь Комсомольский пр-т 32-5", ParsedAddress("пермь", "комсомольский", "32", "пр-т")),
        (
            "г. Пермь, проспект Комсомольский, 32",
            ParsedAddress("пермь", "комсомольский", "32", "пр-т"),
        ),
        (
            "г. Пермь, Комсомольский пр., д. 32",
            ParsedAddress("пермь", "комсомольский", "32", "пр-т"),
        ),
        ("г. Пермь, ул. Набережная, 5", ParsedAddress("пермь", "набережная", "5", "ул")),
        ("г. Пермь, Набережная ул., 5", ParsedAddress("пермь", "набережная", "5", "ул")),
        ("г. Пермь, наб. Камская, 5", ParsedAddress("пермь", "камская", "5", "наб")),
        ("г. Пермь, ул. П. Осипенко, д. 4", ParsedAddress("пермь", "п осипенко", "4", "ул")),
        ("г. Пермь, ул. им. Ленина, д. 5", ParsedAddress("пермь", "ленина", "5", "ул")),
        ("г. Пермь, Сибирский тракт, 5", ParsedAddress("пермь", "сибирский", "5", "тракт")),
        ("г. Пермь, ш. Космонавтов, д. 100", ParsedAddress("пермь", "космонавтов", "100", "ш")),
        ("г. Пермь, шоссе Космонавтов, 100", ParsedAddress("пермь", "космонавтов", "100", "ш")),
        ("г. Пермь, бульвар Гагарина, 10", ParsedAddress("пермь", "гагарина", "10", "б-р")),
        ("г. Пермь, б-р Гагарина, 10", ParsedAddress("пермь", "гагарина", "10", "б-р")),
        ("г. Пермь, пер. Бульварный, 3", ParsedAddress("пермь", "бульварный", "3", "пер")),
        ("г. Пермь, переулок Бульварный, 3", ParsedAddress("пермь", "бульварный", "3", "пер")),
        ("г. Пермь, пл. Гайдара, 8", ParsedAddress("пермь", "гайдара", "8", "пл")),
        ("г. Пермь, площадь Гайдара, 8", ParsedAddress("пермь", "гайдара", "8", "пл")),
        (
            "Свердловская обл., г. Екатеринбург, ул. Мамина-Сибиряка, д. 101, кв. 3",
            ParsedAddress("екатеринбург", "мамина-сибиряка", "101", "ул"),
        ),
        # Houses with letters, fractions, корпус
        (
            "г. Пермь, ул. Ленина, д. 12, корп. 2, кв. 5",
            ParsedAddress("пермь", "ленина", "12 к2", "ул"),
        ),
        ("г. Пермь, ул. Ленина, д. 12 к. 2", ParsedAddress("пермь", "ленина", "12 к2", "ул")),
        ("г. Пермь, ул. Ленина, 12к2", ParsedAddress("пермь", "ленина", "12 к2", "ул")),
        ("г. Пермь, ул. Ленина 12 А", ParsedAddress("пермь", "ленина", "12а", "ул")),
        ("ул Ленина д64а кв5", ParsedAddress("", "ленина", "64а", "ул")),
        ("г. Пермь, ул. Ленина, д. 64/2", ParsedAddress("пермь", "ленина", "64/2", "ул")),
        ("г. Пермь, ул. Ленина, д. 12, стр. 1", ParsedAddress("пермь", "ленина", "12 с1", "ул")),
        # Settlements of every kind; «д.» before a word is a деревня, before a number the house
        (
            "Пермский край, Пермский муниципальный округ, д. Кондратово, ул. Камская, д. 5",
            ParsedAddress("кондратово", "камская", "5", "ул"),
        ),
        (
            "Пермский край, Пермский р-н, д. Кондратово, д. 5",
            ParsedAddress("кондратово", "", "5", ""),
        ),
        ("деревня Кондратово, Камская ул., 5", ParsedAddress("кондратово", "камская", "5", "ул")),
        ("с. Верхние Муллы, 5", ParsedAddress("верхние муллы", "", "5", "")),
        ("село Лобаново, ул. Центральная, 3", ParsedAddress("лобаново", "центральная", "3", "ул")),
        ("р.п. Октябрьский, ул. Ленина, 3", ParsedAddress("октябрьский", "ленина", "3", "ул")),
        (
            "Пермский край, пгт Звёздный, ул. Ленина, 3",
            ParsedAddress("звездный", "ленина", "3", "ул"),
        ),
        (
            "посёлок городского типа Звёздный, ул. Ленина, 3",
            ParsedAddress("звездный", "ленина", "3", "ул"),
        ),
        ("пос. Сылва, Ленина ул, 3", ParsedAddress("сылва", "ленина", "3", "ул")),
        ("п. Сылва, ул. Ленина, 3", ParsedAddress("сылва", "ленина", "3", "ул")),
        (
            "Пермский край, Чусовой г, Ленина ул, д 3 кв 4",
            ParsedAddress("чусовой", "ленина", "3", "ул"),
        ),
        ("город Пермь, улица Ленина, 64", ParsedAddress("пермь", "ленина", "64", "ул")),
        # What is missing stays empty
        ("г. Пермь, ул. Ленина", ParsedAddress("пермь", "ленина", "", "ул")),
        ("г. Пермь, ул. Ленина, д. б/н", ParsedAddress("пермь", "ленина", "б/н", "ул")),
        ("Ленина 64", ParsedAddress("", "ленина", "64", "")),
        ("", ParsedAddress("", "", "", "")),
    ],
)
def test_addresses(text: str, expected: ParsedAddress) -> None:
    assert parse_address(text) == expected


SETTLEMENTS = {
    "Пермь": ["г. Пермь", "г Пермь", "город Пермь", "Пермь г.", "Пермь"],
    "Лобаново": ["с. Лобаново", "село Лобаново", "Лобаново с."],
    "Кондратово": ["д. Кондратово", "деревня Кондратово", "Кондратово д."],
    "Верхние Муллы": ["с. Верхние Муллы"],
    "Звёздный": ["пгт Звёздный", "п. Звездный", "поселок Звёздный"],
}
STREETS = {
    ("Ленина", "ул"): ["ул. Ленина", "ул Ленина", "улица Ленина", "Ленина ул."],
    ("Комсомольский", "пр-т"): [
        "Комсомольский пр-т",
        "Комсомольский проспект",
        "пр-т Комсомольский",
    ],
    ("Героев Хасана", "ул"): ["ул. Героев Хасана", "Героев Хасана ул"],
    ("25 Октября", "ул"): ["ул. 25 Октября", "улица 25 Октября"],
    ("Гагарина", "б-р"): ["б-р Гагарина", "бульвар Гагарина", "Гагарина б-р"],
    ("Бульварный", "пер"): ["пер. Бульварный", "Бульварный переулок"],
    ("Космонавтов", "ш"): ["ш. Космонавтов", "шоссе Космонавтов"],
}
HOUSES = {"64": ["64", "д. 64", "дом 64"], "12а": ["12а", "д. 12 А"], "12 к2": ["д. 12 корп. 2"]}
FLATS = ["", ", кв. 17", ", квартира 5", ", оф. 3"]
REGIONS = [
    "",
    "Пермский край, ",
    "Россия, 614000, Пермский край, ",
    "Пермский край, Пермский р-н, ",
]


@given(
    st.sampled_from(sorted(SETTLEMENTS)),
    st.sampled_from(sorted(STREETS)),
    st.sampled_from(sorted(HOUSES)),
    st.data(),
)
def test_the_forms_accounts_are_written_in(
    settlement: str, street: tuple[str, str], house: str, data: st.DataObject
) -> None:
    written = (
        data.draw(st.sampled_from(REGIONS))
        + data.draw(st.sampled_from(SETTLEMENTS[settlement]))
        + ", "
        + data.draw(st.sampled_from(STREETS[street]))
        + ", "
        + data.draw(st.sampled_from(HOUSES[house]))
        + data.draw(st.sampled_from(FLATS))
    )
    expected_settlement = settlement.lower().replace("ё", "е")
    assert parse_address(written) == ParsedAddress(
        expected_settlement, street[0].lower(), house, street[1]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Пермь", "пермь"),
        ("г. Пермь", "пермь"),
        ("Пермь г.", "пермь"),
        ("Пермский край, г. Пермь", "пермь"),
        ("Пермский р-н, с. Лобаново", "лобаново"),
        ("посёлок городского типа Звёздный", "звездный"),
        ("с. Верхние Муллы", "верхние муллы"),
        ("г.", ""),
    ],
)
def test_settlements_of_the_schedule(text: str, expected: str) -> None:
    assert settlement_key(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ул. Ленина", ("ленина", "ул")),
        ("Ленина", ("ленина", "")),
        ("улица Ленина", ("ленина", "ул")),
        ("Ленина ул.", ("ленина", "ул")),
        ("Комсомольский пр-т", ("комсомольский", "пр-т")),
        ("Комсомольский проспект", ("комсомольский", "пр-т")),
        ("Набережная", ("набережная", "")),
        ("ул. Набережная", ("набережная", "ул")),
        ("Набережная ул.", ("набережная", "ул")),
        ("ул. 1-ая Красноармейская", ("1-я красноармейская", "ул")),
        ("ул. Мамина–Сибиряка", ("мамина-сибиряка", "ул")),
    ],
)
def test_streets_of_the_schedule(text: str, expected: tuple[str, str]) -> None:
    assert street_key(text) == expected


# --- outages -----------------------------------------------------------------------------------


LENINA_64 = "Пермский край, г. Пермь, ул. Ленина, д. 64, кв. 17"


@pytest.mark.parametrize(
    "street", ["ул. Ленина", "Ленина", "улица Ленина", "Ленина ул.", "ул Ленина", "ул. им. Ленина"]
)
def test_a_street_is_the_same_with_or_without_its_type(street: str) -> None:
    assert outage(street).covers(LENINA_64)
    assert outage(street).covers("Пермь, Ленина 64")


@pytest.mark.parametrize(
    "street", ["Комсомольский пр-т", "Комсомольский проспект", "пр. Комсомольский"]
)
def test_one_street_type_in_its_spellings(street: str) -> None:
    assert outage(street).covers("Пермский край, г. Пермь, Комсомольский пр-т, д. 32, кв. 5")
    assert outage(street).covers("г. Пермь, проспект Комсомольский, 32")


def test_a_similar_name_is_another_street() -> None:
    assert not outage("ул. Ленинская").covers(LENINA_64)
    assert not outage("ул. Ленина").covers("г. Пермь, ул. Ленинская, д. 64")
    assert not outage("ул. Ленина").covers("г. Пермь, ул. Ленина-Сибиряка, д. 64")


def test_another_type_of_the_same_name_is_another_street() -> None:
    assert not outage("б-р Гагарина").covers("г. Пермь, ул. Гагарина, 10")
    assert outage("б-р Гагарина").covers("г. Пермь, бульвар Гагарина, 10")
    assert outage("Гагарина").covers("г. Пермь, ул. Гагарина, 10")  # no type: either


def test_another_settlement_with_the_same_street() -> None:
    lenina = outage("ул. Ленина", "1-100")
    assert not lenina.covers("Пермский край, г. Кунгур, ул. Ленина, д. 64")
    assert not lenina.covers("Пермский край, Пермский р-н, с. Лобаново, ул. Ленина, д. 64")
    assert outage("ул. Ленина", settlement="с. Лобаново").covers(
        "Пермский край, Пермский р-н, с. Лобаново, ул. Ленина, д. 64"
    )
    assert not lenina.covers("ул. Ленина, д. 64")  # no settlement: no match


def test_houses_in_and_out_of_the_spec() -> None:
    lenina = outage("ул. Ленина", "1-15,17,2-20 чётные")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 7, кв. 1")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 18")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 17а")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 12, корп. 2")
    assert not lenina.covers("г. Пермь, ул. Ленина, д. 19")
    assert not lenina.covers("г. Пермь, ул. Ленина, д. 22")
    assert not lenina.covers(LENINA_64)


def test_letters_and_korpus_in_the_spec() -> None:
    lenina = outage("ул. Ленина", "5а, 7/1, 12 к2")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 5А, кв. 3")
    assert lenina.covers("г Пермь ул Ленина 7/1-3")
    assert lenina.covers("г. Пермь, ул. Ленина, д. 12 корп. 2")
    assert not lenina.covers("г. Пермь, ул. Ленина, д. 5")
    assert not lenina.covers("г. Пермь, ул. Ленина, д. 12")


def test_whole_street_and_an_unreadable_house() -> None:
    assert outage("ул. Ленина").covers("г. Пермь, ул. Ленина, д. б/н")
    assert outage("ул. Ленина").covers("г. Пермь, ул. Ленина")
    assert not outage("ул. Ленина", "1-100").covers("г. Пермь, ул. Ленина, д. б/н")
    assert not outage("ул. Ленина", "1-100").covers("г. Пермь, ул. Ленина")


def test_a_settlement_without_streets() -> None:
    village = outage("", "1-10", settlement="с. Верхние Муллы")
    assert village.covers("Пермский край, с. Верхние Муллы, д. 5")
    assert not village.covers("Пермский край, с. Верхние Муллы, ул. Ленина, д. 5")


def test_a_parsed_address_is_taken_as_it_is() -> None:
    assert outage("ул. Ленина", "60-70").covers(ParsedAddress("пермь", "ленина", "64"))
    assert not outage("ул. Ленина", "60-70").covers(ParsedAddress("пермь", "ленина", "64", "пер"))


def test_an_outage_checks_itself() -> None:
    with pytest.raises(ValueError, match="aware"):
        outage(starts_at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="end after it starts"):
        outage(ends_at=START)
    with pytest.raises(ValueError, match="end after it starts"):
        outage(ends_at=START - timedelta(hours=1))
    with pytest.raises(HouseSpecError, match="runs backwards"):
        outage(houses="15-1")
    with pytest.raises(ValueError, match="no settlement"):
        outage(settlement="г.")
    with pytest.raises(ValueError):
        outage(kind="sudden")


def test_an_outage_is_a_value() -> None:
    one, same = outage("ул. Ленина", "1-5"), outage("ул. Ленина", "1-5")
    assert one == same
    assert hash(one) == hash(same)
    assert outage(kind="emergency").kind is OutageKind.EMERGENCY
    assert one.place == ("пермь", "ленина")
    assert one.spec == HouseSpec.parse("1-5")


# --- the index ---------------------------------------------------------------------------------

SCHEDULE = [
    outage("ул. Ленина", "1-15,17,2-20 чётные"),
    outage("Комсомольский проспект", "30-40"),
    outage("ул. Ленина", "60-70", kind=OutageKind.EMERGENCY),
    outage("ул. Центральная", "", settlement="с. Лобаново"),
    outage("б-р Гагарина", "нечётные"),
    outage("ул. 25 Октября", "1-9 нечетные"),
    outage("ул. 1-я Красноармейская", ""),
]

ADDRESS_STREETS = [
    "ул. Ленина",
    "улица Ленина",
    "Ленина ул.",
    "ул. Ленинская",
    "Комсомольский пр-т",
    "пр-т Комсомольский",
    "ул. Центральная",
    "б-р Гагарина",
    "ул. Гагарина",
    "ул. 25 Октября",
    "ул. 1-ая Красноармейская",
    "ул. Мира",
]
ADDRESS_SETTLEMENTS = ["г. Пермь", "Пермь г.", "с. Лобаново", "г. Кунгур"]


@given(
    st.sampled_from(["", "Пермский край, ", "Пермский край, Пермский р-н, "]),
    st.sampled_from(ADDRESS_SETTLEMENTS),
    st.sampled_from(ADDRESS_STREETS),
    st.integers(min_value=1, max_value=80),
    st.sampled_from(["", "а", " корп. 2", "/1"]),
    st.sampled_from([", ", " "]),
)
def test_the_index_finds_what_covers_finds(
    region: str, settlement: str, street: str, number: int, suffix: str, separator: str
) -> None:
    address = f"{region}{settlement}{separator}{street}{separator}д. {number}{suffix}, кв. 5"
    index = OutageIndex(SCHEDULE)
    expected = [candidate for candidate in SCHEDULE if candidate.covers(address)]
    assert index.matching(address) == expected
    assert index.matching(parse_address(address)) == expected


def test_the_index_on_examples() -> None:
    index = OutageIndex(SCHEDULE)
    assert index.matching("г. Пермь, ул. Ленина, д. 64") == [SCHEDULE[2]]
    assert index.matching("г. Пермь, ул. Ленина, д. 7") == [SCHEDULE[0]]
    assert index.matching("с. Лобаново, ул. Центральная, 3") == [SCHEDULE[3]]
    assert index.matching("г. Пермь, ул. Ленинская, д. 7") == []
    assert index.matching("г. Кунгур, ул. Ленина, д. 7") == []
    assert len(index) == len(SCHEDULE)
    assert OutageIndex([]).matching(LENINA_64) == []


def test_the_index_parses_only_addresses_that_name_an_indexed_street(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    real = outages_module.parse_address

    def counting(text: str) -> ParsedAddress:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(outages_module, "parse_address", counting)
    index = OutageIndex(SCHEDULE)
    assert index.matching("г. Пермь, ул. Мира, д. 7") == []
    assert index.matching("г. Пермь, ул. Попова, д. 7") == []
    assert parsed == []
    assert index.matching("г. Пермь, ул. Ленина, д. 7") == [SCHEDULE[0]]
    assert parsed == ["г. Пермь, ул. Ленина, д. 7"]


def test_a_street_without_letters_still_matches() -> None:
    index = OutageIndex([outage("ул. 8", "1-5")])  # nothing to look for: every address is parsed
    assert index.matching("г. Пермь, ул. 8, д. 3") == [index.outages[0]]
    assert index.matching("г. Пермь, ул. Ленина, д. 3") == []


def test_many_addresses_against_many_outages() -> None:
    schedule = [outage(f"ул. Улица{chr(0x430 + i)}", "1-20") for i in range(30)] + SCHEDULE
    index = OutageIndex(schedule)
    addresses = [
        f"Пермский край, г. Пермь, {street}, д. {number}, кв. {number}"
        for street in ADDRESS_STREETS + [f"ул. Улица{chr(0x430 + i)}" for i in range(30)]
        for number in range(1, 60)
    ]
    found = {address: index.matching(address) for address in addresses}
    assert found == {
        address: [one for one in schedule if one.covers(address)] for address in addresses
    }
    assert sum(map(bool, found.values())) > 600
