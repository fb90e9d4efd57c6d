"""Prometheus metrics of one app, served at GET /metrics.

Counters and the latency histogram are fed by the pipeline and the outbox sender through their
observer hooks (neither imports prometheus). What lives in the database — outbox depth, the
operators' queue — is read when Prometheus scrapes: the handler reads it asynchronously (the
registry's collectors are synchronous) and keeps the reading for a second, so a burst of
scrapes costs one query. Every process serves its own counters; the database gauges are the
same in every process (aggregate them with max, not sum).

Every app gets its own CollectorRegistry, so tests that build several apps in one process
do not collide on the global one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from core.conversations import EscalationStatus
from dialogs.messages import InboundKind
from storage.database import Database, is_sqlite
from storage.store import SqlStore
from storage.tables import escalations

log = logging.getLogger(__name__)

# From a cached turn (about a millisecond) to a turn stuck behind a slow database.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# How long a database reading serves scrapes: a scrape storm must not become a query storm.
CACHE_SECONDS = 1.0
# A scrape gives up on the database after this (Prometheus' own scrape timeout is 10 s).
READ_TIMEOUT_SECONDS = 5.0
SEND_RESULTS = ("sent", "failed", "refused", "deferred")

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class OutboxDepth:
    channel: str
    pending: int
    oldest_age_seconds: float


@dataclass(frozen=True, slots=True)
class DatabaseReading:
    """What one scrape read from the database; `ok` False: the read failed."""

    ok: bool
    outbox: tuple[OutboxDepth, ...] = ()
    escalations_waiting: int = 0
    oldest_escalation_seconds: float = 0.0
    taken_at: float = field(default_factory=time.monotonic)


class Metrics:
    """The registry of one app and every metric in it.

    It is the pipeline's observer (`received`, `handled`) and the sender's (`sent`).
    """

    def __init__(
        self,
        database: Database,
        channels: Iterable[str],
        *,
        clock: Clock = lambda: datetime.now(UTC),
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self.database = database
        # Known channels get zero-valued series from the start: rate() and alerts need them.
        self.channels = tuple(channels)
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._reading: DatabaseReading | None = None
        self._reading_lock = asyncio.Lock()
        self.registry = CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "energobot_events_received",
            "Inbound events taken by the pipeline, duplicates included.",
            ["channel", "kind"],
            registry=r,
        )
        self.duplicates = Counter(
            "energobot_duplicates_dropped",
            "Inbound events dropped as already seen (a platform's redelivery).",
            ["channel"],
            registry=r,
        )
        self.latency = Histogram(
            "energobot_event_processing_seconds",
            "From taking an event to its committed turn, lock wait and group commit included.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sends = Counter(
            "energobot_sends",
            "Outbox rows by outcome: sent; failed (error, retried or given up); refused (the "
            "platform's rules forbid it now); deferred (the platform asked to wait).",
            ["channel", "result"],
            registry=r,
        )
        self.notices = Counter(
            "energobot_notices",
            "Notices by kind and outcome: sent, failed, or skipped (the reason is in the "
            "console's campaign view).",
            ["kind", "result"],
            registry=r,
        )
        self.senders_alive = Gauge(
            "energobot_senders_alive",
            "Outbox senders alive as this process last saw them (itself included); each sends "
            "at every channel's rate divided by this.",
            registry=r,
        )
        self.senders_alive.set(1)
        for channel in self.channels:
            for kind in InboundKind:
                self.events.labels(channel, kind.value)
            self.duplicates.labels(channel)
            self.latency.labels(channel)
            for result in SEND_RESULTS:
                self.sends.labels(channel, result)
        self._events: dict[tuple[str, str], Counter] = {}
        self._latency: dict[str, Histogram] = {}
        self._sends: dict[tuple[str, str], Counter] = {}
        r.register(_DatabaseCollector(self))
        ProcessCollector(registry=r)

    # -- observers -----------------------------------------------------------------------------

    # Every event passes here: the labelled children are looked up once and kept (labels()
    # takes a lock and builds a key each time, half the cost of an increment).

    def received(self, channel: str, kind: str) -> None:
        key = (channel, kind)
        if (child := self._events.get(key)) is None:
            child = self._events[key] = self.events.labels(channel, kind)
        child.inc()

    def handled(self, channel: str, duplicate: bool, seconds: float) -> None:
        if duplicate:
            self.duplicates.labels(channel).inc()
        if (child := self._latency.get(channel)) is None:
            child = self._latency[channel] = self.latency.labels(channel)
        child.observe(seconds)

    def sent(self, channel: str, result: str) -> None:
        key = (channel, result)
        if (child := self._sends.get(key)) is None:
            child = self._sends[key] = self.sends.labels(channel, result)
        child.inc()

    def notice(self, kind: str, result: str) -> None:
        self.notices.labels(kind, result).inc()

    # -- the database ------------------------------------------------------------------------

    @property
    def reading(self) -> DatabaseReading | None:
        return self._reading

    async def refresh(self) -> DatabaseReading:
        """The database reading, read again if the last one is older than the cache time."""
        if (reading := self._fresh()) is not None:
            return reading
        async with self._reading_lock:
            # Scrapes that queued here behind one read take its result.
            if (reading := self._fresh()) is not None:
                return reading
            self._reading = await self._read()
            return self._reading

    def _fresh(self) -> DatabaseReading | None:
        reading = self._reading
        if reading is not None and time.monotonic() - reading.taken_at < self._cache_seconds:
            return reading
        return None

    async def _read(self) -> DatabaseReading:
        try:
            async with (
                asyncio.timeout(READ_TIMEOUT_SECONDS),
                self.database.unit_of_work() as store,
            ):
                depth = await store.outbox.depth()
                waiting, oldest = await _waiting_escalations(store)
        except Exception:
            # A failed read is cached too: a database in trouble gets no scrape storm either.
            log.warning("metrics: reading the database failed", exc_info=True)
            return DatabaseReading(ok=False)
        now = self._clock()
        found = {
            channel: OutboxDepth(channel, count, _age(now, created))
            for channel, count, created in depth
        }
        for channel in self.channels:
            found.setdefault(channel, OutboxDepth(channel, 0, 0.0))
        return DatabaseReading(
            ok=True,
            outbox=tuple(found[c] for c in sorted(found)),
            escalations_waiting=waiting,
            oldest_escalation_seconds=_age(now, oldest),
        )

    # -- exposition --------------------------------------------------------------------------

    async def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The registry in the format the scraper asked for (Prometheus text by default)."""
        await self.refresh()
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


METRICS = web.AppKey("metrics", Metrics)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """GET /metrics. No authentication: the reverse proxy must not expose it publicly."""
    body, content_type = await request.app[METRICS].exposition(request.headers.get("Accept", ""))
    # content_type carries parameters (version, charset), which aiohttp's argument refuses.
    return web.Response(body=body, headers={"Content-Type": content_type})


class _DatabaseCollector(Collector):
    """Gauges of what the database holds, from the reading the scrape handler took, and the
    connection pool as it is at this moment."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> Iterable[Metric]:
        # Names only: without describe() registering would run collect() once.
        return list(self._families(None, values=False))

    def collect(self) -> Iterable[Metric]:
        return list(self._families(self._metrics.reading, values=True))

    def _families(self, reading: DatabaseReading | None, *, values: bool) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "energobot_database_up",
            "1 if the last scrape read the database, else 0 (the gauges below are then absent).",
        )
        depth = GaugeMetricFamily(
            "energobot_outbox_depth", "Outbox rows waiting to be sent.", labels=["channel"]
        )
        age = GaugeMetricFamily(
            "energobot_outbox_oldest_age_seconds",
            "Age of the oldest outbox row waiting to be sent (0 when none waits).",
            labels=["channel"],
        )
        waiting = GaugeMetricFamily(
            "energobot_escalations_waiting",
            "Conversations handed to an operator that no operator has taken yet.",
        )
        oldest = GaugeMetricFamily(
            "energobot_escalations_oldest_wait_seconds",
            "How long the longest-waiting escalation has waited (0 when none waits).",
        )
        if reading is not None:
            up.add_metric([], 1 if reading.ok else 0)
            if reading.ok:
                for row in reading.outbox:
                    depth.add_metric([row.channel], row.pending)
                    age.add_metric([row.channel], row.oldest_age_seconds)
                waiting.add_metric([], reading.escalations_waiting)
                oldest.add_metric([], reading.oldest_escalation_seconds)
        yield from (up, depth, age, waiting, oldest)
        yield from self._pool(values)

    def _pool(self, values: bool) -> Iterator[Metric]:
        database = self._metrics.database
        # SQLite has one connection, the single writer every transaction takes; PostgreSQL a
        # pool of database.pool_size connections for reads and writes alike.
        role = "writer" if is_sqlite(database.url) else "readwrite"
        size = GaugeMetricFamily(
            "energobot_db_pool_size", "Connections the pool may hold.", labels=["role"]
        )
        used = GaugeMetricFamily(
            "energobot_db_pool_checked_out",
            "Connections in use by a transaction right now.",
            labels=["role"],
        )
        writers = GaugeMetricFamily(
            "energobot_db_writers",
            "Group commits of turns that may run side by side (SQLite: its single writer).",
        )
        if values:
            pool = database.engine.pool
            size.add_metric([role], pool.size())  # type: ignore[attr-defined]
            used.add_metric([role], pool.checkedout())  # type: ignore[attr-defined]
            writers.add_metric([], database.writers)
        yield from (size, used, writers)


async def _waiting_escalations(store: SqlStore) -> tuple[int, datetime | None]:
    """Escalations no operator has taken yet, and the oldest one's time (the console's queue)."""
    result = await store.connection.execute(
        select(func.count(), func.min(escalations.c.created_at)).where(
            escalations.c.status == EscalationStatus.WAITING.value
        )
    )
    count, oldest = result.one()
    return int(count), oldest


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    return max(0.0, (now - then).total_seconds())
