"""A migrated database per test: a copy of the session's migrated SQLite in tmp_path, or the
PostgreSQL of ENERGOBOT_TEST_DATABASE_URL with every table emptied (its schema public dropped,
recreated and migrated when it is not at the head revision)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from core.accounts import Account, Category
from core.conversations import Customer
from storage.database import Database
from storage.migrate import upgrade
from tests.conftest import emptied, migrated_copy

TEST_URL_VARIABLE = "ENERGOBOT_TEST_DATABASE_URL"
NOW = datetime(2025, 3, 24, 9, 30, tzinfo=UTC)


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_database_url(tmp_path: Any) -> str:
    """A database without any table."""
    url = os.environ.get(TEST_URL_VARIABLE)
    if url:
        if not url.startswith("postgresql+asyncpg://"):
            raise pytest.UsageError(f"{TEST_URL_VARIABLE} must be a postgresql+asyncpg:// URL")
        await reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'energobot.db'}"


@pytest.fixture
async def database_url(tmp_path: Any, migrated_sqlite: Path) -> str:
    """A database at the head revision with no rows."""
    url = os.environ.get(TEST_URL_VARIABLE)
    if not url:
        return migrated_copy(migrated_sqlite, tmp_path / "var" / "energobot.db")
    if await emptied(url):
        return url
    await reset_postgres(url)
    await upgrade(url)
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=4)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def now() -> datetime:
    return NOW


def make_account(number: str = "5900123456", **changes: Any) -> Account:
    fields: dict[str, Any] = {
        "number": number,
        "surname": "Иванова",
        "first_name": "Мария",
        "patronymic": "Петровна",
        "address": "г. Пермь, ул. Ленина, д. 1, кв. 2",
        "category": Category.URBAN_GAS,
        "phone": "+79120000001",
        "email": None,
        "large_family": False,
        "balance": Decimal("12345.67"),
        "due_date": date(2025, 4, 10),
    }
    fields.update(changes)
    return Account(**fields)


@pytest.fixture
def account_factory() -> Callable[..., Account]:
    return make_account


@pytest.fixture
async def customer(db: Database, now: datetime) -> Customer:
    async with db.unit_of_work() as store:
        made = await store.customers.get_or_create("telegram", "1001", "Maria", "ru", now)
        await store.commit()
    return made


@pytest.fixture
async def account(db: Database) -> Account:
    made = make_account()
    async with db.unit_of_work() as store:
        await store.accounts.upsert([made])
        await store.commit()
    return made
