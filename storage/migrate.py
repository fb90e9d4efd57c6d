"""Alembic, driven from code: works from any working directory and from an installed package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.database import Database, configure_sqlite, is_sqlite, sqlite_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x656E6572  # an advisory lock key of this application's own ("ener")


def alembic_config(url: str) -> Config:
    """An Alembic Config for `url`, without any alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # In attributes, not in sqlalchemy.url: ConfigParser would choke on a %-escaped password.
    config.attributes["url"] = url
    return config


@cache
def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def is_current(database: Database) -> bool:
    """Whether a running service's database is at the head revision (for /readyz: quiet and
    cheap, on the service's own connection)."""
    try:
        async with database.engine.connect() as connection:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return result.scalar_one_or_none() == head()
    except SQLAlchemyError:
        return False


async def upgrade(url: str) -> None:
    """`alembic upgrade head` on `url`, in one transaction (SQLite included)."""
    engine = _engine(url, create=True)
    config = alembic_config(url)
    try:
        async with engine.begin() as connection:
            # env.py sees the connection and runs on it: no nested event loop.
            await connection.run_sync(_upgrade, config)
    finally:
        await engine.dispose()


async def current(url: str) -> str | None:
    """The database's revision; None for an empty (or missing SQLite) database."""
    parsed = make_url(url)
    if is_sqlite(parsed):
        path = sqlite_file(parsed)
        if path is not None and not path.exists():
            return None
    engine = _engine(url, create=False)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()


async def is_up_to_date(url: str) -> bool:
    return await current(url) == head()


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    if connection.dialect.name == "postgresql":
        # Processes starting together: one migrates, the others then find the schema current.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    command.upgrade(config, "head")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _engine(url: str, *, create: bool) -> AsyncEngine:
    parsed = make_url(url)
    if is_sqlite(parsed):
        path = sqlite_file(parsed)
        if create and path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(parsed, poolclass=NullPool)
    if is_sqlite(parsed):
        # Transactional DDL and a wait for other writers; foreign keys off for batch mode.
        configure_sqlite(engine, pragmas=False)
    return engine
