"""Group commit: turns share a transaction, each in its own savepoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from core.ports import Store
from dialogs.batch import Batcher
from storage.database import Database

NOW = datetime(2026, 11, 27, tzinfo=UTC)


async def test_turns_that_arrive_together_share_one_commit(db: Database) -> None:
    batcher: Batcher[str] = Batcher(db.unit_of_work)
    commits = 0
    original = db.unit_of_work

    def counting():  # type: ignore[no-untyped-def]
        nonlocal commits
        commits += 1
        return original()

    batcher._unit_of_work = counting

    def job(event: str):  # type: ignore[no-untyped-def]
        async def run(store: Store) -> str:
            await store.inbox.add("t", event, {}, NOW)
            return event

        return run

    results = await asyncio.gather(*(batcher.run(job(f"e{i}")) for i in range(20)))
    assert results == [f"e{i}" for i in range(20)]
    assert commits == 1
    async with db.unit_of_work() as store:
        assert not await store.inbox.add("t", "e19", {}, NOW)  # committed


async def test_side_by_side_writers_share_the_queue(db: Database) -> None:
    """With several writers, one batch does not take the whole queue while the others idle:
    its callers would wait for all of it (the latency tail)."""
    batcher: Batcher[int] = Batcher(db.unit_of_work, workers=2)
    sizes: list[int] = []
    run_batch = batcher._run_batch

    async def counting(batch):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        await run_batch(batch)

    batcher._run_batch = counting  # type: ignore[method-assign]

    async def job(store: Store) -> int:
        return 1

    assert sum(await asyncio.gather(*(batcher.run(job) for _ in range(10)))) == 10
    assert sum(sizes) == 10 and max(sizes) <= 5 and len(sizes) >= 2


async def test_a_failing_turn_is_undone_alone_and_its_caller_told(db: Database) -> None:
    batcher: Batcher[None] = Batcher(db.unit_of_work)

    async def good(store: Store) -> None:
        await store.inbox.add("t", "good", {}, NOW)

    async def bad(store: Store) -> None:
        await store.inbox.add("t", "bad", {}, NOW)
        raise ValueError("broken turn")

    outcomes = await asyncio.gather(batcher.run(good), batcher.run(bad), return_exceptions=True)
    assert outcomes[0] is None and isinstance(outcomes[1], ValueError)
    async with db.unit_of_work() as store:
        assert not await store.inbox.add("t", "good", {}, NOW)
        assert await store.inbox.add("t", "bad", {}, NOW)


async def test_a_failed_commit_fails_every_caller() -> None:
    class Broken:
        async def __aenter__(self) -> Store:
            raise ConnectionError("database gone")

        async def __aexit__(self, *exc: object) -> None:
            return None

    batcher: Batcher[None] = Batcher(lambda: Broken())  # type: ignore[arg-type, return-value]

    async def job(store: Store) -> None:
        return None

    with pytest.raises(ConnectionError):
        await batcher.run(job)


class Deadlock(Exception):
    """What a driver raises when PostgreSQL chose this transaction as a deadlock's victim."""

    sqlstate = "40P01"


async def test_a_batch_that_lost_a_race_runs_again_and_keeps_everything_once(
    db: Database,
) -> None:
    batcher: Batcher[str] = Batcher(db.unit_of_work)
    tries: list[str] = []

    def job(event: str, conflicts: int):  # type: ignore[no-untyped-def]
        async def run(store: Store) -> str:
            tries.append(event)
            await store.inbox.add("t", event, {}, NOW)
            if tries.count(event) <= conflicts:
                raise RuntimeError("statement failed") from Deadlock("deadlock detected")
            return event

        return run

    results = await asyncio.gather(batcher.run(job("a", 0)), batcher.run(job("b", 2)))
    assert results == ["a", "b"]
    assert tries.count("b") == 3  # two conflicts, then the whole batch went through
    async with db.unit_of_work() as store:
        for event in ("a", "b"):
            assert not await store.inbox.add("t", event, {}, NOW)  # each stored once


async def test_a_batch_runs_its_turns_in_key_order(db: Database) -> None:
    batcher: Batcher[str] = Batcher(db.unit_of_work)
    order: list[str] = []

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run(store: Store) -> str:
            order.append(name)
            return name

        return run

    keys = ["tg:9", "tg:1", "tg:5", "tg:1"]
    names = ["nine", "one", "five", "one again"]
    await asyncio.gather(*(batcher.run(job(n), k) for n, k in zip(names, keys, strict=True)))
    # Sorted by key, and a key's turns keep their arrival order.
    assert order == ["one", "one again", "five", "nine"]


async def test_a_batch_whose_connection_was_dropped_runs_again(db: Database) -> None:
    """The database restarted (PostgreSQL: the server ended every session): the pool has no
    pre-ping, so the next batch finds a dead connection; it runs again on a new one."""
    async with db.unit_of_work() as store:
        await store.inbox.add("t", "before", {}, NOW)
        await store.commit()
    if db.dialect == "postgresql":
        admin = create_async_engine(db.url, poolclass=NullPool)
        try:
            async with admin.connect() as connection:
                ended = await connection.exec_driver_sql(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert ended.scalar_one() >= 1  # the pooled connection of the first batch
        finally:
            await admin.dispose()
    batcher: Batcher[bool] = Batcher(db.unit_of_work)

    async def after(store: Store) -> bool:
        return await store.inbox.add("t", "after", {}, NOW)

    assert await batcher.run(after)
    async with db.unit_of_work() as store:
        assert not await store.inbox.add("t", "after", {}, NOW)  # committed once


def test_a_dropped_connection_counts_as_retryable() -> None:
    from core.conflicts import is_conflict

    class Invalidated(Exception):
        connection_invalidated = True

    assert not is_conflict(RuntimeError("wrapped"))
    try:
        raise RuntimeError("statement failed") from Invalidated()
    except RuntimeError as exc:
        assert is_conflict(exc)


def test_conflicts_are_found_through_the_chain_of_causes() -> None:
    from core.conflicts import is_conflict

    class Wrapped(Exception):
        def __init__(self, orig: BaseException) -> None:
            super().__init__("wrapped")
            self.orig = orig

    class Serialization(Exception):
        sqlstate = "40001"

    assert is_conflict(Wrapped(Deadlock()))
    assert is_conflict(Wrapped(Serialization()))
    try:
        try:
            raise Deadlock
        except Deadlock:
            raise ValueError("during handling") from None
    except ValueError as exc:
        assert not is_conflict(exc)  # `from None` hides the cause on purpose
    unique = type("Unique", (Exception,), {"sqlstate": "23505"})
    assert not is_conflict(Wrapped(unique())) and not is_conflict(None)
