"""Text catalogs (one YAML file per flow and language) and locale-aware formatting."""

from __future__ import annotations

import datetime as dt  # the Translator's date() and time() would shadow the types
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date, format_time

from dialogs.number_format import DecimalFormat

LANGUAGES = ("ru", "en")
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})
# From this many consecutive days on, a week's days read as a range («пн–пт»), not a list.
RUN_OF_DAYS = 3


@cache
def catalog(language: str) -> Mapping[str, Any]:
    """All texts of a language, flattened to dotted keys («readings.prompt»)."""
    flat: dict[str, Any] = {}
    folder = resources.files("dialogs") / "locales" / language
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            _flatten(yaml.safe_load(entry.read_text("utf-8")) or {}, "", flat)
    return flat


def _flatten(node: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in node.items():
        name = f"{prefix}{key}"
        # A mapping of plural forms is a leaf; any other mapping is a namespace.
        if isinstance(value, Mapping) and not set(value) <= PLURAL_FORMS:
            _flatten(value, f"{name}.", out)
        else:
            if name in out:
                raise ValueError(f"duplicate text key {name}")
            out[name] = value


@lru_cache(maxsize=4096)
def _date(value: dt.date, pattern: str, language: str) -> str:
    """Babel's date, kept: the same few days (a bill's, a reading's, today) are written again and
    again, and Babel parses the pattern each time (~30 µs)."""
    return format_date(value, pattern, locale=language)


@cache
def translator(language: str) -> Translator:
    return Translator(language)


class Translator:
    """Texts and numbers in one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._texts = catalog(self.language)
        self._locale = Locale.parse(self.language)
        self._number = DecimalFormat(self._locale, 0, 3)
        self._money = DecimalFormat(self._locale, 2, 2)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._texts[key]
        if isinstance(template, Mapping):
            count = params.get("count")
            if count is None:
                raise KeyError(f"{key} needs a count")
            form = self._locale.plural_form(count)
            template = template.get(form, template["other"])
            params = {**params, "count": self.number(count)}
        return str(template).format(**params) if params else str(template)

    def has(self, key: str) -> bool:
        return key in self._texts

    def number(self, value: Decimal | int) -> str:
        return self._number(value)  # «#,##0.###»

    def money(self, value: Decimal) -> str:
        return self._money(value)  # «#,##0.00»

    def date(self, value: dt.date) -> str:
        return _date(value, "d MMMM yyyy", self.language)

    def short_date(self, value: dt.date) -> str:
        return _date(value, "EEE, d MMMM", self.language)

    def day_month(self, value: dt.date) -> str:
        """«23 ноября»."""
        return _date(value, "d MMMM", self.language)

    def time(self, value: dt.datetime | dt.time) -> str:
        """«08:00»."""
        return format_time(value, "HH:mm", locale=self._locale)

    def weekdays(self, days: Iterable[int]) -> str:
        """Days of the week (Monday = 0) as «пн–пт» when they run on, else «пн, ср, пт»."""
        ordered = sorted(set(days))
        names = self._locale.days["stand-alone"]["abbreviated"]
        if len(ordered) >= RUN_OF_DAYS and ordered == list(range(ordered[0], ordered[-1] + 1)):
            return f"{names[ordered[0]]}–{names[ordered[-1]]}"
        return ", ".join(names[day] for day in ordered)

    def period(self, period: str) -> str:
        """«2026-11» → «ноябрь 2026»."""
        year, month = (int(part) for part in period.split("-"))
        return _date(dt.date(year, month, 1), "LLLL yyyy", self.language)
