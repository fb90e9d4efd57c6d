"""SQLite without a thread hop: the aiosqlite interface SQLAlchemy's dialect expects, with
every call run inline on the event loop's thread.

aiosqlite sends each statement to its own thread and back — two context switches per
statement, which cost far more than SQLite's own work (tens of microseconds in WAL mode) and
made a dialog turn of ~15 statements take milliseconds on a busy machine. SQLite is an
in-process library, so calling it directly is the cheaper kind of blocking.

The one wait that must not block is for another connection's write lock (a server and
`energobot chat` on one file): SQLite's own busy_timeout would stop the event loop, and with
it the very task that is to release the lock. So the connection's busy_timeout is 0 and
BEGIN is retried here, sleeping on the event loop between tries, for up to `lock_wait`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import URL


class InlineCursor:
    __slots__ = ("_cursor", "_lock_wait")

    def __init__(self, cursor: sqlite3.Cursor, lock_wait: float) -> None:
        self._cursor = cursor
        self._lock_wait = lock_wait

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        if sql.startswith("BEGIN"):
            await self._begin(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def _begin(self, sql: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_wait
        delay = 0.001
        while True:
            try:
                self._cursor.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or loop.time() >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's request queue: the dialect puts (future, function) on it."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection, lock_wait: float) -> None:
        self._conn = connection
        self._lock_wait = lock_wait
        self._connection: sqlite3.Connection | None = connection  # the dialect checks it
        self._tx = _RunNow()

    @property
    def raw(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (storage.direct runs the turns' statements on it)."""
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor(), self._lock_wait)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def inline_creator(url: URL, lock_wait: float) -> Callable[[], Any]:
    """An `async_creator` for create_async_engine: the URL's database, opened inline."""
    database = url.database or ":memory:"
    uri = database.startswith("file:")

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            database, uri=uri, check_same_thread=False, isolation_level=None
        )
        return InlineConnection(connection, lock_wait)

    return connect
