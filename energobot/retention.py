"""The retention job: messages, once-only keys and link attempts are kept for their periods
(settings `retention`, docs/deploy.md «Retention»), then cleared or deleted.

Every batch is its own short transaction under the store's exclusive lock «retention»: two
processes running the job take turns batch by batch, and a customer's turn waits at most one
batch (SQLite's one writer, PostgreSQL's row locks). `serve` runs it every `every_minutes` in
each process; `energobot retention run` once. Nothing pending is touched, and a key that keeps
something from being done twice outlives what it guards (the order of the steps below).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from aiohttp import web

from core.ports import RetentionPort, Store
from dialogs.pipeline import UnitOfWork
from energobot.background import mount_background
from energobot.settings import Settings
from outbox.notices.rules import OVERDUE_LOOKBACK_DAYS

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# (step, rows changed by the batch): tests count the batches, a turn may be run in between.
BatchObserver = Callable[[str, int], Awaitable[None]]

# The first run after start-up: soon, but not while the process is still warming up.
FIRST_RUN_AFTER = timedelta(minutes=1)
# A month-keyed notice (reminders, receipts, restriction warnings) is queued during one
# calendar month at most: its key must live longer than that.
MONTH_KEYED_DAYS = 62


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind is kept, as the job applies it (settings with their floors)."""

    inbox: timedelta  # an inbound event's body
    inbox_keys: timedelta  # its (channel, event id): a replay within is a duplicate
    replies: timedelta
    notices: timedelta  # a notice with its once-only key
    link_attempts: timedelta
    batch: int = 1000


@dataclass(slots=True)
class RetentionCounts:
    """Rows changed by one run, per step."""

    inbox_cleared: int = 0
    inbox_deleted: int = 0
    replies_deleted: int = 0
    notices_deleted: int = 0
    link_attempts_deleted: int = 0
    batches: int = 0  # transactions that changed something

    def summary(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The periods of `settings.retention`, never shorter than what they must outlive."""
    kept, notices = settings.retention, settings.notices
    # One due date's notices are queued from debt_days_before ahead of it until the overdue
    # rule's look-back ends after it: its keys must outlive that span (and a month's keys).
    due_span = notices.debt_days_before + notices.overdue_after_days + OVERDUE_LOOKBACK_DAYS + 1
    linking = settings.linking
    link_window = max(linking.per_customer_window_hours, linking.per_account_window_hours)
    return RetentionPolicy(
        inbox=timedelta(days=kept.inbox_days),
        inbox_keys=timedelta(days=max(kept.inbox_keys_days, kept.inbox_days)),
        # A reply's file is opened by a signed link naming its row, valid media_link_days.
        replies=timedelta(days=max(kept.replies_days, settings.server.media_link_days)),
        notices=timedelta(days=max(kept.notices_days, MONTH_KEYED_DAYS, due_span)),
        # The link limits count the failures of their window: those must stay.
        link_attempts=max(timedelta(days=kept.link_attempts_days), timedelta(hours=link_window)),
        batch=kept.batch,
    )


Step = Callable[[RetentionPort, datetime, int], Awaitable[int]]


def _steps(policy: RetentionPolicy, now: datetime) -> list[tuple[str, datetime, Step]]:
    """(counter, cut-off, batch) in the order they must run: an inbound event is cleared
    (detached) before its key may go, the key's cut-off being the earlier one."""
    return [
        ("inbox_cleared", now - policy.inbox, lambda r, t, n: r.clear_inbox(t, n)),
        ("inbox_deleted", now - policy.inbox_keys, lambda r, t, n: r.delete_inbox(t, n)),
        ("replies_deleted", now - policy.replies, lambda r, t, n: r.delete_replies(t, n)),
        ("notices_deleted", now - policy.notices, lambda r, t, n: r.delete_notices(t, n)),
        (
            "link_attempts_deleted",
            now - policy.link_attempts,
            lambda r, t, n: r.delete_link_attempts(t, n),
        ),
    ]


async def run_once(
    unit_of_work: UnitOfWork,
    policy: RetentionPolicy,
    now: datetime,
    *,
    on_batch: BatchObserver | None = None,
) -> RetentionCounts:
    """Apply `policy` as of `now`, batch after batch until nothing is due; what changed."""
    counts = RetentionCounts()
    for name, before, step in _steps(policy, now):
        while True:
            async with unit_of_work() as store:
                changed = await _batch(store, step, before, policy.batch)
            setattr(counts, name, getattr(counts, name) + changed)
            if changed:
                counts.batches += 1
            if on_batch is not None:
                await on_batch(name, changed)
            if changed < policy.batch:
                break
            # Let a turn waiting for the database in this process in before the next batch.
            await asyncio.sleep(0)
    log.info("retention: %s", counts.summary())
    return counts


async def _batch(store: Store, step: Step, before: datetime, limit: int) -> int:
    await store.exclusive("retention")
    changed = await step(store.retention, before, limit)
    await store.commit()
    return changed


@dataclass
class RetentionJob:
    """The job as `serve` runs it: every `every`, in the background, until stopped."""

    unit_of_work: UnitOfWork
    policy: RetentionPolicy
    every: timedelta
    clock: Clock = lambda: datetime.now(UTC)

    async def run(self) -> None:
        """Round after round until cancelled; a round's failure waits for the next."""
        await asyncio.sleep(min(self.every, FIRST_RUN_AFTER).total_seconds())
        while True:
            try:
                await run_once(self.unit_of_work, self.policy, self.clock())
            except Exception:  # the next round takes up what is left; nothing is half-done
                log.exception("retention: the run failed")
            await asyncio.sleep(self.every.total_seconds())


def retention_job(settings: Settings, unit_of_work: UnitOfWork) -> RetentionJob | None:
    """The job of `settings`, or None when `retention.enabled` is off."""
    if not settings.retention.enabled:
        return None
    return RetentionJob(
        unit_of_work,
        retention_policy(settings),
        timedelta(minutes=settings.retention.every_minutes),
    )


RETENTION = web.AppKey("retention", asyncio.Task[None])


def mount_retention(app: web.Application, job: RetentionJob | None) -> None:
    """Start the job with the app and stop it before the database is let go."""
    if job is not None:
        mount_background(app, RETENTION, job.run, "retention")
