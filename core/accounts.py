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


# Latin letters that look like Cyrillic ones, typed inside a Cyrillic word («Зырянoв»).
_LOOKALIKES = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")


def normalize_surname(text: str) -> str:
    """Casefolded surname with ё→е, Latin look-alikes inside a Cyrillic word made Cyrillic,
    and spaces/hyphens stripped at the ends."""
    # NFC first so that «е» + combining diaeresis becomes «ё» and is then folded like it.
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    if _CYRILLIC.search(folded) and _LATIN.search(folded):
        folded = folded.translate(_LOOKALIKES)
    return _SURNAME_EDGES.sub("", folded)


def surname_matches(typed: str, on_account: str) -> bool:
    """True when the typed surname is the holder's (case-insensitive, ё = е, trimmed); one
    typed in Latin letters matches by transliteration («Ponomaryov», «Ponomarev» — Пономарёв)."""
    expected = normalize_surname(on_account)
    if not expected:
        return False
    if is_latin(typed):
        return latin_skeleton(typed) == latin_skeleton(transliterate(expected))
    return normalize_surname(typed) == expected


_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def is_latin(text: str) -> bool:
    """Written in Latin letters (and no Cyrillic ones)."""
    return bool(_LATIN.search(text)) and not _CYRILLIC.search(text)


# Passports' transliteration (ICAO Doc 9303, as in Russian passports since 2013).
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
        "я": "ia",
    }
)  # fmt: skip
# What other systems people learnt (GOST, BGN, the old passports, English habits) write
# differently, reduced to one spelling: «Semyonov», «Semenov» and «Semjonov» meet.
_SKELETON = (
    (re.compile(r"shch|sch|sc(?=h)|shh"), "S"),
    (re.compile(r"tch|ch|tsh|c(?=h)"), "C"),
    (re.compile(r"zh|jh"), "Z"),
    (re.compile(r"kh|x|(?<![szc])h"), "H"),
    (re.compile(r"sh"), "X"),
    (re.compile(r"ts|tz|c"), "T"),
    (re.compile(r"(?:y|j|i)(?:a)"), "A"),
    (re.compile(r"(?:y|j|i)(?:u)"), "U"),
    (re.compile(r"(?:y|j|i)(?:o|e)"), "e"),
    (re.compile(r"ie"), "e"),
    (re.compile(r"[yji]+"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"[^a-zA-Z]"), ""),
)


def transliterate(cyrillic: str) -> str:
    return normalize_surname(cyrillic).translate(_TRANSLIT)


def latin_skeleton(latin: str) -> str:
    """A Latin spelling of a Russian name reduced so that the usual systems agree."""
    text = latin.casefold()
    for pattern, replacement in _SKELETON:
        text = pattern.sub(replacement, text)
    return text


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
