"""Counters of attempts per key and time window, shared by every process: the login guesses of
a login and of an address, the web chat's messages of a session and of an address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from storage.repos._base import Repo
from storage.tables import throttle

# Windows this much older than the one being counted are deleted as the counters are used.
FORGET_AFTER = timedelta(days=1)


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window `now` falls in (windows are aligned to the epoch)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


class ThrottleRepo(Repo):
    async def reserve(self, key: str, limit: int, window: timedelta, now: datetime) -> int | None:
        """Count one attempt for `key` in the window `now` falls in, in one statement that
        refuses above `limit`: the count including this attempt, or None when the window
        already holds `limit` (nothing is counted then). Parallel attempts each take their own
        place, so no more than `limit` pass, whatever the timing."""
        start = window_start(now, window)
        insert = self._insert(throttle).values(key=key, window_start=start, count=1)
        upsert = insert.on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": throttle.c.count + 1},
            where=throttle.c.count < limit,
        ).returning(throttle.c.count)
        counted = (await self._conn.execute(upsert)).scalar_one_or_none()
        return None if counted is None else int(counted)

    async def count(self, key: str, window: timedelta, now: datetime) -> int:
        """Attempts for `key` in the window `now` falls in."""
        query = select(throttle.c.count).where(
            throttle.c.key == key, throttle.c.window_start == window_start(now, window)
        )
        return int((await self._conn.execute(query)).scalar_one_or_none() or 0)

    async def recent(self, key: str, since: datetime) -> int:
        """Attempts for `key` in every window that started at or after `since`."""
        query = select(func.coalesce(func.sum(throttle.c.count), 0)).where(
            throttle.c.key == key, throttle.c.window_start >= since
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def clear(self, key: str) -> None:
        """Forget `key`'s attempts (a supervisor unlocks a login)."""
        await self._conn.execute(throttle.delete().where(throttle.c.key == key))

    async def forget(self, now: datetime) -> None:
        """Delete windows long past."""
        await self._conn.execute(
            throttle.delete().where(throttle.c.window_start < now - FORGET_AFTER)
        )
