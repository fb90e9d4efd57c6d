"""Tariff rows kept in the process between turns: they change once or twice a year, by an import.

Every bill estimate, balance and restriction check prices with the rows of one category and
scheme; reading them per turn was a statement and a dozen objects a turn. An import through
this process empties it when it commits; another process's import is seen within `seconds`
(rows carry their validity dates, so a tariff taking effect tomorrow is priced right either way).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.accounts import Category
from core.meters import Scheme
from core.tariffs import TariffRow

DEFAULT_SECONDS = 60.0


class TariffCache:
    def __init__(
        self, seconds: float = DEFAULT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._rows: dict[tuple[Category, Scheme], tuple[float, tuple[TariffRow, ...]]] = {}

    def get(self, category: Category, scheme: Scheme) -> tuple[TariffRow, ...] | None:
        kept = self._rows.get((category, scheme))
        if kept is None or self._clock() - kept[0] >= self.seconds:
            return None
        return kept[1]

    def put(self, category: Category, scheme: Scheme, rows: tuple[TariffRow, ...]) -> None:
        self._rows[(category, scheme)] = (self._clock(), rows)

    def clear(self) -> None:
        self._rows.clear()
