"""The unit of work: commit, rollback, no nesting, one writer on SQLite, ping."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.conversations import Conversation, Customer
from core.ports import Store
from storage.database import Database
from storage.tables import audit


async def _actions(db: Database) -> list[str]:
    async with db.unit_of_work() as store:
        result = await store.connection.execute(select(audit.c.action).order_by(audit.c.id))
        return list(result.scalars())


async def test_commit_keeps_the_work(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        await store.audit.record("system", "kept", now)
        await store.commit()
    assert await _actions(db) == ["kept"]


async def test_leaving_without_commit_rolls_back(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        await store.audit.record("system", "forgotten", now)
    assert await _actions(db) == []


async def test_an_exception_rolls_back(db: Database, now: datetime) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.unit_of_work() as store:
            await store.audit.record("system", "failed", now)
            _ = 1 / 0
    assert await _actions(db) == []


async def test_explicit_rollback_then_more_work(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        await store.audit.record("system", "undone", now)
        await store.rollback()
        await store.audit.record("system", "redone", now)
        await store.commit()
    assert await _actions(db) == ["redone"]


async def test_work_after_commit_needs_its_own_commit(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        await store.audit.record("system", "first", now)
        await store.commit()
        await store.audit.record("system", "second", now)
    assert await _actions(db) == ["first"]


async def test_nesting_is_refused(db: Database) -> None:
    async with db.unit_of_work():
        with pytest.raises(RuntimeError, match="already open"):
            async with db.unit_of_work():
                pass


async def test_other_tasks_may_open_their_own(db: Database, now: datetime) -> None:
    """The nesting guard is per task: a task started inside a unit of work is not refused."""

    async def record(action: str) -> None:
        async with db.unit_of_work() as store:
            await store.audit.record("system", action, now)
            await store.commit()

    async with db.unit_of_work() as store:
        task = asyncio.create_task(record("child"))
        await store.audit.record("system", "parent", now)
        await store.commit()
    await task
    assert sorted(await _actions(db)) == ["child", "parent"]


async def test_sqlite_settings(db: Database) -> None:
    async with db.unit_of_work() as store:
        if db.dialect == "sqlite":
            pragmas = {}
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
                result = await store.connection.exec_driver_sql(f"PRAGMA {name}")
                pragmas[name] = result.scalar()
            assert pragmas == {
                "journal_mode": "wal",
                "foreign_keys": 1,
                # The inline driver waits for the write lock itself, yielding to the event
                # loop (see test_two_databases_on_one_file_wait_for_each_other).
                "busy_timeout": 0,
                "synchronous": 1,  # NORMAL
            }
            assert db.engine.pool.size() == 1
        else:
            assert db.engine.pool.size() == 4
            result = await store.connection.exec_driver_sql("SELECT 1")
            assert result.scalar() == 1


async def test_sqlite_foreign_keys_are_enforced(db: Database, now: datetime) -> None:
    from sqlalchemy.exc import IntegrityError

    async with db.unit_of_work() as store:
        with pytest.raises(IntegrityError):
            await store.consents.record(999_999, "v1", "telegram", now)


async def test_two_databases_on_one_file_wait_for_each_other(
    database_url: str, customer: Customer, now: datetime
) -> None:
    """Like a server and the terminal chat: read-then-write transactions of two engines do
    not fail with "database is locked"; the second waits (BEGIN IMMEDIATE + busy_timeout,
    or row locks on PostgreSQL) and sees the first one's write."""
    first, second = Database(database_url), Database(database_url)
    first_holds = asyncio.Event()
    try:

        async def writer_one() -> None:
            async with first.unit_of_work() as store:
                conversation = await store.conversations.get_for_update(customer, now)
                conversation.version += 1
                await store.conversations.save(conversation)
                first_holds.set()
                await asyncio.sleep(0.3)
                await store.commit()

        async def writer_two() -> int:
            await first_holds.wait()
            async with second.unit_of_work() as store:
                conversation = await store.conversations.get_for_update(customer, now)
                conversation.version += 1
                await store.conversations.save(conversation)
                await store.commit()
                return conversation.version

        _, version = await asyncio.gather(writer_one(), writer_two())
    finally:
        await first.dispose()
        await second.dispose()
    assert version == 2


@pytest.mark.parametrize("way", ["get_for_update", "open", "open_with_event"])
async def test_one_connection_serialises_tasks_on_sqlite_and_locks_rows_on_postgres(
    db: Database, customer: Customer, now: datetime, way: str
) -> None:
    """Concurrent handlers of one conversation never both see the same version, whether they
    lock it by the customer or open it with the customer in one statement."""
    if way != "get_for_update":  # open() finds a conversation, never creates one
        async with db.unit_of_work() as store:
            await store.conversations.get_for_update(customer, now)
            await store.commit()

    async def lock(store: Store) -> Conversation:
        if way == "get_for_update":
            return await store.conversations.get_for_update(customer, now)
        if way == "open":
            opened = await store.conversations.open(customer.channel, customer.user_id)
            assert opened is not None
            return opened[1]
        found = await store.conversations.open_with_event(
            customer.channel, customer.user_id, f"e{next(events)}", {"text": "x"}, now
        )
        if found is None:  # held by another (PostgreSQL): the way that waits, as a turn takes
            opened = await store.conversations.open(customer.channel, customer.user_id)
            assert opened is not None
            return opened[1]
        assert found[2]
        return found[1]

    events = itertools.count()

    async def bump() -> int:
        async with db.unit_of_work() as store:
            conversation = await lock(store)
            await asyncio.sleep(0.05)
            conversation.version += 1
            await store.conversations.save(conversation)
            await store.commit()
            return conversation.version

    versions = await asyncio.gather(*(bump() for _ in range(4)))
    assert sorted(versions) == [1, 2, 3, 4]


async def test_ping(db: Database, tmp_path: Path) -> None:
    assert await db.ping()
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}")  # a directory, not a file
    try:
        assert not await broken.ping()
    finally:
        await broken.dispose()


async def test_in_memory_sqlite_keeps_one_database() -> None:
    from storage.tables import metadata

    memory = Database("sqlite+aiosqlite:///:memory:")
    try:
        async with memory.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

        async def record(action: str) -> None:
            async with memory.unit_of_work() as store:
                await store.audit.record("system", action, datetime.now().astimezone())
                await asyncio.sleep(0.01)
                await store.commit()

        # Concurrent tasks queue for the one connection instead of sharing it mid-transaction.
        await asyncio.gather(*(record(f"task {n}") for n in range(3)))
        assert sorted(await _actions(memory)) == ["task 0", "task 1", "task 2"]
    finally:
        await memory.dispose()
