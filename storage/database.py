"""The engine and the unit of work.

SQLite (the embedded default) gets one pooled connection: a single writer. Several
connections fighting for SQLite's write lock gave a p99 of 1-2 s, one gave 35 ms. Every
transaction starts with BEGIN IMMEDIATE, so a second process on the same file (a server and
the terminal chat) waits up to busy_timeout for the write lock instead of failing with
"database is locked" half-way through a transaction.

PostgreSQL gets a pool of `pool_size` connections and row locks where it matters.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.repos.tariff_cache import TariffCache
from storage.sqlite_inline import InlineConnection, inline_creator
from storage.store import SqlStore
from storage.types import dumps_json

SQLITE_BUSY_TIMEOUT_MS = 5000
PING_TIMEOUT_SECONDS = 5.0

# The task that holds a unit of work, per Database: nesting is refused instead of deadlocking.
_Holder = ContextVar[asyncio.Task[Any] | None]


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def configure_sqlite(engine: AsyncEngine, *, pragmas: bool = True) -> None:
    """Take transaction control from the driver and begin every transaction IMMEDIATE.

    The SQLAlchemy pysqlite recipe, applied through engine.sync_engine for aiosqlite. With
    pragmas=False only the transaction handling is set (migrations want foreign keys off).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's implicit BEGIN would be DEFERRED and skip DDL; "begin" below replaces it.
        dbapi_connection.isolation_level = None
        if not pragmas:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Inline connections wait for the write lock themselves, without blocking.
            inline = isinstance(getattr(dbapi_connection, "_connection", None), InlineConnection)
            cursor.execute(f"PRAGMA busy_timeout={0 if inline else SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database: `unit_of_work()` hands out a SqlStore bound to one transaction.

    A task must never open a unit of work while it holds one: on SQLite the inner one would
    wait forever for the single connection, on PostgreSQL it would be a second, independent
    transaction that cannot see the outer one's writes. Nesting raises RuntimeError.
    """

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        self.tariffs = TariffCache()  # rows read between turns (see storage.repos.tariff_cache)
        self._holder: _Holder = ContextVar(f"energobot_uow_{id(self)}", default=None)
        options: dict[str, Any] = {"echo": echo, "json_serializer": dumps_json}
        if is_sqlite(self.url):
            path = sqlite_file(self.url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            # One connection, queued for (also for :memory:, where it is the whole database).
            options.update(
                poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0, pool_timeout=60
            )
            options["async_creator"] = inline_creator(self.url, SQLITE_BUSY_TIMEOUT_MS / 1000)
            self.engine = create_async_engine(self.url, **options)
            configure_sqlite(self.engine)
        else:
            # pool_size is the cap: N processes x pool_size is what PostgreSQL has to allow.
            # No pre-ping (three round trips per checkout): a dropped connection shows on use,
            # the pool is renewed and the batch runs again (core.conflicts).
            options.update(pool_size=pool_size, max_overflow=0)
            self.engine = create_async_engine(self.url, **options)
        # Transactions that may write at once: SQLite has one writer; on PostgreSQL turns wait
        # mostly for round trips, so several group commits run side by side, leaving
        # connections for the sender, the console and the readiness check.
        self.writers = 1 if is_sqlite(self.url) else max(1, pool_size - 3)
        # SQLite's one connection in the order it was asked for: the pool's queue hands a
        # connection just given back to whoever asks next, even past those waiting, and a turn
        # could wait seconds behind a broadcast's many short transactions (bench/notices.py).
        self._turns = asyncio.Lock() if is_sqlite(self.url) else contextlib.nullcontext()

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[SqlStore]:
        """A transaction: `await store.commit()` to keep its work; otherwise it is rolled back.

        After commit the store may be used again; that starts a new transaction, which again
        needs a commit.
        """
        task = asyncio.current_task()
        if task is not None and self._holder.get() is task:
            raise RuntimeError("a unit of work is already open in this task; do not nest them")
        token = self._holder.set(task)
        try:
            async with self._turns, self.engine.connect() as connection:
                await connection.begin()
                try:
                    yield SqlStore(connection, self.tariffs)
                finally:
                    if connection.in_transaction():
                        await connection.rollback()
        finally:
            self._holder.reset(token)

    async def ping(self) -> bool:
        """Whether the database answers within PING_TIMEOUT_SECONDS (for /readyz)."""
        try:
            async with (
                asyncio.timeout(PING_TIMEOUT_SECONDS),
                self._turns,
                self.engine.connect() as connection,
            ):
                await connection.exec_driver_sql("SELECT 1")
                await connection.rollback()
        except Exception:
            return False
        return True
