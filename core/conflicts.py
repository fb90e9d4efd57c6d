"""Transactions that lost a race with another process (PostgreSQL: a deadlock, a serialization
failure) or their connection (the database restarted) are run again, not reported: nothing of
theirs was answered, and running a turn again is a duplicate if its commit did land."""

from __future__ import annotations

import asyncio
import logging
import random
import sys

# deadlock_detected, serialization_failure: the SQL standard's codes, also PostgreSQL's.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_RETRIES = 8


def is_conflict(exc: BaseException | None) -> bool:
    """Whether `exc` or anything it was raised from is a retryable transaction conflict or a
    lost connection (SQLAlchemy marks those `connection_invalidated` and renews its pool)."""
    return any(
        getattr(candidate, "connection_invalidated", False)
        or getattr(candidate, "sqlstate", None) in RETRYABLE_SQLSTATES
        for candidate in _causes(exc)
    )


def is_busy(exc: BaseException | None) -> bool:
    """Whether another process held SQLite's write lock for longer than the wait for it."""
    return any(
        getattr(candidate, "sqlite_errorname", None) in ("SQLITE_BUSY", "SQLITE_LOCKED")
        for candidate in _causes(exc)
    )


def log_background_failure(log: logging.Logger, message: str) -> None:
    """Log the exception being handled by a step that runs again on its own timer (a beat, a
    claim, a job). A SQLite file kept busy by another process is a warning without a
    traceback: nothing was lost, the next run takes the lock."""
    if is_busy(sys.exc_info()[1]):
        log.warning("%s: the database stayed busy; trying again", message)
    else:
        log.exception(message)


def is_disconnect(exc: BaseException | None) -> bool:
    """Whether the connection was lost: if that happened during COMMIT, the commit may have
    landed, so only work that is a no-op the second time may run again."""
    return any(getattr(candidate, "connection_invalidated", False) for candidate in _causes(exc))


def _causes(exc: BaseException | None) -> list[BaseException]:
    """`exc`, what it was raised from (or during), and the drivers' errors they wrap."""
    found: list[BaseException] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found.append(exc)
        if isinstance(orig := getattr(exc, "orig", None), BaseException):
            found.append(orig)
        context = None if exc.__suppress_context__ else exc.__context__
        exc = exc.__cause__ or context
    return found


async def conflict_pause(attempt: int) -> None:
    """A short random wait before running again, so the two losers do not collide again."""
    await asyncio.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))
