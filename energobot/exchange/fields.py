"""Field converters: a raw CSV or JSON value to a typed value, or a FieldError saying why not.

JSON Lines may carry a value as a string or as a number; both are accepted wherever a number
makes sense. Blank values (empty string, whitespace, JSON null, a missing key) never reach a
converter: FieldReader handles them as "required" or "absent".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar, cast

from core.accounts import normalize_account_number, normalize_phone
from energobot.exchange.errors import FieldError, RowError
from energobot.exchange.readers import Row

NAME_LIMIT = 128  # surname, first name, patronymic
EMAIL_LIMIT = 256
SERIAL_LIMIT = 64

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Converter = Callable[[object], T]

_DECIMAL = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PERIOD = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def show(raw: object) -> str:
    """A value as an error message quotes it: strings in quotes, JSON values as JSON."""
    if isinstance(raw, str):
        return repr(raw)
    if isinstance(raw, Decimal):
        return str(raw)
    try:
        return json.dumps(raw, ensure_ascii=False)
    except TypeError:
        return repr(raw)


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: object) -> str:
    """A string; JSON integers are taken as their digits (serials, account numbers)."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise FieldError(f"expected text: {show(raw)}")


def short_text(limit: int) -> Converter[str]:
    """Text of at most `limit` characters (the database's column width)."""

    def convert(raw: object) -> str:
        value = text(raw)
        if len(value) > limit:
            raise FieldError(f"longer than {limit} characters: {show(raw)}")
        return value

    return convert


def decimal(raw: object) -> Decimal:
    """A plain decimal with a dot: «12.5», «-3», or a JSON number. No exponents, no commas."""
    if isinstance(raw, bool):
        raise FieldError(f"not a decimal number: {show(raw)}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise FieldError(f"not a decimal number: {show(raw)}")
        # JSON may say 1e3; keep the plain form so that it is stored and exported as 1000.
        return Decimal(format(raw, "f"))
    if isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        return Decimal(raw.strip())
    raise FieldError(f"not a decimal number: {show(raw)}")


def bounded_decimal(
    minimum: Decimal | None = None, *, exclusive: bool = False, places: int | None = None
) -> Converter[Decimal]:
    """A decimal, optionally bounded below and with at most `places` digits after the dot."""

    def convert(raw: object) -> Decimal:
        value = decimal(raw)
        if minimum is not None and (value < minimum or (exclusive and value == minimum)):
            relation = "above" if exclusive else "at least"
            raise FieldError(f"must be {relation} {minimum}: {show(raw)}")
        exponent = value.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            raise FieldError(f"more than {places} digits after the dot: {show(raw)}")
        return value

    return convert


money = bounded_decimal(places=2)
non_negative_money = bounded_decimal(Decimal(0), places=2)
non_negative = bounded_decimal(Decimal(0))
positive = bounded_decimal(Decimal(0), exclusive=True)


def integer(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        return int(raw.strip())
    raise FieldError(f"not a whole number: {show(raw)}")


def flag(raw: object) -> bool:
    """0 or 1 (JSON true/false too)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip() in ("0", "1"):
        return raw.strip() == "1"
    raise FieldError(f"expected 0 or 1: {show(raw)}")


def iso_date(raw: object) -> date:
    if isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise FieldError(f"not a date (YYYY-MM-DD): {show(raw)}")


def period(raw: object) -> str:
    """A billing period, YYYY-MM."""
    if isinstance(raw, str):
        match = _PERIOD.fullmatch(raw.strip())
        if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1900:
            return match.group(0)
    raise FieldError(f"not a period (YYYY-MM): {show(raw)}")


def choice(enum: type[E]) -> Converter[E]:
    """One of an enumeration's values."""
    allowed = ", ".join(member.value for member in enum)

    def convert(raw: object) -> E:
        if isinstance(raw, str):
            try:
                return enum(raw.strip().lower())
            except ValueError:
                pass
        raise FieldError(f"not one of {allowed}: {show(raw)}")

    return convert


def account_number(raw: object) -> str:
    number = normalize_account_number(text(raw))
    if number is None:
        raise FieldError(f"not an account number (10-11 digits): {show(raw)}")
    return number


def phone(raw: object) -> str:
    normalized = normalize_phone(text(raw))
    if normalized is None:
        raise FieldError(f"not a Russian phone number: {show(raw)}")
    return normalized


def email(raw: object) -> str:
    value = text(raw)
    if len(value) > EMAIL_LIMIT or not _EMAIL.fullmatch(value):
        raise FieldError(f"not an e-mail address: {show(raw)}")
    return value


def peek(row: Row, name: str, convert: Converter[T]) -> T | None:
    """A field's value if it is there and valid, else None; records nothing."""
    raw = row.values.get(name)
    if is_blank(raw):
        return None
    try:
        return convert(raw)
    except FieldError:
        return None


@dataclass
class FieldReader:
    """Converts the fields of one row, collecting every error instead of stopping at the first.

    A failed or missing required field yields None (typed as the converter's result): the
    caller must check `errors` before using the values.
    """

    row: Row
    errors: list[RowError] = field(default_factory=list)

    def required(self, name: str, convert: Converter[T]) -> T:
        raw = self.row.values.get(name)
        if is_blank(raw):
            self.error(name, "required")
            return cast(T, None)
        return self._convert(name, raw, convert)

    def optional(self, name: str, convert: Converter[T]) -> T | None:
        raw = self.row.values.get(name)
        if is_blank(raw):
            return None
        return self._convert(name, raw, convert)

    def error(self, name: str | None, message: str) -> None:
        self.errors.append(RowError(self.row.number, name, message))

    def _convert(self, name: str, raw: object, convert: Converter[T]) -> T:
        try:
            return convert(raw)
        except FieldError as exc:
            self.error(name, str(exc))
            return cast(T, None)
