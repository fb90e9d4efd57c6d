"""Notices at scale: producing a reminder for 100 000 customers, draining a broadcast at the
platform's limit, and what either does to the customers' own turns and replies.

    .venv/bin/python bench/notices.py [--accounts 100000] [--notices 900] [--no-overlap]
        [--database-url postgresql+asyncpg://127.0.0.1/bench_notices]

Default database: SQLite in a temporary directory. PostgreSQL: an empty database, e.g.
`createdb -h 127.0.0.1 bench_notices`; the tables of an earlier run in a database whose name
starts with «bench» are dropped first (any other database must be empty), and the data is left
there afterwards. The schema comes from the real migrations; the customers are bulk-inserted
(bench/notices_fixture.py): N Telegram customers, each with a conversation, an account with a
meter that is not smart and has no reading, and the link between them. Everything runs in this
one process, as in `serve`: the scheduler, the sender, FakeTelegram and a turn-like transaction
(lock one conversation with `store.conversations.get_for_update`, commit) every 50 ms, timed
from the moment it was due, so that a blocked event loop or a wait for a connection counts.

1. Fan-out: the notice scheduler (outbox/notices/scheduler.py, Scheduler.run_due, configured
   from config.yaml as `serve` configures it) runs the jobs due at 2026-12-23 10:05
   Asia/Yekaterinburg; the reading reminder queues one notice per customer. Reported: the time,
   rows a second, the peak RSS over the RSS before (VmHWM, reset through /proc/self/clear_refs),
   the CPU of this process and of PostgreSQL's backends (/proc), and the turn-like transaction
   during the job against the same alone just before. Then the campaign is cancelled (its
   queued notices skipped, as a supervisor would), the transaction running beside it.
2. Drain: M notices (default 900: 30 s of Telegram's 30 messages a second) to M chats, queued as
   the scheduler queues them, are sent by the real OutboxSender with the notice gate and the
   channels `serve` builds (the registry's Telegram plug-in pointed at FakeTelegram, which
   answers 429 beyond 30/s overall or 1/s per chat, like Telegram). Reported: the bot's sends a
   second while the broadcast drains, after its first second (the burst), over 30 (target
   >= 0.95); the 429s the fake answered (target 0); the CPU; the statements and commits the
   process sent to the database, per message.
3. Replies during the broadcast: one ordinary reply (lane 0) every 0.5 s, each to another chat,
   from its commit to the fake's receiving it, and the turn-like transaction; the same with no
   broadcast first, in the same run: median, p95 and the ratio.
4. (--no-overlap skips it) What `serve` does at send_at: the fan-out of the last-day reminder
   (2026-12-25 10:05) for all N while the same process's sender drains what is committed:
   the 429s and the turn-like transaction meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, its test fakes

from notices_fixture import Seeded, reset_postgres, seed  # bench/ is on sys.path
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from webhook import TOKEN, CpuMeter, energobot_env, machine

from core.conversations import Customer
from core.notices import CampaignStatus, Kind, Lane
from dialogs.messages import Reply
from energobot.channels import build_channels
from energobot.settings import Settings, load_settings
from energobot.wiring import notice_gate, notice_machinery, scheduler_config, sender_config
from outbox.notices.campaigns import skip_cancelled
from outbox.notices.rules import PAGE, Job, draft
from outbox.notices.scheduler import JobResult, Scheduler
from outbox.sender import RATE_MARGIN, OutboxSender
from storage.database import Database
from storage.migrate import upgrade
from storage.tables import outbox
from tests.fakes.telegram.server import FakeTelegram

ZONE = ZoneInfo("Asia/Yekaterinburg")
AT = datetime(2026, 12, 23, 10, 5, tzinfo=ZONE)  # the reminders' day, after send_at
PERIOD, CUTOFF = "2026-12", "2026-12-25"
PROBE_EVERY = 0.05  # seconds between turn-like transactions
PROBE_ALONE_SECONDS = 3.0
REPLY_EVERY = 0.5
REPLY_TEXT = "Показания приняты: 23 520 кВт·ч. Спасибо!"


# -- measuring --------------------------------------------------------------------------------


def proc_status_kb(name: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Make VmHWM start again from the current RSS (Linux: 5 > /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.seconds)

    def pct(self, q: float) -> float:
        """The q-quantile (nearest rank) in ms; NaN when empty."""
        if not self.seconds:
            return math.nan
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else math.nan

    @property
    def p95(self) -> float:
        return self.pct(0.95)

    @property
    def max(self) -> float:
        return max(self.seconds) * 1000 if self.seconds else math.nan


def ms(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"  # NaN: nothing measured


def ratio(a: float, b: float) -> str:
    return "–" if not b or a != a or b != b else f"{a / b:.2f}"


def row(label: str, lat: Latencies) -> str:
    return f"| {label} | {lat.n} | {ms(lat.p50)} | {ms(lat.p95)} | {ms(lat.max)} |"


class Rss:
    """The highest RSS seen: VmHWM after a reset, else the largest sample taken."""

    def __init__(self) -> None:
        gc.collect()
        self.before = proc_status_kb("VmRSS")
        self.hwm = reset_peak_rss()
        self.sampled = self.before

    def sample(self) -> None:
        self.sampled = max(self.sampled, proc_status_kb("VmRSS"))

    def peak(self) -> int:
        self.sample()
        return max(self.sampled, proc_status_kb("VmHWM") if self.hwm else 0)


async def turns(
    database: Database,
    customer: Customer,
    stop: asyncio.Event,
    rss: Rss | None = None,
    seconds: float | None = None,
) -> Latencies:
    """A turn-like transaction every PROBE_EVERY seconds (lock the conversation, commit) until
    `stop` or for `seconds`; each timed from the moment it was due."""
    loop = asyncio.get_running_loop()
    out = Latencies()
    due = loop.time()
    until = due + seconds if seconds is not None else math.inf
    while not stop.is_set() and due < until:
        async with database.unit_of_work() as store:
            await store.conversations.get_for_update(customer, datetime.now(UTC))
            await store.commit()
        done = loop.time()
        out.seconds.append(done - due)
        if rss is not None:
            rss.sample()
        due = max(due + PROBE_EVERY, done)  # a late one does not make the next ones queue
        await asyncio.sleep(max(0.0, due - loop.time()))
    return out


def cpu_text(before: dict[str, float], after: dict[str, float], seconds: float) -> str:
    mine = after["server"] - before["server"]
    text = f"this process {mine:.1f} s ({mine / seconds * 100:.0f} % of a core)"
    if "postgres" in after:
        pg = after["postgres"] - before.get("postgres", 0.0)
        text += f", PostgreSQL backends {pg:.1f} s ({pg / seconds * 100:.0f} % of a core)"
    return text


class Statements:
    """The statements and commits the process sends to the database while it is attached (the
    engine's events), but for those of the tasks told to be ignored (the benchmark's own turns
    and replies): the sender's claim queries (the only ones with an aliased outbox) and the
    gate's checks (its first query, of the subscriptions) counted apart."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine.sync_engine
        self.total = self.commits = self.claims = self.gate_checks = 0
        self.ignored: set[asyncio.Task[Any]] = set()

    def _statement(self, *args: Any) -> None:
        if asyncio.current_task() in self.ignored:
            return
        sql: str = args[2]
        self.total += 1
        if "FROM outbox AS " in sql:
            self.claims += 1
        elif "FROM subscriptions" in sql:
            self.gate_checks += 1

    def _commit(self, *args: Any) -> None:
        if asyncio.current_task() not in self.ignored:
            self.commits += 1

    def __enter__(self) -> Statements:
        event.listen(self._engine, "before_cursor_execute", self._statement)
        event.listen(self._engine, "commit", self._commit)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)
        event.remove(self._engine, "commit", self._commit)


# -- 1. fan-out -------------------------------------------------------------------------------


@dataclass
class FanOut:
    results: list[JobResult]
    seconds: float
    rss_before_kb: int
    rss_peak_kb: int
    peak_from: str
    cpu: str
    alone: Latencies
    during: Latencies
    cancel_seconds: float
    cancelled: int
    during_cancel: Latencies


async def fan_out(
    database: Database, settings: Settings, customer: Customer, cpu: CpuMeter
) -> FanOut:
    scheduler = Scheduler(
        database.unit_of_work, scheduler_config(settings), "bench-notices", clock=lambda: AT
    )
    alone = await turns(database, customer, asyncio.Event(), seconds=PROBE_ALONE_SECONDS)
    rss = Rss()
    before = await cpu.read()
    stop = asyncio.Event()
    probe = asyncio.create_task(turns(database, customer, stop, rss))
    await asyncio.sleep(PROBE_EVERY)  # the probe is under way when the job starts
    began = time.perf_counter()
    results = await scheduler.run_due(AT)
    seconds = time.perf_counter() - began
    peak = rss.peak()
    after = await cpu.read()
    stop.set()
    during = await probe

    # A supervisor cancels it: the status at once, then every notice still queued skipped in
    # chunks of a transaction each (outbox/notices/campaigns.py).
    stop = asyncio.Event()
    probe = asyncio.create_task(turns(database, customer, stop))
    await asyncio.sleep(PROBE_EVERY)
    began = time.perf_counter()
    async with database.unit_of_work() as store:
        campaign = await store.campaigns.by_key(f"reading_reminder:{PERIOD}")
        assert campaign is not None, "the reminder job made no campaign"
        await store.campaigns.set_status(campaign.id, CampaignStatus.CANCELLED)
        await store.commit()
    await skip_cancelled(database.unit_of_work, campaign.id)
    cancel_seconds = time.perf_counter() - began
    await asyncio.sleep(PROBE_EVERY * 2)
    stop.set()
    during_cancel = await probe
    async with database.unit_of_work() as store:
        progress = await store.campaigns.progress([campaign.id])
    return FanOut(
        results=results,
        seconds=seconds,
        rss_before_kb=rss.before,
        rss_peak_kb=peak,
        peak_from="VmHWM" if rss.hwm else "VmRSS sampled every 50 ms",
        cpu=cpu_text(before, after, seconds),
        alone=alone,
        during=during,
        cancel_seconds=cancel_seconds,
        cancelled=progress[campaign.id].get("skipped:cancelled", 0),
        during_cancel=during_cancel,
    )


def print_fan_out(f: FanOut, accounts: int) -> bool:
    reminders = sum(r.queued for r in f.results if r.kind == Kind.READING_REMINDER.value)
    jobs = ", ".join(f"{r.key} {r.queued}" for r in f.results)
    print(f"## 1. Fan-out: Scheduler.run_due at {AT:%Y-%m-%d %H:%M} {ZONE}")
    print(f"jobs run: {jobs}")
    print(
        f"reading reminders queued: {reminders} of {accounts} in {f.seconds:.2f} s "
        f"= {reminders / f.seconds:,.0f} rows/s".replace(",", " ")
    )
    grown = (f.rss_peak_kb - f.rss_before_kb) / 1024
    print(
        f"peak memory: RSS {f.rss_before_kb / 1024:.1f} MiB before, peak {f.rss_peak_kb / 1024:.1f}"
        f" MiB ({f.peak_from}): +{grown:.1f} MiB"
    )
    print(f"CPU during the fan-out: {f.cpu}")
    print("| turn-like transaction every 50 ms (lock + commit) | n | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("alone", f.alone))
    print(row("during the fan-out", f.during))
    print(row("during the campaign's cancel", f.during_cancel))
    print(
        f"ratio during the fan-out / alone: p50 {ratio(f.during.p50, f.alone.p50)}, "
        f"p95 {ratio(f.during.p95, f.alone.p95)}, max {ratio(f.during.max, f.alone.max)}"
    )
    print(
        f"cancelling the campaign (set_status cancelled): {f.cancelled} queued notices skipped "
        f"in {f.cancel_seconds:.2f} s, a transaction per 1 000"
    )
    return reminders == accounts


# -- 2 and 3. drain and replies ---------------------------------------------------------------


@dataclass
class Drain:
    notices: int
    delivered: int
    first: float
    last: float
    sends_in_window: int
    steady_sends: int
    steady_notices: int
    throttled: Counter[str]
    throttled_at: list[float]  # seconds after the first notice delivered
    throttled_quiet: int
    quiet: Latencies
    during: Latencies
    turns_quiet: Latencies
    turns_busy: Latencies
    replies_lost: int
    cpu: str
    statuses: dict[str, int]
    sends: int  # every message the bot sent from the broadcast's queueing to its last notice
    db: Statements

    @property
    def window(self) -> float:
        return self.last - self.first

    @property
    def steady_rate(self) -> float:
        return self.steady_sends / (self.window - 1.0) if self.window > 1.0 else math.nan

    @property
    def steady_notice_rate(self) -> float:
        return self.steady_notices / (self.window - 1.0) if self.window > 1.0 else math.nan


class MovingClock:
    """The sender's clock: the reminders' day, moving on in real time."""

    def __init__(self, start: datetime) -> None:
        self.start, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)


async def send_replies(
    database: Database,
    sender: OutboxSender,
    clock: Callable[[], datetime],
    chats: list[int],
    stop: Callable[[], bool],
) -> dict[int, float]:
    """One reply every REPLY_EVERY s, each to the next chat, as a turn leaves it (an outbox row,
    commit, the sender woken); the monotonic time of each commit by chat."""
    loop = asyncio.get_running_loop()
    committed: dict[int, float] = {}
    due = loop.time()
    for customer_id in chats:
        if stop():
            break
        async with database.unit_of_work() as store:
            await store.outbox.add(
                customer_id,  # conversation i is customer i's (bench/notices_fixture.py)
                "telegram",
                Seeded.user(customer_id),
                Reply(REPLY_TEXT).to_dict(),
                clock(),
            )
            await store.commit()
            committed[int(Seeded.user(customer_id))] = time.monotonic()
        sender.wake()
        due += REPLY_EVERY
        await asyncio.sleep(max(0.0, due - loop.time()))
    return committed


async def received(fake: FakeTelegram, committed: dict[int, float], wait: float) -> Latencies:
    """Each reply's time from its commit to the fake's receiving it (waiting up to `wait` s for
    the last ones)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:  # the fake has no delivery event to wait for
        if len({s.chat_id for s in fake.delivered} & committed.keys()) == len(committed):
            break
        await asyncio.sleep(0.05)
    first = {}
    for sent in fake.delivered:
        if sent.chat_id in committed and sent.chat_id not in first:
            first[sent.chat_id] = sent.at
    return Latencies([first[chat] - committed[chat] for chat in committed if chat in first])


async def queue_broadcast(database: Database, count: int, at: datetime) -> list[int]:
    """`count` reading reminders as the scheduler queues them (pages of PAGE, one transaction
    each), in a campaign of their own; their chats."""
    job = Job("bench:drain", Kind.READING_REMINDER, PERIOD)
    async with database.unit_of_work() as store:
        campaign = await store.campaigns.ensure(job.key, job.kind.value, job.subject, at)
        await store.commit()
    chats: list[int] = []
    after = 0
    while len(chats) < count:
        async with database.unit_of_work() as store:
            page = await store.notices.awaiting_reading(
                PERIOD, after, min(PAGE, count - len(chats))
            )
            if not page:
                break
            params = {"period": PERIOD, "cutoff": CUTOFF}
            drafts = [draft(job, target, "bench-drain", params) for target in page]
            await store.notices.queue(campaign.id, job.kind.value, Lane.BROADCAST, drafts, at)
            await store.commit()
        chats += [int(target.user_id) for target in page]
        after = page[-1].link_id
    return chats


async def drain(
    database: Database,
    settings: Settings,
    fake: FakeTelegram,
    seeded: Seeded,
    count: int,
    cpu: CpuMeter,
    customer: Customer,
) -> Drain:
    per_phase = math.ceil(count / fake.limits.global_rate / REPLY_EVERY)
    spare = list(seeded.spare_ids())[1:]  # the first one is the probe's
    quiet_chats, busy_chats = spare[:per_phase], spare[per_phase:]
    for customer_id in spare:
        fake.add_chat(int(Seeded.user(customer_id)))
    clock = MovingClock(AT + timedelta(minutes=1))
    channels = build_channels(settings)  # every enabled plug-in, as `serve` builds them
    sender = OutboxSender(
        database.unit_of_work,
        channels.outbound,
        sender_config(settings),
        clock=clock,
        gate=notice_gate(settings),
    )
    sender.start()
    try:
        # 3a. The replies alone (and a turn-like transaction beside them).
        stop = asyncio.Event()
        probe = asyncio.create_task(turns(database, customer, stop))
        quiet_committed = await send_replies(database, sender, clock, quiet_chats, lambda: False)
        stop.set()
        turns_quiet = await probe
        quiet = await received(fake, quiet_committed, 15.0)
        throttled_quiet = len(fake.throttled)

        # 2 and 3b. The broadcast, and the replies while it drains.
        chats = await queue_broadcast(database, count, clock())
        broadcast = set(chats)
        for chat in chats:
            fake.add_chat(chat)
        started = len(fake.delivered)
        before = await cpu.read()
        began = time.monotonic()
        done = False

        def notices_delivered() -> int:
            return sum(1 for s in fake.delivered[started:] if s.chat_id in broadcast)

        with Statements(database) as statements:
            sender.wake()
            replying = asyncio.create_task(
                send_replies(database, sender, clock, busy_chats, lambda: done)
            )
            stop = asyncio.Event()
            probe = asyncio.create_task(turns(database, customer, stop))
            statements.ignored |= {replying, probe}
            deadline = time.monotonic() + count / fake.limits.global_rate * 3 + 60
            while notices_delivered() < len(chats) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            done = True
            stop.set()
            turns_busy = await probe
        sends = len(fake.delivered) - started
        after = await cpu.read()
        seconds = time.monotonic() - began
        busy_committed = await replying
        during = await received(fake, busy_committed, 15.0)
    finally:
        await sender.stop()
        await channels.close()

    times = sorted(s.at for s in fake.delivered[started:] if s.chat_id in broadcast)
    first, last = (times[0], times[-1]) if times else (math.nan, math.nan)
    window_sends = [s for s in fake.delivered[started:] if first <= s.at <= last]
    steady = [s for s in window_sends if s.at >= first + 1.0]
    async with database.engine.connect() as conn:
        result = await conn.execute(
            select(outbox.c.lane, outbox.c.status, outbox.c.last_error, func.count())
            .where(outbox.c.created_at >= AT + timedelta(seconds=30))
            .group_by(outbox.c.lane, outbox.c.status, outbox.c.last_error)
            .order_by(outbox.c.lane, outbox.c.status)
        )
        statuses = {
            f"lane {lane} {status}{f' ({error})' if error else ''}": int(n)
            for lane, status, error, n in result.all()
        }
    return Drain(
        notices=len(chats),
        delivered=len(times),
        first=first,
        last=last,
        sends_in_window=len(window_sends),
        steady_sends=len(steady),
        steady_notices=sum(1 for s in steady if s.chat_id in broadcast),
        throttled=Counter(t.scope for t in fake.throttled[throttled_quiet:]),
        throttled_at=[round(t.at - first, 2) for t in fake.throttled[throttled_quiet:]],
        throttled_quiet=throttled_quiet,
        quiet=quiet,
        during=during,
        turns_quiet=turns_quiet,
        turns_busy=turns_busy,
        replies_lost=len(quiet_committed) + len(busy_committed) - quiet.n - during.n,
        cpu=cpu_text(before, after, seconds),
        statuses=statuses,
        sends=sends,
        db=statements,
    )


def print_drain(d: Drain, fake: FakeTelegram) -> tuple[bool, bool]:
    limit = fake.limits.global_rate
    achieved = d.steady_rate / limit
    print(
        f"## 2. Drain: {d.notices} reading reminders to {d.notices} chats, OutboxSender with "
        f"the gate, the Telegram plug-in → FakeTelegram ({limit:.0f}/s overall, burst "
        f"{limit:.0f}; {fake.limits.chat_rate:.0f}/s per chat, burst {fake.limits.chat_burst})"
    )
    print(
        f"notices delivered: {d.delivered} of {d.notices}, first to last {d.window:.1f} s; "
        f"the bot's sends in that window: {d.sends_in_window} "
        f"({d.sends_in_window - d.delivered} of them replies)"
    )
    print(
        f"sends per second after the first second (its burst spent): {d.steady_rate:.2f} "
        f"(notices alone {d.steady_notice_rate:.2f}) → {achieved:.3f} of {limit:.0f}/s "
        f"(target >= 0.95; the sender aims at {RATE_MARGIN} of the limit)"
    )
    over_window = d.sends_in_window / d.window if d.window > 0 else math.nan
    print(f"sends per second over the whole window, burst included: {over_window:.2f}")
    throttled = ", ".join(f"{n} {scope}" for scope, n in d.throttled.items()) or "0"
    if d.throttled_at:
        throttled += f" (at {', '.join(f'+{t}' for t in d.throttled_at[:8])} s)"
    print(
        f"429s the fake answered during the broadcast: {throttled} (target 0); before it, "
        f"during the replies alone: {d.throttled_quiet}"
    )
    print(f"CPU while it drained: {d.cpu}")
    db, sends = d.db, max(1, d.sends)
    print(
        f"database while it drained (the sender's, the turns and replies apart): "
        f"{db.total} statements, {db.commits} commits "
        f"({db.total / sends:.1f} and {db.commits / sends:.1f} per message sent); the sender's "
        f"claim queries {db.claims} ({db.claims / sends:.1f} per message), the gate's checks "
        f"{db.gate_checks} (one per {d.notices / max(1, db.gate_checks):.1f} notices)"
    )
    print("outbox afterwards: " + ", ".join(f"{n} {k}" for k, n in d.statuses.items()))
    print()
    print(f"## 3. Replies (lane 0), one every {REPLY_EVERY} s to another chat: commit → the fake")
    print("| replies | n | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("no broadcast", d.quiet))
    print(row("while the broadcast drains", d.during))
    print(
        f"ratio during / alone: p50 {ratio(d.during.p50, d.quiet.p50)}, "
        f"p95 {ratio(d.during.p95, d.quiet.p95)}"
    )
    if d.replies_lost:
        print(f"replies not received within 15 s: {d.replies_lost}")
    print("| turn-like transaction every 50 ms (lock + commit) | n | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("no broadcast (the replies only)", d.turns_quiet))
    print(row("while the broadcast drains", d.turns_busy))
    print(
        f"ratio during / alone: p50 {ratio(d.turns_busy.p50, d.turns_quiet.p50)}, "
        f"p95 {ratio(d.turns_busy.p95, d.turns_quiet.p95)}, "
        f"max {ratio(d.turns_busy.max, d.turns_quiet.max)}"
    )
    return achieved >= 0.95 and d.delivered == d.notices, not d.throttled


# -- 4. the fan-out while the sender drains --------------------------------------------------

LAST_DAY = datetime(2026, 12, 25, 10, 5, tzinfo=ZONE)  # the second reminder's day
AFTER_SECONDS = 5.0


@dataclass
class Overlap:
    results: list[JobResult]
    seconds: float
    sent_during: int
    sent_after: int
    throttled_during: list[float]  # seconds after the job began
    throttled_after: list[float]
    turns: Latencies


async def overlap(
    database: Database,
    settings: Settings,
    fake: FakeTelegram,
    seeded: Seeded,
    customer: Customer,
) -> Overlap:
    for customer_id in range(1, seeded.linked + 1):
        fake.add_chat(int(Seeded.user(customer_id)))
    clock = MovingClock(LAST_DAY)
    channels = build_channels(settings)
    # Wired as `serve` wires them (energobot/wiring.py): a job's pages wake the sender's
    # notice lanes as they are committed.
    sender, scheduler = notice_machinery(
        settings, database, channels.outbound, clock=clock, posting=False
    )
    sender.start()
    try:
        await asyncio.sleep(0.5)  # alive, its share known
        delivered, throttled = len(fake.delivered), len(fake.throttled)
        stop = asyncio.Event()
        probe = asyncio.create_task(turns(database, customer, stop))
        await asyncio.sleep(PROBE_EVERY)
        began = time.monotonic()
        results = await scheduler.run_due(LAST_DAY)
        ended = time.monotonic()
        await asyncio.sleep(AFTER_SECONDS)
        stop.set()
        during = await probe
    finally:
        await sender.stop()
        await channels.close()
    async with database.unit_of_work() as store:
        campaign = await store.campaigns.by_key(f"reading_last_day:{PERIOD}")
        if campaign is not None:  # the rest is not sent: skipped
            await store.campaigns.set_status(campaign.id, CampaignStatus.CANCELLED)
            await store.commit()
    if campaign is not None:
        await skip_cancelled(database.unit_of_work, campaign.id)
    sent = [s.at for s in fake.delivered[delivered:]]
    refused = [t.at for t in fake.throttled[throttled:]]
    return Overlap(
        results=results,
        seconds=ended - began,
        sent_during=sum(1 for at in sent if at <= ended),
        sent_after=sum(1 for at in sent if at > ended),
        throttled_during=[round(at - began, 2) for at in refused if at <= ended],
        throttled_after=[round(at - began, 2) for at in refused if at > ended],
        turns=during,
    )


def print_overlap(o: Overlap, alone: Latencies, fan_out_seconds: float) -> bool:
    queued = sum(r.queued for r in o.results if r.kind == Kind.READING_LAST_DAY.value)
    print(
        f"## 4. Beyond the three: the fan-out with the sender running, as in `serve` at send_at "
        f"(the last-day reminder, {LAST_DAY:%Y-%m-%d %H:%M}; the sender takes what is committed "
        "while the job goes on)"
    )
    print(
        f"reading_last_day queued: {queued} in {o.seconds:.2f} s "
        f"(part 1, no sender running: {fan_out_seconds:.2f} s)"
    )

    def when(times: list[float]) -> str:
        shown = ", ".join(f"+{t}" for t in times[:8]) + (" …" if len(times) > 8 else "")
        return f"{len(times)}" + (f" (at {shown} s)" if times else "")

    print(
        f"the bot's sends: {o.sent_during} during the fan-out "
        f"({o.sent_during / o.seconds:.1f}/s), {o.sent_after} in the {AFTER_SECONDS:.0f} s after"
    )
    print(
        f"429s the fake answered: {when(o.throttled_during)} during the fan-out, "
        f"{when(o.throttled_after)} after it (target 0)"
    )
    print("| turn-like transaction every 50 ms (lock + commit) | n | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("alone (part 1)", alone))
    print(row("during the fan-out and the drain, and 5 s after", o.turns))
    return not (o.throttled_during or o.throttled_after)


# -- the run ----------------------------------------------------------------------------------


async def run(args: argparse.Namespace, url: str) -> None:
    print(f"# {machine()}")
    started = time.perf_counter()
    parsed = make_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    if postgres:
        await reset_postgres(url)
    await upgrade(url)
    replies = math.ceil(args.notices / 30 / REPLY_EVERY)
    async with FakeTelegram(TOKEN) as fake:
        os.environ.update(energobot_env(url, fake.port))
        settings = load_settings()
        database = Database(url, pool_size=settings.database.pool_size)
        cpu = CpuMeter([os.getpid()], url, parsed.database) if postgres else CpuMeter([os.getpid()])
        try:
            seeded = await seed(database, args.accounts, 2 * replies + 1, datetime.now(UTC))
            shown = parsed.render_as_string(hide_password=True) if postgres else "SQLite, temp file"
            print(
                f"# database {shown}; {seeded.linked} linked customers "
                f"(+{seeded.spare} with a conversation only) bulk-inserted in "
                f"{seeded.seconds:.1f} s"
            )
            async with database.unit_of_work() as store:
                probe_id = seeded.spare_ids()[0]
                customer = await store.customers.get_or_create(
                    "telegram", Seeded.user(probe_id), "", "ru", datetime.now(UTC)
                )
            print()
            fan = await fan_out(database, settings, customer, cpu)
            all_queued = print_fan_out(fan, args.accounts)
            print()
            drained = await drain(database, settings, fake, seeded, args.notices, cpu, customer)
            rate_met, no_429 = print_drain(drained, fake)
            overlapped = None
            if not args.no_overlap:
                print()
                overlap_run = await overlap(database, settings, fake, seeded, customer)
                overlapped = print_overlap(overlap_run, fan.alone, fan.seconds)
        finally:
            await database.dispose()
    print()
    print(
        "# targets: every reminder queued: "
        f"{'met' if all_queued else 'NOT met'}; drain >= 0.95 of the limit: "
        f"{'met' if rate_met else 'NOT met'}; no 429: {'met' if no_429 else 'NOT met'}"
        + (
            ""
            if overlapped is None
            else f"; no 429 with the fan-out beside: {'met' if overlapped else 'NOT met'}"
        )
    )
    print(f"# whole run {time.perf_counter() - started:.0f} s")


async def main(args: argparse.Namespace) -> None:
    if args.database_url:
        await run(args, args.database_url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        await run(args, f"sqlite+aiosqlite:///{tmp}/notices.db")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="linked customers (N)")
    parser.add_argument("--notices", type=int, default=900, help="notices drained (M)")
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql+asyncpg://127.0.0.1/bench_notices (default: SQLite in a temp dir)",
    )
    parser.add_argument(
        "--no-overlap",
        action="store_true",
        help="skip part 4 (the fan-out with the sender running)",
    )
    arguments = parser.parse_args()
    if arguments.notices > arguments.accounts:
        parser.error("--notices must not exceed --accounts (the broadcast goes to them)")
    asyncio.run(main(arguments))
