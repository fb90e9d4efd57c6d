import pytest

from core.accounts import (
    LinkLimits,
    link_locked,
    normalize_account_number,
    normalize_phone,
    normalize_surname,
    surname_candidates,
    surname_matches,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5901234567", "5901234567"),
        ("5901 234 567", "5901234567"),
        ("59-01-234-567", "5901234567"),
        ("5901\u00a0234\u00a0567", "5901234567"),
        (" 59012345678 ", "59012345678"),
        ("5901–234–5678", "59012345678"),
    ],
)
def test_account_number_is_normalised(typed: str, expected: str) -> None:
    assert normalize_account_number(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "590123456", "590123456789", "59012a4567", "лс 5901234567", "٥٩٠١٢٣٤٥٦٧"]
)
def test_account_number_rejects_other_text(typed: str) -> None:
    assert normalize_account_number(typed) is None


def test_surname_normalisation() -> None:
    assert normalize_surname("  Ёлкина ") == "елкина"
    assert normalize_surname("-Иванова-Петрова- ") == "иванова-петрова"
    assert normalize_surname("ПЕТРОВ\u00a0") == "петров"
    # Latin look-alikes typed inside a Cyrillic word are its letters; a Latin name stays Latin.
    assert normalize_surname("Зырянoв") == "зырянов"
    assert normalize_surname("Petrova") == "petrova"


@pytest.mark.parametrize(
    ("typed", "on_account", "matches"),
    [
        ("иванова", "Иванова", True),
        ("ИВАНОВА ", "Иванова", True),
        ("Семенов", "Семёнов", True),
        ("семёнов", "Семенов", True),
        ("иванова-петрова", "Иванова-Петрова", True),
        ("иванова петрова", "Иванова-Петрова", False),
        ("Иванов", "Иванова", False),
        ("Иванова И.И.", "Иванова", False),
        ("", "", False),
        ("-", "Иванова", False),
    ],
)
def test_surname_matches(typed: str, on_account: str, matches: bool) -> None:
    assert surname_matches(typed, on_account) is matches


@pytest.mark.parametrize(
    "typed",
    [
        "8 (912) 345-67-89",
        "+7 912 3456789",
        "79123456789",
        "89123456789",
        "+7(912)345-67-89",
        "9123456789",
        " 8-912-345-67-89 ",
    ],
)
def test_phone_is_normalised(typed: str) -> None:
    assert normalize_phone(typed) == "+79123456789"


@pytest.mark.parametrize(
    "typed", ["", "12345", "+1 912 345 67 89", "8123456789", "+7 912 345 67 8", "991234567890"]
)
def test_phone_rejects_other_text(typed: str) -> None:
    assert normalize_phone(typed) is None


@pytest.mark.parametrize(
    "typed", ["+7 000 000-00-00", "8 000 000 00 00", "+7 100 123-45-67", "72991234567"]
)
def test_phone_with_a_code_starting_0_1_or_2_is_none(typed: str) -> None:
    assert normalize_phone(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+7 342 200-00-00", "+73422000000"),
        ("8 800 220-0-220", "+78002200220"),
        ("+7 495 123 45 67", "+74951234567"),
    ],
)
def test_landline_and_toll_free_codes_are_phones(typed: str, expected: str) -> None:
    assert normalize_phone(typed) == expected


def test_link_locked_by_customer_or_account_failures() -> None:
    limits = LinkLimits(per_customer=5, per_account=10)
    assert not link_locked(limits, 4, 9)
    assert link_locked(limits, 5, 0)
    assert link_locked(limits, 0, 10)


@pytest.mark.parametrize(
    ("typed", "holder"),
    [
        ("Власов.", "Власов"),
        ("фамилия Власов", "Власов"),
        ("Ёлкина О.И.", "Елкина"),
        ("иванова м.п.", "Иванова"),
        ("Мария Иванова", "Иванова"),
        ("Иванова Мария Петровна", "Иванова"),
        ("Салтыкова Щедрина", "Салтыкова-Щедрина"),
        ("САЛТЫКОВА – ЩЕДРИНА", "Салтыкова-Щедрина"),
        ("Салтыкова–Щедрина", "Салтыкова-Щедрина"),
        ("-Елкина-", "Ёлкина"),
    ],
)
def test_surname_candidates_find_the_holder(typed: str, holder: str) -> None:
    assert any(surname_matches(c, holder) for c in surname_candidates(typed))


@pytest.mark.parametrize("typed", ["12345", "О. И.", "раз два три четыре", "", "  "])
def test_surname_candidates_refuse_what_is_no_name(typed: str) -> None:
    assert surname_candidates(typed) == []


def test_surname_candidates_are_few() -> None:
    assert len(surname_candidates("Петрова Сидорова Иванова")) <= 4
