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

from core.conflicts import CONFLICT_RETRIES, conflict_pause, is_conflict
from core.ports import Store

T = TypeVar("T")
UnitOfWork = Callable[[], AbstractAsyncContextManager[Store]]
Job = Callable[[Store], Awaitable[Any]]


class Batcher(Generic[T]):
    def __init__(self, unit_of_work: UnitOfWork, max_batch: int = 64, workers: int = 1) -> None:
        self._unit_of_work = unit_of_work
        self._max_batch = max_batch
        self._workers = workers  # batches committing side by side (each its own connection)
        self._active = 0
        self._queue: list[tuple[str, Job, asyncio.Future[Any]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, job: Callable[[Store], Awaitable[T]], key: str = "") -> T:
        """Run `job` in the next batch's transaction; returns once that has committed.

        A batch runs its jobs ordered by `key` (stable): when every process takes its row locks
        in the same order (a conversation's key), two batches cannot deadlock each other.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((key, job, future))
        if self._active < self._workers:
            self._active += 1
            task = asyncio.create_task(self._work())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _work(self) -> None:
        try:
            while self._queue:
                # A share of the queue, not all of it: the other writers take the rest at
                # once, and no caller waits for a whole queue's turns before its commit.
                size = min(self._max_batch, -(-len(self._queue) // self._workers))
                queued = self._queue[:size]
                del self._queue[:size]
                queued.sort(key=lambda item: item[0])
                await self._run_batch([(job, future) for _, job, future in queued])
                await asyncio.sleep(0)  # let the answered callers queue their next events
        finally:
            self._active -= 1

    async def _run_batch(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        careful = False
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                outcomes = await self._attempt(batch, careful=careful)
            except _TurnFailed as exc:
                if is_conflict(exc) and attempt < CONFLICT_RETRIES:
                    await conflict_pause(attempt)  # lost a race: nothing was kept, run again
                else:
                    # Some turn failed: start over with a savepoint around each, so only it
                    # is undone.
                    careful = True
                continue
            except Exception as exc:
                if is_conflict(exc) and attempt < CONFLICT_RETRIES:
                    # Lost a race with another process: nothing was kept, run it all again.
                    await conflict_pause(attempt)
                    continue
                self._fail(batch, exc)
                return
            break
        else:
            self._fail(batch, RuntimeError("the batch kept conflicting with other processes"))
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
                    if is_conflict(exc):
                        raise  # the whole transaction lost: run the batch again
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
