"""Group commit: turns share a transaction, each in its own savepoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

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
