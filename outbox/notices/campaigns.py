"""Cancelling a broadcast: its status first (nothing of it is claimed from then on), then its
queued notices marked skipped a chunk per transaction, so a 100 000-notice campaign never holds
SQLite's one writer for long."""

from __future__ import annotations

from core.notices import Skip
from dialogs.pipeline import UnitOfWork

CHUNK = 1000


async def skip_cancelled(unit_of_work: UnitOfWork, campaign_id: int) -> int:
    """Mark every still-queued notice of a cancelled campaign skipped: how many."""
    skipped = 0
    while True:
        async with unit_of_work() as store:
            done = await store.campaigns.skip_cancelled(campaign_id, Skip.CANCELLED.value, CHUNK)
            await store.commit()
        skipped += done
        if done < CHUNK:
            return skipped
