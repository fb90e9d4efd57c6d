import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.masking import (
    hide_card_data,
    mask_account,
    mask_address,
    mask_email,
    mask_phone,
    mask_surname,
    mask_text,
)


@pytest.mark.parametrize(
    ("surname", "masked"),
    [
        ("Иванова", "И*****ва"),
        ("Петров", "П*****ов"),
        ("Иванова-Петрова", "И*****ва"),
        ("Ли", "Л*****"),
        ("Ким", "К*****"),
        ("", ""),
    ],
)
def test_mask_surname(surname: str, masked: str) -> None:
    assert mask_surname(surname) == masked


def test_mask_account() -> None:
    assert mask_account("59012341234") == "•••••••1234"
    assert mask_account("5901231234") == "•••••••1234"


def test_mask_phone() -> None:
    assert mask_phone("+79991234567") == "+7 *** ***-45-67"
    assert mask_phone("8 (999) 123-45-67") == "+7 *** ***-45-67"
    assert "12345" not in mask_phone("+4412345678")


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("ivanova@mail.ru", "i***@mail.ru"),
        ("a@example.com", "a***@example.com"),
        ("  Petrov.Ivan@yandex.ru ", "P***@yandex.ru"),
        ("not-an-address", "***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("г. Пермь, ул. Ленина, д. 10, кв. 25", "г. Пермь, ул. Ленина, д. 10"),
        ("г. Пермь, ул. Ленина, д. 10, кв 25", "г. Пермь, ул. Ленина, д. 10"),
        ("г. Пермь, ул. Ленина, д. 10, квартира 7", "г. Пермь, ул. Ленина, д. 10"),
        ("г. Пермь, ул. Ленина, д. 10, к. 3", "г. Пермь, ул. Ленина, д. 10"),
        ("г. Пермь, ул. Ленина, д. 10, кв.25а, 614000", "г. Пермь, ул. Ленина, д. 10, 614000"),
        ("с. Кояново, ул. Квартальная, д. 5", "с. Кояново, ул. Квартальная, д. 5"),
        ("кв. 5, ул. Ленина, 10", "ул. Ленина, 10"),
    ],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("мой счёт 5901234567, спасибо", "мой счёт •••••••4567, спасибо"),
        ("лс 5901-234-5678", "лс •••••••5678"),
        ("звоните 8 (912) 345-67-89 вечером", "звоните +7 *** ***-67-89 вечером"),
        ("+79123456789", "+7 *** ***-67-89"),
        ("день 23415 ночь 8120", "день 23415 ночь 8120"),
        ("показания 12 345,6 на 25.03.2026", "показания 12 345,6 на 25.03.2026"),
        ("", ""),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "phone",
    [
        "+79195550103",
        "89195550103",
        "79195550103",
        "9195550103",
        "+7 919 555-01-03",
        "+7 (919) 555-01-03",
        "8 (919) 555–01–03",
        "8-919-555-01-03",
        "8.919.555.01.03",
        "8\u00a0919\u00a0555\u00a001\u00a003",
        "+7(919)5550103",
    ],
)
def test_a_phone_in_any_common_format_is_masked_in_text(phone: str) -> None:
    masked = mask_text(f"тел.{phone}, звоните")
    assert masked == "тел.+7 *** ***-01-03, звоните"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("пишите на t.kuznetsova@example.ru, спасибо", "пишите на t***@example.ru, спасибо"),
        ("Ivan.Petrov+bills@mail.example.com", "I***@mail.example.com"),
        ("без адреса @ здесь", "без адреса @ здесь"),
    ],
)
def test_email_addresses_are_masked_in_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_the_values_of_a_failed_sql_statement_are_dropped() -> None:
    error = (
        "sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed\n"
        "[SQL: INSERT INTO customers (channel, user_id, display_name) VALUES (?, ?, ?)]\n"
        "[parameters: ('telegram', '7001', 'Кузнецова [Татьяна]')]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    )
    masked = mask_text(error)
    assert "Кузнецова" not in masked and "Татьяна" not in masked
    assert "[SQL: INSERT INTO customers" in masked  # what failed stays readable
    assert "[parameters hidden]\n(Background on this error at:" in masked


@pytest.mark.parametrize(
    "text",
    [
        "номер карты 4111 1111 1111 1111 срок 12/28 cvv 123",
        "вот моя карта 4111111111111111, спишите долг",
        "4111-1111-1111-1111",
    ],
)
def test_card_numbers_are_masked(text: str) -> None:
    from core.masking import hide_card_data

    masked, found = hide_card_data(text)
    assert found
    assert "1111 1111 1111" not in masked.replace("•••• •••• •••• 1111", "")
    assert "•••• •••• •••• 1111" in masked
    assert "cvv 123" not in masked


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        # A typo in one digit does not make a card number any less one: printed as cards are,
        # or next to card words, an expiry date or a security code, it is masked all the same.
        ("4111 1111 1111 1112", "1112"),
        ("карта 5469 3800 1122 3343 12/27 cvv 123 спишите за свет", "3343"),
        ("номер карты 22001234567890101 срок 09/28", "0101"),
        ("card 4276380012344358 exp 10/29", "4358"),
        # Sixteen digits as a payment system starts them, even failing the checksum.
        ("2202203612345678", "5678"),
        ("4111111111111112", "1112"),
    ],
)
def test_card_numbers_failing_the_checksum_are_masked_by_their_shape_or_context(
    text: str, tail: str
) -> None:
    from core.masking import hide_card_data

    masked, found = hide_card_data(text)
    assert found
    assert f"•••• •••• •••• {tail}" in masked
    assert not any(date in masked for date in ("12/27", "09/28", "10/29"))
    assert "cvv 123" not in masked


@pytest.mark.parametrize(
    "text",
    [
        "показания 12345 67890 11111",
        "5901234567",
        "+7 912 345-67-89",
        "1111111111111112",  # 16 digits no payment system starts with, failing the checksum
        "счетчик 009217063004512 показания 12877",  # a meter's 15-digit serial
        # A serial next to a period written like an expiry date: serials start with 0, cards not.
        "показания за 12.2026 по счётчику 007789012345678: день 84200 ночь 31300",
        "оплатил 12.11 2000 р",
    ],
)
def test_other_numbers_are_not_cards(text: str) -> None:
    from core.masking import hide_card_data

    assert hide_card_data(text) == (text, False)


def test_a_bot_token_inside_an_error_is_hidden() -> None:
    error = (
        "TelegramNetworkError: InvalidURL: "
        "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_/sendMessage"
    )
    masked = mask_text(error)
    assert (
        masked
        == "TelegramNetworkError: InvalidURL: https://api.telegram.org/bot<bot token>/sendMessage"
    )
    assert mask_text("at 12:30:45 and 2026-11-27T03:00:07") == "at 12:30:45 and 2026-11-27T03:00:07"


# -- card data in any format (a property: whatever the grouping and the separators) ----------

_SEPARATORS = st.sampled_from([" ", ".", "-", "/", "  ", "\u00a0", " - ", "\u2013", "\t", "\n"])


def _luhn_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body + "0")):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


@st.composite
def typed_cards(draw: st.DrawFn) -> tuple[str, str, str]:
    """(the card as typed, its digits, what was said beside it)."""
    length = draw(st.integers(13, 19))
    body = draw(st.sampled_from("23456")) + draw(
        st.text("0123456789", min_size=length - 2, max_size=length - 2)
    )
    digits = body + (
        _luhn_digit(body) if draw(st.booleans()) else draw(st.sampled_from("0123456789"))
    )
    cuts = sorted(draw(st.sets(st.integers(2, length - 2), max_size=5)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, length], strict=True)]
    typed = groups[0]
    for group in groups[1:]:
        typed += draw(_SEPARATORS) + group
    beside = draw(
        st.sampled_from(
            [
                "cvv {c}",
                "CVC: {c}",
                "код {c}",
                "срок 12/27 cvv {c}",
                "до 09.28",
                "exp 11/2029",
                "12/27 {c}",
                "CVV — {c}",
                "код безопасности {c}",
            ]
        )
    ).format(c=draw(st.text("0123456789", min_size=3, max_size=3)))
    return typed, digits, beside


@given(typed_cards(), st.sampled_from(["вот карта {card} {beside}", "{card} {beside} спишите"]))
# A run of 13 digits after a short group: the card is all sixteen (found by this test).
@example(("20.0 1000000000000", "2001000000000000", "cvv 000"), "вот карта {card} {beside}")
# And short groups after such a run (found by this test on a CI run).
@example(("2000000000000 0.00", "2000000000000000", "cvv 000"), "вот карта {card} {beside}")
def test_card_digits_with_a_code_or_expiry_beside_are_masked_in_any_format(
    card: tuple[str, str, str], sentence: str
) -> None:
    typed, digits, beside = card
    text = sentence.format(card=typed, beside=beside)
    masked, found = hide_card_data(text)
    assert found, text
    assert digits[:-4] not in re.sub(r"\D", "", masked), (text, masked)
    assert not re.search(r"(?i)(cvv|cvc|код)\W*\d", masked), (text, masked)
    assert not re.search(r"\d\s*[/.]\s*\d", masked), (text, masked)  # nor the expiry date


@given(
    st.from_regex(r"59\d{8}", fullmatch=True),
    st.integers(0, 999_999),
    st.sampled_from([" ", "  ", " показания ", ", ", " - "]),
)
def test_an_account_beside_a_reading_is_never_a_card(account: str, reading: int, gap: str) -> None:
    text = f"{account}{gap}{reading}"
    assert hide_card_data(text) == (text, False)
