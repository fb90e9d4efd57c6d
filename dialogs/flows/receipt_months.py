"""The months a receipt request names: «за сентябрь и октябрь», «10.2026», «за позапрошлый
месяц», «за декабрь прошлого года»; or a year alone («за прошлый год»)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MAX_MONTHS = 3  # receipts sent for one message; more are asked one by one

# «10.2026», «10/2026», «10-2026»: a month and its year, never a reading.
_NUMERIC = re.compile(r"(?<![\d.,/])(0?[1-9]|1[0-2])\s*[./-]\s*(20\d\d)(?!\d)")
# «за 9 месяц», «за 11-й месяц»: a month by its number.
_ORDINAL = re.compile(r"(?<![\d.,/])(0?[1-9]|1[0-2])\s*(?:-?й\s+)?месяц(?![а-яё])", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,/])(20\d\d)(?!\d)")
_YEARS_BACK = re.compile(r"(поза)?прошл\w*\s+год|(?:last|previous)\s+year", re.IGNORECASE)
_MONTHS_BACK = re.compile(
    r"(?P<two>поза)?прошл\w*\s+месяц|(?:last|previous)\s+month|(?P<two_en>month\s+before\s+last)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Asked:
    """(month, year) pairs in the order named — a year of None is the latest such month —
    or a year without a month."""

    months: tuple[tuple[int, int | None], ...] = ()
    year: int | None = None
    more: bool = False  # more months were named than MAX_MONTHS: the customer is told

    def __bool__(self) -> bool:
        return bool(self.months) or self.year is not None

    def dump(self) -> dict[str, object]:
        return {
            "months": [list(pair) for pair in self.months],
            "year": self.year,
            "more": self.more,
        }

    @classmethod
    def load(cls, raw: dict[str, object] | None) -> Asked:
        if not raw:
            return cls()
        months = raw.get("months") or []
        year = raw.get("year")
        assert isinstance(months, list)
        return cls(
            tuple((int(m), None if y is None else int(y)) for m, y in months),
            int(year) if isinstance(year, int) else None,
            bool(raw.get("more")),
        )


def _year_said(text: str, today: date) -> int | None:
    if found := _YEAR.search(text):
        return int(found[1])
    if back := _YEARS_BACK.search(text):  # «прошлого года», «позапрошлого года»
        return today.year - (2 if back[1] else 1)
    return None


def asked_in(text: str, named_months: Sequence[int], today: date) -> Asked:
    """What `text` asks for; `named_months` are the months the NLU found named in words."""
    numeric: list[tuple[int, int | None]] = [
        (int(found[1]), int(found[2])) for found in _NUMERIC.finditer(text)
    ]
    said_year = _year_said(_NUMERIC.sub(" ", text), today)
    numeric += [(int(found[1]), said_year) for found in _ORDINAL.finditer(text)]
    relative: list[tuple[int, int | None]] = []
    if back := _MONTHS_BACK.search(text):
        steps = 2 if back["two"] or back["two_en"] else 1
        month, year = today.month - steps, today.year
        if month <= 0:
            month, year = month + 12, year - 1
        relative.append((month, year))
    said = said_year
    named: list[tuple[int, int | None]] = [(month, said) for month in named_months]
    months = tuple(dict.fromkeys([*numeric, *relative, *named]))
    if months:
        return Asked(months[:MAX_MONTHS], more=len(months) > MAX_MONTHS)
    return Asked(year=said)
