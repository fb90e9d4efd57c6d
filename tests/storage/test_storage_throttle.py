"""The shared attempt counters: one statement reserves a place or refuses, so parallel attempts
(other connections, other processes) never get past the limit together."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from storage.database import Database

MINUTE = timedelta(minutes=1)


async def reserve(db: Database, key: str, limit: int, now: datetime) -> int | None:
    async with db.unit_of_work() as store:
        counted = await store.throttle.reserve(key, limit, MINUTE, now)
        await store.commit()
    return counted


async def test_places_are_counted_up_to_the_limit_then_refused(db: Database, now: datetime) -> None:
    assert [await reserve(db, "login:anna", 3, now) for _ in range(5)] == [1, 2, 3, None, None]
    async with db.unit_of_work() as store:
        assert await store.throttle.count("login:anna", MINUTE, now) == 3
        assert await store.throttle.count("login:boris", MINUTE, now) == 0


async def test_a_new_window_starts_from_nothing_and_recent_adds_windows(
    db: Database, now: datetime
) -> None:
    for _ in range(3):
        await reserve(db, "addr:10.0.0.1", 3, now)
    later = now + MINUTE
    assert await reserve(db, "addr:10.0.0.1", 3, later) == 1
    async with db.unit_of_work() as store:
        assert await store.throttle.recent("addr:10.0.0.1", now - MINUTE) == 4
        await store.throttle.clear("addr:10.0.0.1")
        assert await store.throttle.recent("addr:10.0.0.1", now - MINUTE) == 0
        await store.throttle.forget(now + timedelta(days=2))
        await store.commit()


async def test_parallel_attempts_never_pass_the_limit_together(db: Database, now: datetime) -> None:
    """Sixty guesses at once on separate transactions: five places, whatever the timing."""
    results = await asyncio.gather(*(reserve(db, "login:anna", 5, now) for _ in range(60)))
    assert sorted(r for r in results if r is not None) == [1, 2, 3, 4, 5]
    assert results.count(None) == 55
