"""Tariff rows, imported from the regional regulator's decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.accounts import Category
from core.meters import Scheme, Zone
from core.tariffs import TariffRow
from storage.repos._base import Repo
from storage.repos.tariff_cache import TariffCache
from storage.tables import tariffs

_KEY = ("category", "scheme", "zone", "range", "valid_from")


class TariffRepo(Repo):
    def __init__(self, connection: AsyncConnection, cache: TariffCache | None = None) -> None:
        super().__init__(connection)
        self._cache = cache
        self.changed = False

    def committed(self) -> None:
        """After a commit: rows this transaction wrote are what the next turn must read (a turn
        that read the old rows meanwhile may have put them back in the cache)."""
        if self.changed and self._cache is not None:
            self._cache.clear()
        self.changed = False

    async def all(self) -> list[TariffRow]:
        result = await self._conn.execute(
            select(tariffs).order_by(
                tariffs.c.category,
                tariffs.c.scheme,
                tariffs.c.valid_from,
                tariffs.c.zone,
                tariffs.c.range,
            )
        )
        return [_tariff(row) for row in result.mappings()]

    async def of(self, category: Category, scheme: Scheme) -> list[TariffRow]:
        category, scheme = Category(category), Scheme(scheme)
        cache = None if self.changed else self._cache  # this transaction's own import: as read
        if cache is not None and (kept := cache.get(category, scheme)) is not None:
            return list(kept)
        found = await self._rows(
            "tariffs.of",
            lambda: (
                select(tariffs)
                .where(
                    tariffs.c.category == bindparam("category"),
                    tariffs.c.scheme == bindparam("scheme"),
                )
                .order_by(tariffs.c.valid_from, tariffs.c.zone, tariffs.c.range)
            ),
            {"category": category.value, "scheme": scheme.value},
        )
        rows = [_tariff(row) for row in found]
        if cache is not None:
            cache.put(category, scheme, tuple(rows))
        return rows

    async def upsert(self, rows: Sequence[TariffRow]) -> tuple[int, int]:
        self.changed = True  # the cache is emptied when this transaction commits
        return await self._upsert_keyed(tariffs, _KEY, (_tariff_row(row) for row in rows))


def _tariff(row: Any) -> TariffRow:
    return TariffRow(
        category=Category(row["category"]),
        scheme=Scheme(row["scheme"]),
        zone=Zone(row["zone"]),
        range=row["range"],
        range_from_kwh=row["range_from_kwh"],
        range_to_kwh=row["range_to_kwh"],
        price=row["price"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
    )


def _tariff_row(row: TariffRow) -> dict[str, Any]:
    return {
        "category": Category(row.category).value,
        "scheme": Scheme(row.scheme).value,
        "zone": Zone(row.zone).value,
        "range": row.range,
        "range_from_kwh": row.range_from_kwh,
        "range_to_kwh": row.range_to_kwh,
        "price": row.price,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
    }
