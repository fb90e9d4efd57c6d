"""The notice scheduler: in every process, on a timer, it runs the jobs due now. Each due job is
taken by one process (a lease in the `jobs` table), its notices queued page by page in short
transactions (turns are never held up by a broadcast being produced), and marked done. A
process killed mid-job leaves its lease to run out; the next process resumes the job, and the
notices' keys make what was already queued count once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.balance import summarize
from core.conflicts import log_background_failure
from core.notices import (
    CampaignRecord,
    CampaignStatus,
    Kind,
    LinkedAccount,
    NoticeDraft,
    OutageRecord,
    lane_of,
)
from core.outages import OutageIndex
from core.ports import Store
from dialogs.pipeline import UnitOfWork
from outbox.notices.rules import (
    OVERDUE_LOOKBACK_DAYS,
    PAGE,
    Job,
    RuleSettings,
    as_outage,
    drafts_for,
    due_jobs,
    restriction_thresholds,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEBT_HISTORY_MONTHS = 36  # as the balance answer reads them (dialogs/flows/billing.py)
# Posts one outage's public message (a MAX or Telegram channel); returns an error or None.
Poster = Callable[[Job], Awaitable[str | None]]


@dataclass(slots=True)
class _Run:
    """A taken job being produced."""

    job: Job
    campaign: CampaignRecord
    thresholds: dict[str, Decimal]
    first: CampaignRecord | None  # a «restored» run's: the outage's notice campaign
    index: OutageIndex | None  # an outage's notice: matches the linked accounts' addresses
    queued: int = 0


@dataclass(frozen=True, slots=True)
class JobResult:
    key: str
    kind: str
    queued: int  # notices queued by this run (a resumed job counts only its new ones)


@dataclass
class SchedulerConfig:
    tick_seconds: float = 60.0
    lease_seconds: float = 600.0
    heartbeat_seconds: float = 5.0  # the senders' (a job's owner is its process's sender)
    rules: RuleSettings = field(default_factory=lambda: RuleSettings(zone=UTC))


class Scheduler:
    def __init__(
        self,
        unit_of_work: UnitOfWork,
        config: SchedulerConfig,
        owner: str,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        on_queued: Callable[[], None] = lambda: None,
        poster: Poster | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self.config = config
        self._owner = owner
        self._clock = clock
        self._on_queued = on_queued
        self._poster = poster
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notice-scheduler")

    def wake(self) -> None:
        """Something changed (an outage was entered): look now rather than at the next tick."""
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_due(self._clock())
            except Exception:
                log_background_failure(log, "notices: running the due jobs failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.tick_seconds)

    # -- jobs --------------------------------------------------------------------------------

    async def run_due(self, at: datetime) -> list[JobResult]:
        """Run every job due at `at` that no process has done or holds; what each queued."""
        rules = self.config.rules
        async with self._unit_of_work() as store:
            outages = await store.outages.current(
                at - timedelta(days=1), at + timedelta(days=rules.outage_days_before + 1)
            )
        runs: list[_Run] = []
        for job in due_jobs(at, rules, outages):
            if self._stopping:
                break
            if await self._take(job, at):
                runs.append(await self._open(job, at))
        # Outages are matched to addresses: one pass over the linked accounts serves them all.
        matched = [run for run in runs if run.index is not None]
        results: list[JobResult] = []
        for group in ([matched] if matched else []) + [[r] for r in runs if r.index is None]:
            try:
                await self._fill(group, at)
                for run in group:
                    await self._close(run, at)
            except Exception:
                keys = ", ".join(run.job.key for run in group)
                failed = f"notices: {keys} failed (retried when the lease runs out)"
                log_background_failure(log, failed)
                continue
            results.extend(JobResult(r.job.key, r.job.kind.value, r.queued) for r in group)
            if any(run.queued for run in group):
                self._on_queued()
        if self._poster is not None:
            await self._post(at, outages, self._poster)
        return results

    async def _post(self, at: datetime, outages: list[OutageRecord], poster: Poster) -> None:
        """Each outage's public post, apart from its notices: taken by one process, retried on
        the next tick when it failed, until the outage is over (a process that queues without
        sending, `notices run --no-send`, leaves it to `serve`)."""
        for outage in outages:
            if outage.restored_at is not None or at >= outage.ends_at:
                continue
            async with self._unit_of_work() as store:
                campaign = await store.campaigns.by_key(f"outage:{outage.id}")
                taken = campaign is not None and await store.campaigns.claim_post(
                    campaign.id, self._clock()
                )
                await store.commit()
            if not taken or campaign is None:
                continue
            # Recorded after the post: a crash in between loses the record, not the post.
            error = await poster(Job(campaign.key, Kind(campaign.kind), campaign.subject, outage))
            async with self._unit_of_work() as store:
                await store.campaigns.posted(campaign.id, None if error else self._clock(), error)
                await store.commit()

    async def _take(self, job: Job, at: datetime) -> bool:
        # Leases in wall-clock time: `notices run --at` stands at another moment than `serve`.
        wall = datetime.now(UTC)
        lease = timedelta(seconds=self.config.lease_seconds)
        alive_since = wall - timedelta(seconds=3 * self.config.heartbeat_seconds)
        async with self._unit_of_work() as store:
            taken = await store.jobs.take(job.key, self._owner, wall, wall + lease, alive_since)
            await store.commit()
        return taken

    async def _open(self, job: Job, at: datetime) -> _Run:
        rules = self.config.rules
        async with self._unit_of_work() as store:
            campaign = await store.campaigns.ensure(
                job.campaign_key,
                job.kind.value,
                job.subject,
                at,
                outage_id=job.outage.id if job.outage else None,
            )
            thresholds = (
                restriction_thresholds(
                    await store.tariffs.all(), at.astimezone(rules.zone).date(), rules.restriction
                )
                if job.kind is Kind.DEBT_RESTRICTION
                else {}
            )
            # «Restored» goes to whom the outage's notice reached.
            first = (
                await store.campaigns.by_key(f"outage:{job.outage.id}")
                if job.restored and job.outage
                else None
            )
            await store.commit()
        index = OutageIndex([as_outage(job.outage)]) if job.outage and not job.restored else None
        return _Run(job, campaign, thresholds, first, index)

    async def _fill(self, group: list[_Run], at: datetime) -> None:
        """Queue the notices of runs that share their targets, page by page."""
        lead, after = group[0], 0
        while True:
            # One page, one short transaction: SQLite has one writer, and turns share it.
            async with self._unit_of_work() as store:
                # A campaign cancelled meanwhile gets no more pages.
                group = [r for r in group if not await self._cancelled(store, r)]
                if not group:
                    break
                lead = group[0]
                if lead.job.restored:
                    first = lead.first
                    page = await store.notices.recipients(first.id, after, PAGE) if first else []
                else:
                    page = await self._targets(store, lead.job, at, after)
                if not page:
                    break
                for run in group:
                    drafts = drafts_for(
                        run.job, page, at, self.config.rules, run.thresholds, run.index
                    )
                    if run.job.kind is Kind.DEBT_RESTRICTION:
                        drafts = await self._overdue_above(store, drafts, page, run, at)
                    run.queued += await store.notices.queue(
                        run.campaign.id, run.job.kind.value, lane_of(run.job.kind), drafts, at
                    )
                await store.commit()
            after = page[-1].link_id

    async def _overdue_above(
        self,
        store: Store,
        drafts: list[NoticeDraft],
        page: list[LinkedAccount],
        run: _Run,
        at: datetime,
    ) -> list[NoticeDraft]:
        """The restriction warnings whose account's *overdue* debt, bill by bill as the balance
        answer counts it, is above the threshold (the balance was only a first sieve: it holds
        bills not yet due); the amount told is that overdue part."""
        rules = self.config.rules
        today = at.astimezone(rules.zone).date()
        by_number = {target.account: target for target in page}
        kept: list[NoticeDraft] = []
        for draft in drafts:
            target = by_number[draft.account or ""]
            history = await store.history.for_account(target.account, DEBT_HISTORY_MONTHS)
            summary = summarize(target.balance, target.due_date, history, today, rules.penalties)
            threshold = run.thresholds.get(target.category)
            if threshold is not None and summary.overdue_amount > threshold:
                params = {**draft.params, "amount": str(summary.overdue_amount)}
                kept.append(replace(draft, params=params))
        return kept

    @staticmethod
    async def _cancelled(store: Store, run: _Run) -> bool:
        campaign = await store.campaigns.get(run.campaign.id)
        return campaign is None or campaign.status == CampaignStatus.CANCELLED.value

    async def _close(self, run: _Run, at: datetime) -> None:
        job, campaign = run.job, run.campaign
        async with self._unit_of_work() as store:
            await store.campaigns.produced(campaign.id, at)
            await store.jobs.finish(job.key, at)
            await store.commit()
        log.info("notices: %s queued %d", job.key, run.queued)

    async def _targets(
        self, store: Store, job: Job, at: datetime, after: int
    ) -> list[LinkedAccount]:
        rules = self.config.rules
        day = at.astimezone(rules.zone).date()
        if job.kind in (Kind.READING_REMINDER, Kind.READING_LAST_DAY):
            return await store.notices.awaiting_reading(job.subject, after, PAGE)
        if job.kind is Kind.DEBT_DUE:
            upto = day + timedelta(days=rules.debt_days_before)
            return await store.notices.in_debt(day + timedelta(days=1), upto, after, PAGE)
        if job.kind is Kind.DEBT_OVERDUE:
            latest = day - timedelta(days=rules.overdue_after_days)
            earliest = latest - timedelta(days=OVERDUE_LOOKBACK_DAYS)
            return await store.notices.in_debt(earliest, latest, after, PAGE)
        if job.kind is Kind.DEBT_RESTRICTION:
            return await store.notices.in_debt(None, day - timedelta(days=1), after, PAGE)
        if job.kind is Kind.RECEIPT_READY:
            return await store.notices.billed(job.subject, after, PAGE)
        return await store.notices.linked(after, PAGE)
