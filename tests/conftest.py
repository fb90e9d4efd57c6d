"""Fixtures shared by every test folder: a real, migrated database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

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


async def _emptied(url: str) -> bool:
    """PostgreSQL already at the head revision: empty every table (much faster than dropping
    the schema and migrating again for every test). False when it must be migrated."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import head
    from storage.tables import metadata

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            try:
                version = (
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar()
            except ProgrammingError:
                return False
            if version != head():
                return False
            # DELETE, children first: on a few rows cheaper than TRUNCATE's new files.
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())
            sequences = await conn.execute(
                text("SELECT sequence_name FROM information_schema.sequences")
            )
            for (name,) in sequences.all():
                await conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
            return True
    finally:
        await engine.dispose()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = os.environ.get(PG_URL_ENV)
    if url and await _emptied(url):
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
