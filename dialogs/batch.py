"""Group commit: the turns that arrive together share one transaction.

One SQLite writer (or one PostgreSQL connection) commits a few hundred times a second; a
busy bot gets thousands of events. Each turn runs in its own savepoint, so a turn that fails
undoes only itself; the commit then carries every turn of the batch, and each caller is
answered only after it — nothing is acknowledged before it is durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from core.ports import Store

T = TypeVar("T")
UnitOfWork = Callable[[], AbstractAsyncContextManager[Store]]
Job = Callable[[Store], Awaitable[Any]]


class Batcher(Generic[T]):
    def __init__(self, unit_of_work: UnitOfWork, max_batch: int = 64) -> None:
        self._unit_of_work = unit_of_work
        self._max_batch = max_batch
        self._queue: list[tuple[Job, asyncio.Future[Any]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def run(self, job: Callable[[Store], Awaitable[T]]) -> T:
        """Run `job` in the next batch's transaction; returns once that has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work())
        return await future

    async def _work(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            await self._run_batch(batch)
            await asyncio.sleep(0)  # let the answered callers queue their next events

    async def _run_batch(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            async with self._unit_of_work() as store:
                for job, future in batch:
                    try:
                        async with store.savepoint():
                            outcomes.append((future, await job(store), None))
                    except Exception as exc:
                        outcomes.append((future, None, exc))
                await store.commit()
        except Exception as exc:  # the transaction itself failed: nobody's turn was kept
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result, error in outcomes:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
