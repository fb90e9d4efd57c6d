"""Group commit: the turns that arrive together share one transaction.

One SQLite writer (or one PostgreSQL connection) commits a few hundred times a second; a
busy bot gets thousands of events. Each turn runs in its own savepoint, so a turn that fails
undoes only itself; the commit then carries every turn of the batch, and each caller is
answered only after it — nothing is acknowledged before it is durable. Turns are only
database work and in-memory computation, so running a batch again is safe.
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
        try:
            outcomes = await self._attempt(batch, careful=False)
        except _TurnFailed:
            # Some turn failed: start over with a savepoint around each, so only it is undone.
            outcomes = None
        except Exception as exc:
            self._fail(batch, exc)
            return
        if outcomes is None:
            try:
                outcomes = await self._attempt(batch, careful=True)
            except Exception as exc:
                self._fail(batch, exc)
                return
        for (_, future), (result, error) in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    async def _attempt(
        self, batch: list[tuple[Job, asyncio.Future[Any]]], *, careful: bool
    ) -> list[tuple[Any, BaseException | None]]:
        """Every turn in one transaction. Optimistic first (no savepoints: two statements a
        turn saved); careful when a turn failed, each in its own savepoint."""
        outcomes: list[tuple[Any, BaseException | None]] = []
        async with self._unit_of_work() as store:
            for job, _ in batch:
                if not careful:
                    try:
                        outcomes.append((await job(store), None))
                    except Exception as exc:
                        raise _TurnFailed from exc
                    continue
                try:
                    async with store.savepoint():
                        outcomes.append((await job(store), None))
                except Exception as exc:
                    outcomes.append((None, exc))
            await store.commit()
        return outcomes

    @staticmethod
    def _fail(batch: list[tuple[Job, asyncio.Future[Any]]], exc: BaseException) -> None:
        """The transaction itself failed: nobody's turn was kept."""
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)


class _TurnFailed(Exception):
    """A turn raised during the optimistic attempt."""
