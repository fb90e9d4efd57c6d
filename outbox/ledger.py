"""The sender's ledger: outcomes written in shared transactions (group commit), because one
SQLite writer cannot afford a transaction per message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from core.conflicts import CONFLICT_RETRIES, conflict_pause, is_conflict, is_disconnect
from core.ports import Store
from dialogs.pipeline import UnitOfWork

Write = Callable[[Store], Awaitable[None]]


class Ledger:
    """Writes outcomes in batches: every write waits for the commit that carries it."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self._unit_of_work = unit_of_work
        self._pending: list[tuple[Write, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, op: Write) -> None:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._commit(batch)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _commit(self, batch: list[tuple[Write, asyncio.Future[None]]]) -> None:
        for attempt in range(CONFLICT_RETRIES + 1):
            committing = False
            try:
                async with self._unit_of_work() as store:
                    for op, _ in batch:
                        await op(store)
                    committing = True
                    await store.commit()
                return
            except Exception as exc:
                # Another process's transaction locked the same rows the other way round, or
                # the connection was lost before the commit. Lost during it, the commit may have
                # landed, and outcomes are not all no-ops the second time (a failure counted
                # twice): the rows then wait for their lease instead.
                retry = is_conflict(exc) and not (committing and is_disconnect(exc))
                if not (retry and attempt < CONFLICT_RETRIES):
                    raise
                await conflict_pause(attempt)
