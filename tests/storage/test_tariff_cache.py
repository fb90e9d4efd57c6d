"""Tariff rows kept between turns: a committed import is read at once, another process's
within the cache's period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from core.accounts import Category
from core.meters import Scheme, Zone
from core.ports import Store
from core.tariffs import TariffRow
from storage.database import Database
from storage.repos.tariff_cache import TariffCache

ROW = TariffRow(
    Category.URBAN_GAS, Scheme.SINGLE, Zone.DAY, 1, Decimal(0), None, Decimal("6.56"),
    date(2026, 1, 1), None,
)  # fmt: skip


async def prices(db: Database) -> list[Decimal]:
    async with db.unit_of_work() as store:
        return [row.price for row in await store.tariffs.of(Category.URBAN_GAS, Scheme.SINGLE)]


async def test_an_import_is_priced_from_its_commit_on(db: Database) -> None:
    async with db.unit_of_work() as store:
        await store.tariffs.upsert([ROW])
        await store.commit()
    assert await prices(db) == [Decimal("6.56")]
    async with db.unit_of_work() as store:
        await store.tariffs.upsert([replace(ROW, price=Decimal("7.01"))])
        assert await prices_in(store) == [Decimal("7.01")]  # its own transaction sees it
    assert await prices(db) == [Decimal("6.56")]  # rolled back: the cache still holds
    async with db.unit_of_work() as store:
        await store.tariffs.upsert([replace(ROW, price=Decimal("7.01"))])
        await store.commit()
    assert await prices(db) == [Decimal("7.01")]


async def prices_in(store: Store) -> list[Decimal]:
    return [row.price for row in await store.tariffs.of(Category.URBAN_GAS, Scheme.SINGLE)]


async def test_another_processs_import_is_seen_within_the_period(db: Database) -> None:
    async with db.unit_of_work() as store:
        await store.tariffs.upsert([ROW])
        await store.commit()
    now = [0.0]
    db.tariffs = TariffCache(60, clock=lambda: now[0])
    assert await prices(db) == [Decimal("6.56")]
    other = Database(db.url)  # another process: its own cache
    try:
        async with other.unit_of_work() as store:
            await store.tariffs.upsert([replace(ROW, price=Decimal("7.01"))])
            await store.commit()
    finally:
        await other.dispose()
    now[0] = 59.0
    assert await prices(db) == [Decimal("6.56")]
    now[0] = 60.0
    assert await prices(db) == [Decimal("7.01")]
