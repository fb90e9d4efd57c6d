"""The statements every turn runs, executed by the driver without SQLAlchemy's execution layer.

SQLAlchemy compiles each statement once per dialect: its SQL, the order of its parameters and
how each parameter and result column is converted (exact decimals, aware UTC datetimes, JSON).
The statement then runs on the unit of work's own connection, inside its transaction, straight
through asyncpg or sqlite3. What that skips — the hop into SQLAlchemy's synchronous core, its
cursor adapter, its result objects — cost more than the driver itself: about 165 µs of CPU a
statement on PostgreSQL where asyncpg alone takes 60 µs, and a turn runs 4 to 11 of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from storage.sqlite_inline import InlineConnection

Row = dict[str, Any]
Processor = Callable[[Any], Any] | None


class ConnectionLost(Exception):
    """The connection died under a statement run here. The pool is renewed as SQLAlchemy
    renews it for its own disconnects, and core.conflicts runs the batch again."""

    connection_invalidated = True


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str | None  # the caller's key; None for a value the statement itself holds
    fixed: Any
    process: Processor


@dataclass(slots=True)
class Compiled:
    sql: str
    parameters: tuple[_Parameter, ...]
    keys: tuple[str, ...]  # the result columns, in order
    types: tuple[TypeEngine[Any], ...]  # theirs, for the result processors
    # The result columns that need converting, known after the first run: on PostgreSQL the
    # conversions depend on the types the server reports.
    results: tuple[tuple[str, Callable[[Any], Any]], ...] | None = None

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for parameter in self.parameters:
            if parameter.name is None:
                out.append(parameter.fixed)
                continue
            value = values[parameter.name]
            process = parameter.process
            out.append(value if process is None or value is None else process(value))
        return tuple(out)

    def rows(self, records: Sequence[Sequence[Any]]) -> list[Row]:
        assert self.results is not None
        keys = self.keys
        rows = [dict(zip(keys, record, strict=True)) for record in records]
        for key, process in self.results:
            for row in rows:
                if (value := row[key]) is not None:
                    row[key] = process(value)
        return rows

    def convert(self, processors: Sequence[Processor]) -> None:
        self.results = tuple(
            (key, process)
            for key, process in zip(self.keys, processors, strict=True)
            if process is not None
        )


def compile_statement(
    statement: ClauseElement, dialect: Dialect, keys: Sequence[str], many: bool
) -> Compiled:
    """The statement as the driver runs it. `keys`: the parameters the caller gives (an INSERT
    without values takes its columns from them, as SQLAlchemy's execution does)."""
    compiled = statement.compile(
        dialect=dialect,
        column_keys=list(keys),
        for_executemany=many,
    )
    assert isinstance(compiled, SQLCompiler)
    if compiled.update_prefetch or compiled.literal_execute_params:
        raise ValueError("a column's onupdate or a literal_execute parameter is not filled in here")
    processors = compiled._bind_processors
    defaults: dict[str, Any] = {}
    for column in compiled.insert_prefetch:
        assert isinstance(column, Column)
        default = column.default
        if default is None or not default.is_scalar:
            raise ValueError(f"{column.key}: only a column's scalar default is filled in here")
        defaults[column.key] = default.arg  # type: ignore[attr-defined]
    statement_values = compiled.construct_params(_check=False)
    parameters = []
    for name in compiled.positiontup or ():
        if compiled.binds[name].expanding:  # its SQL depends on how many values it is given
            raise ValueError(f"{name}: an IN (...) is not compiled once; spell it out with OR")
        process = processors.get(name)
        assert process is None or callable(process)  # a sequence only for tuple types
        if name in keys:
            parameters.append(_Parameter(name, None, process))
            continue
        fixed = defaults[name] if name in defaults else statement_values[name]
        parameters.append(_Parameter(None, process(fixed) if process else fixed, None))
    columns = compiled._result_columns
    return Compiled(
        sql=compiled.string,
        parameters=tuple(parameters),
        keys=tuple(column.keyname for column in columns),
        types=tuple(column.type for column in columns),
    )


async def run(
    connection: AsyncConnection, compiled: Compiled, values: Sequence[Mapping[str, Any]], many: bool
) -> tuple[list[Row], int]:
    """Run on the connection's driver: (rows, rowcount; -1 for executemany on PostgreSQL)."""
    if not connection.in_transaction():  # the store used again after a commit or rollback
        await connection.begin()
    sync = connection.sync_connection
    assert sync is not None  # an established connection
    adapted: Any = sync.connection.dbapi_connection
    arguments = [compiled.arguments(v) for v in values] if many else compiled.arguments(values[0])
    if sync._has_events or sync.engine._has_events:  # what counts statements sees these too
        for listener in sync.dispatch.before_cursor_execute:
            listener(sync, None, compiled.sql, arguments, None, many)
    driver = adapted._connection
    if isinstance(driver, InlineConnection):
        return _run_sqlite(connection.dialect, driver.raw, compiled, arguments, many)
    try:
        async with adapted._execute_mutex:  # as SQLAlchemy's cursor: one operation at a time
            return await _run_asyncpg(
                connection.dialect, adapted, driver, compiled, arguments, many
            )
    except Exception as exc:
        if not driver.is_closed():
            raise
        await connection.run_sync(_invalidate, exc)
        raise ConnectionLost(f"the connection was lost: {exc}") from exc


def _run_sqlite(
    dialect: Dialect,
    raw: sqlite3.Connection,
    compiled: Compiled,
    arguments: Any,
    many: bool,
) -> tuple[list[Row], int]:
    if compiled.results is None:
        compiled.convert([t._cached_result_processor(dialect, None) for t in compiled.types])
    if many:
        cursor = raw.executemany(compiled.sql, arguments)
    else:
        cursor = raw.execute(compiled.sql, arguments)
    try:
        return compiled.rows(cursor.fetchall()) if compiled.keys else [], cursor.rowcount
    finally:
        cursor.close()


async def _run_asyncpg(
    dialect: Dialect,
    adapted: Any,
    driver: Any,
    compiled: Compiled,
    arguments: Any,
    many: bool,
) -> tuple[list[Row], int]:
    if adapted._transaction is None:  # SQLAlchemy begins lazily, at the first statement
        await adapted._start_transaction()
    if compiled.results is None:
        prepared = await driver.prepare(compiled.sql)
        oids = [attribute.type.oid for attribute in prepared.get_attributes()]
        compiled.convert(
            [
                t._cached_result_processor(dialect, oid)
                for t, oid in zip(compiled.types, oids, strict=True)
            ]
        )
    if many:
        await driver.executemany(compiled.sql, arguments)
        return [], -1
    if compiled.keys:
        records = await driver.fetch(compiled.sql, *arguments)
        return compiled.rows(records), len(records)
    status: str = await driver.execute(compiled.sql, *arguments)
    count = status.rpartition(" ")[2]  # "UPDATE 3", "INSERT 0 1"
    return [], int(count) if count.isdigit() else -1


def _invalidate(connection: Connection, exc: BaseException) -> None:
    """What SQLAlchemy does on a disconnect: every pooled connection of that generation is
    replaced on its next checkout, this one now."""
    wrapper = connection.connection
    connection.engine.pool._invalidate(wrapper, exc)
    connection.invalidate(exc)
