"""Personal accounts (лицевые счета) and how a customer proves one is theirs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    """Household tariff category."""

    URBAN_GAS = "urban_gas"
    URBAN_ELECTRIC = "urban_electric"
    RURAL = "rural"


@dataclass(frozen=True, slots=True)
class Account:
    number: str  # digits only
    surname: str
    first_name: str
    patronymic: str
    address: str
    category: Category
    phone: str | None  # normalised +7XXXXXXXXXX, or None
    email: str | None
    large_family: bool
    balance: Decimal  # > 0 debt, < 0 overpayment
    due_date: date | None
    penalty: Decimal | None = None  # billing's penalty to date, not in the balance; None: not given


ACCOUNT_DIGITS = (10, 11)
_SEPARATORS = re.compile(r"[\s\-‐-―]+")


_ACCOUNT = re.compile(r"\d{10,11}", re.ASCII)
# Characters people put between the digits of a phone number.
_PHONE_NOISE = re.compile(r"[\s\-‐-―().]+")
_PHONE = re.compile(r"(?:\+7|7|8)(\d{10})|(9\d{9})", re.ASCII)
_SURNAME_EDGES = re.compile(r"^[\s\-‐-―]+|[\s\-‐-―]+$")


def normalize_account_number(text: str) -> str | None:
    """Digits of an account number typed with spaces or dashes; None unless 10-11 digits."""
    digits = _SEPARATORS.sub("", text)
    return digits if _ACCOUNT.fullmatch(digits) else None


def normalize_surname(text: str) -> str:
    """Casefolded surname with ё→е and spaces/hyphens stripped at the ends."""
    # NFC first so that «е» + combining diaeresis becomes «ё» and is then folded like it.
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return _SURNAME_EDGES.sub("", folded)


def surname_matches(typed: str, on_account: str) -> bool:
    """True when the typed surname is the holder's (case-insensitive, ё = е, trimmed)."""
    expected = normalize_surname(on_account)
    return bool(expected) and normalize_surname(typed) == expected


_DASHES = re.compile(r"\s*[\-‐‑‒–—―]\s*")
_NOT_NAME = re.compile(r"[^\w\s\-]+")
_SURNAME_WORDS = frozenset({"фамилия", "фамилию", "фамилии", "surname"})


def surname_candidates(text: str, max_words: int = 3) -> list[str]:
    """The surnames worth trying in what a customer typed when asked for one.

    «Власов.», «фамилия Власов», «Ёлкина О.И.», «Мария Иванова», «Иванова Мария Петровна»,
    «Салтыкова Щедрина», «САЛТЫКОВА – ЩЕДРИНА», «-Елкина-». Empty when it cannot be a name
    (digits, nothing but initials, more than `max_words` words), so no attempt is counted.
    """
    if any(ch.isdigit() for ch in text):
        return []
    cleaned = _NOT_NAME.sub(" ", _DASHES.sub("-", unicodedata.normalize("NFC", text)))
    words = [word.strip("-") for word in cleaned.split()]
    words = [w for w in words if len(w) > 1 and w.casefold() not in _SURNAME_WORDS]
    if not words or len(words) > max_words:
        return []
    candidates = [*words, "-".join(words[:2])] if len(words) > 1 else words
    return list(dict.fromkeys(candidates))


# Russian area and mobile codes start with 3-9; 0, 1 and 2 are never the digit after +7.
_NO_CODE = frozenset("012")


def normalize_phone(text: str) -> str | None:
    """+7XXXXXXXXXX from +7/8/7-prefixed Russian numbers with any spacing; None if not a phone
    («+7 000 000-00-00» is none: no code starts with 0, 1 or 2)."""
    compact = _PHONE_NOISE.sub("", text.strip())
    match = _PHONE.fullmatch(compact)
    if match is None:
        return None
    national = match.group(1) or match.group(2)
    if national[0] in _NO_CODE:
        return None
    return "+7" + national


@dataclass(frozen=True, slots=True)
class LinkLimits:
    """Brute-force limits on linking by number + surname."""

    per_customer: int = 5
    per_customer_window_hours: int = 1
    per_account: int = 10
    per_account_window_hours: int = 24


def link_locked(limits: LinkLimits, customer_failures: int, account_failures: int) -> bool:
    """Whether a new attempt must be refused, even with the right surname.

    The counts are failures inside the respective windows. Counting is by the account number
    typed, whether or not such an account exists, so a lockout reveals nothing.
    """
    return customer_failures >= limits.per_customer or account_failures >= limits.per_account
