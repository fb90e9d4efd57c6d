"""Fixtures shared by every test folder: a real, migrated database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from energobot.exchange import load_demo
from storage.database import Database
from storage.migrate import upgrade
from tests.fakes.graph.fixtures import fake_graph
from tests.fakes.telegram.fixtures import fake_telegram
from tests.fakes.viber.fixtures import fake_viber

__all__ = ["fake_graph", "fake_telegram", "fake_viber"]  # fixtures for every test folder

PG_URL_ENV = "ENERGOBOT_TEST_DATABASE_URL"

# A served app runs the notice scheduler at today's date, which would send the demo accounts
# whatever is due today: tests that want notices run them at a date of their own.
os.environ.setdefault("ENERGOBOT_NOTICES__ENABLED", "false")

# A shared CI machine can be slow: property tests are judged on their results, not their speed.
settings.register_profile("energobot", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "energobot"))


async def fresh_database_url(tmp_path: Path) -> str:
    """SQLite in tmp_path, or the PostgreSQL of ENERGOBOT_TEST_DATABASE_URL with a clean schema."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        return f"sqlite+aiosqlite:///{tmp_path / 'energobot.db'}"
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


async def emptied(url: str) -> bool:
    """PostgreSQL already at the head revision: empty every table (much faster than dropping
    the schema and migrating again for every test). False when it must be migrated. One round
    trip on the driver's own connection: SQLAlchemy's engine and a statement a table cost a
    tenth of a second a test."""
    import asyncpg

    from storage.migrate import head

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        try:
            version = await connection.fetchval("SELECT version_num FROM alembic_version")
        except asyncpg.UndefinedTableError:
            return False
        if version != head():
            return False
        await connection.execute(await _emptying(connection))
        return True
    finally:
        await connection.close()


_EMPTYING: list[str] = []  # the script, written once a session: the head's tables are fixed


async def _emptying(connection: Any) -> str:
    """DELETE from every table, children first (on a few rows cheaper than TRUNCATE's new
    files), and every sequence back at 1 (setval writes no catalog, unlike ALTER SEQUENCE), as
    one script."""
    if not _EMPTYING:
        from storage.tables import metadata

        sequences = await connection.fetch("SELECT sequence_name FROM information_schema.sequences")
        statements = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
        statements += [f"SELECT setval('\"{row[0]}\"', 1, false)" for row in sequences]
        _EMPTYING.append(f"BEGIN; {'; '.join(statements)}; COMMIT")
    return _EMPTYING[0]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the head revision, made once a session: every test that wants a
    migrated SQLite database gets a copy (Alembic's upgrade takes a fifth of a second, the
    copy about a millisecond)."""
    path = tmp_path_factory.mktemp("migrated") / "energobot.db"
    with ThreadPoolExecutor(1) as thread:  # an event loop of its own, outside any test's
        thread.submit(asyncio.run, upgrade(f"sqlite+aiosqlite:///{path}")).result()
    return path


def migrated_copy(template: Path, target: Path) -> str:
    """A copy of the migrated SQLite database at `target`, as a URL."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def database_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        return migrated_copy(migrated_sqlite, tmp_path / "energobot.db")
    if await emptied(url):
        return url
    url = await fresh_database_url(tmp_path)
    await upgrade(url)
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def demo(database: Database) -> Database:
    """The database with the bundled demo data (energobot/demo)."""
    async with database.unit_of_work() as store:
        assert await load_demo(store)
        await store.commit()
    return database
