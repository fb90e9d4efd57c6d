"""Sessions ended before their time (the web chat's «new chat»): kept until their cookies would
have expired anyway, so that every process refuses them. Keys are keyed hashes, never ids."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.repos._base import Repo
from storage.tables import revoked_sessions


class RevokedSessionRepo(Repo):
    async def revoke(self, key: str, until: datetime) -> None:
        """Refuse `key` until `until` (a later `until` wins when revoked twice)."""
        insert = self._insert(revoked_sessions).values(key=key, expires_at=until)
        await self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=["key"],
                set_={"expires_at": until},
                where=revoked_sessions.c.expires_at < until,
            )
        )

    async def revoked(self, key: str, now: datetime) -> bool:
        query = select(revoked_sessions.c.key).where(
            revoked_sessions.c.key == key, revoked_sessions.c.expires_at > now
        )
        return (await self._conn.execute(query)).first() is not None

    async def forget(self, now: datetime) -> None:
        """Delete the ones whose cookies have expired by now."""
        await self._conn.execute(
            revoked_sessions.delete().where(revoked_sessions.c.expires_at <= now)
        )


class SqlRevocations:
    """bots.plugin.Revocations on a Database's units of work."""

    def __init__(self, unit_of_work: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self.unit_of_work = unit_of_work

    async def revoke(self, key: str, until: datetime, now: datetime) -> None:
        async with self.unit_of_work() as store:
            repo = RevokedSessionRepo(store.connection)
            await repo.forget(now)  # revocations are rare: the table stays small
            await repo.revoke(key, until)
            await store.commit()

    async def revoked(self, key: str, now: datetime) -> bool:
        async with self.unit_of_work() as store:
            return await RevokedSessionRepo(store.connection).revoked(key, now)
