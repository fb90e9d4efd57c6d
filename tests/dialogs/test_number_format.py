"""The Translator's numbers and amounts are Babel's, digit for digit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from babel import Locale
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from dialogs.i18n import translator
from dialogs.number_format import DecimalFormat

decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)
PATTERNS = {"number": "#,##0.###", "money": "#,##0.00"}


@pytest.mark.parametrize("language", ["ru", "en"])
@given(value=decimals | st.integers(min_value=-(10**12), max_value=10**12))
def test_numbers_and_amounts_read_as_babel_writes_them(language: str, value: Decimal | int) -> None:
    t = translator(language)
    locale = Locale.parse(language)
    assert t.number(value) == format_decimal(value, format=PATTERNS["number"], locale=locale)
    if isinstance(value, Decimal):
        assert t.money(value) == format_decimal(value, format=PATTERNS["money"], locale=locale)


@pytest.mark.parametrize(
    ("value", "number", "money"),
    [
        (Decimal("1234567.125"), "1\xa0234\xa0567,125", "1\xa0234\xa0567,12"),
        (Decimal("2.675"), "2,675", "2,68"),  # half to even
        (Decimal("0.0005"), "0", "0,00"),
        (Decimal("-0.004"), "-0,004", "-0,00"),  # the sign of the value given, as Babel
        (Decimal("1E+3"), "1\xa0000", "1\xa0000,00"),
    ],
)
def test_russian_examples(value: Decimal, number: str, money: str) -> None:
    assert translator("ru").number(value) == number
    assert translator("ru").money(value) == money


def test_values_beyond_the_precision_are_left_to_babel() -> None:
    fmt = DecimalFormat(Locale.parse("en"), 2, 2)
    with pytest.raises(InvalidOperation):  # as Babel itself
        fmt(Decimal("1E+40"))
    assert fmt(Decimal("NaN")) == format_decimal(Decimal("NaN"), format="#,##0.00", locale="en")
