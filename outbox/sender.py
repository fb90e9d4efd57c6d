"""The outbox sender: a background task in every process that delivers replies on every channel.

Rows are claimed a conversation at a time (all its pending rows, leased), sent in order
within the channel's global rate and the chat's rate, and the outcome of each row is written
in a shared transaction with the outcomes that finished at the same moment (group commit):
one SQLite writer cannot afford a transaction per message.

A platform's rate limit is the bot's, whichever process sends: every sender records that it is
alive (the `senders` table) and sends at its share of each channel's rate, the rate divided by
the senders alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bots.channel import Channel, SendContext, SendError
from core.conflicts import log_background_failure
from core.notices import Lane
from core.ports import OutboxRow, Store
from dialogs.messages import Reply
from dialogs.pipeline import UnitOfWork
from outbox.ledger import Ledger, Write
from outbox.notices.gate import Gate
from outbox.ratelimit import BucketMap, TokenBucket

log = logging.getLogger(__name__)

ROUND_GAP_SECONDS = 0.02
# A little under the platform's limits, and one message of the channel's burst left unused:
# sends to different chats leave side by side, and one that leaves on the limit may arrive a
# few milliseconds early as the platform counts (the one before it late); a 429 costs seconds.
# A chat's own sends go one after the other, so its burst can be used whole.
RATE_MARGIN = 0.98
BURST_SLACK = 1
# Tokens of a channel's rate notices leave untouched: the next reply goes at once.
REPLY_RESERVE = 1
NOTICE_BURST = 2  # notices back to back at most, however long the channel was idle
# The Reply value with the text a row keeps once it is no longer to be sent (a one-time code's
# mail: the code itself is not kept, nor shown in transcripts). dialogs/flows/email.py says it.
KEPT_TEXT = "kept_text"

Clock = Callable[[], datetime]
# Told each row's outcome (metrics): (channel, "sent" | "failed" | "refused" | "deferred").
ResultObserver = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class SenderConfig:
    poll_seconds: float = 0.5
    batch: int = 200
    lease_seconds: float = 60.0
    send_timeout_seconds: float = 15.0
    max_attempts: int = 12
    report_seconds: float = 60.0
    stop_grace_seconds: float = 10.0
    # How often a sender says it is alive; one silent for three beats no longer counts.
    heartbeat_seconds: float = 5.0


class OutboxSender:
    def __init__(
        self,
        unit_of_work: UnitOfWork,
        channels: Mapping[str, Channel],
        config: SenderConfig | None = None,
        clock: Clock = lambda: datetime.now(UTC),
        on_result: ResultObserver | None = None,
        gate: Gate | None = None,
        on_notice: ResultObserver | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self.channels = dict(channels)
        self._on_result = on_result
        # Notices (lanes above the replies) are sent only by a sender with a gate to check them.
        self._gate = gate
        self._lanes = (Lane.REPLY, Lane.PERSONAL, Lane.BROADCAST) if gate else (Lane.REPLY,)
        self._on_notice = on_notice
        self._replies: dict[int, Reply] = {}  # notices the gate rendered, by row, till sent
        self._notices_at = 0.0  # the loop's time from which notices are looked for again
        self.config = config or SenderConfig()
        self._clock = clock
        self._ledger = Ledger(unit_of_work)
        self.id = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.share = 1  # senders alive, this one included: each channel's rate is divided by it
        self._global = {
            name: TokenBucket(*_global_rate(ch, 1)) for name, ch in self.channels.items()
        }
        # Notices also keep an even pace of their own: a broadcast never takes the channel's
        # saved-up burst at once, which the platform would see arrive together whenever the
        # «sending» marks' commit holds them back for a moment (429s, bench/notices.py).
        self._paces = {
            name: TokenBucket(_global_rate(ch, 1)[0], NOTICE_BURST)
            for name, ch in self.channels.items()
        }
        self._chats = {
            name: BucketMap(ch.rates.per_chat_per_second * RATE_MARGIN, ch.rates.per_chat_burst)
            for name, ch in self.channels.items()
        }
        self._wake = asyncio.Event()
        self._stopping = False
        self._claiming = True
        self._task: asyncio.Task[None] | None = None
        self._beats: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[int]] = set()
        # Conversations in flight per channel, replies apart from notices: notices waiting for
        # the rate the replies leave must never keep a reply from being claimed.
        self._busy: dict[tuple[str, bool], int] = defaultdict(int)
        self.sent = 0
        self.failed = 0
        self.refused = 0  # closed messaging windows: never sent

    def _result(self, channel: str, result: str, kind: str | None = None) -> None:
        if self._on_result is not None:
            self._on_result(channel, result)
        if kind and self._on_notice is not None:
            self._on_notice(kind, result)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """Nothing claimed is being delivered."""
        return not self._inflight

    def wake_notices(self) -> None:
        """Notices were queued: look for them now rather than at the next poll."""
        self._notices_at = 0.0
        self._wake.set()

    def wake(self) -> None:
        """New rows were committed: look now rather than at the next poll."""
        self._wake.set()

    def start(self, *, claiming: bool = True) -> None:
        """Beat and send; without `claiming` only beat (a process that queues notices and
        leaves the sending to `serve` still holds its jobs as a live sender)."""
        self._claiming = claiming
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming; let deliveries in flight finish for a while, then cut them off
        (their rows are retried when the lease runs out)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._inflight:
            _, late = await asyncio.wait(self._inflight, timeout=self.config.stop_grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._beats is not None:
            self._beats.cancel()
            await asyncio.gather(self._beats, return_exceptions=True)
            await self._leave()

    async def _run(self) -> None:
        # Alive (and its share known) before the first claim; then beating on its own timer,
        # so that a slow claim or send never makes it look gone to the others.
        await self._beat()
        self._beats = asyncio.create_task(self._beat_forever(), name="outbox-heartbeat")
        if not self._claiming:
            return
        next_report = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self._round()
            except Exception:
                log_background_failure(log, "outbox: claiming failed")
                claimed = 0
            if loop.time() >= next_report:
                next_report = loop.time() + self.config.report_seconds
                await self._report()
            # Wakes that come while a round runs are taken together by the next one: a
            # claim is a write transaction, and the single SQLite writer also serves turns.
            await asyncio.sleep(ROUND_GAP_SECONDS)
            if claimed:
                continue  # more may be due right away
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_seconds)

    async def _round(self) -> int:
        claimed = 0
        loop = asyncio.get_running_loop()
        # Notices are looked for on the poll's beat, when queued (wake_notices) or while a
        # broadcast drains, not on every reply's wake: each look is a transaction.
        notices = self._gate is not None and loop.time() >= self._notices_at
        found_notices = False
        for name in self.channels:
            # About a second of the channel's rate in flight: claiming more would only make
            # rows wait in memory, leased, instead of in the table.
            rate = self._global[name].rate
            cap = min(self.config.batch, math.ceil(rate)) if rate > 0 else self.config.batch
            for lane in self._lanes:
                notice = lane is not Lane.REPLY
                room = cap - self._busy[name, notice]
                if room <= 0 or (notice and not notices):
                    continue
                for rows in await self._claim(name, room, lane=lane):
                    self._busy[name, notice] += 1
                    task = asyncio.create_task(self._deliver(name, rows))
                    self._inflight.add(task)
                    task.add_done_callback(partial(self._done, (name, notice)))
                    claimed += 1
                    found_notices |= notice
        if notices and not found_notices:
            self._notices_at = loop.time() + self.config.poll_seconds
        return claimed

    def _done(self, key: tuple[str, bool], task: asyncio.Task[int]) -> None:
        self._inflight.discard(task)
        self._busy[key] -= 1

    async def _claim(
        self,
        channel: str,
        limit: int,
        conversation_id: int | None = None,
        *,
        lane: Lane = Lane.REPLY,
    ) -> list[list[OutboxRow]]:
        now = self._clock()
        # The clock may stand at another moment (`notices run --at`): a lease must hold in
        # every process's time, so it runs from the later of that moment and the wall clock.
        lease = max(now, _wall()) + timedelta(seconds=self.config.lease_seconds)
        async with self._unit_of_work() as store:
            rows: Sequence[OutboxRow] = await store.outbox.claim(
                channel,
                now,
                lease,
                limit=limit,
                conversation_id=conversation_id,
                # Only a sender that beats can be found gone (flush() runs without one).
                leased_by=self.id if self._task is not None else None,
                lane=lane,
            )
            # Notices (rows with a kind) are judged by the gate; a personal message written
            # whole during a turn (an e-mail with a receipt) goes as it is.
            notices = [row for row in rows if row.kind]
            if lane is not Lane.REPLY and notices and self._gate is not None:
                judged = await self._gate.admit(store, notices, now)
                self._told_skips(notices, judged)
                admitted = {k: reply for k, reply in judged.items() if reply is not None}
                self._replies.update(admitted)
                rows = [row for row in rows if not row.kind or row.id in admitted]
            await store.commit()
        grouped: dict[int, list[OutboxRow]] = defaultdict(list)
        for row in rows:
            grouped[row.conversation_id].append(row)
        return list(grouped.values())

    def _told_skips(self, rows: Sequence[OutboxRow], judged: Mapping[int, Reply | None]) -> None:
        """Skipped ones are counted; held ones (quiet hours) are not: they go in the morning."""
        for row in rows:
            if row.id not in judged:
                self._result(row.channel, "skipped", row.kind)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_seconds)
            await self._beat()

    async def _beat(self) -> None:
        """Say this sender is alive and take its share of every channel's rate (in wall-clock
        time, whatever moment the sender's clock stands at)."""
        now = _wall()
        alive_since = now - timedelta(seconds=3 * self.config.heartbeat_seconds)
        try:
            async with self._unit_of_work() as store:
                share = max(1, await store.senders.beat(self.id, now, alive_since))
                await store.commit()
        except Exception:
            log_background_failure(log, "outbox: recording this sender as alive failed")
            return
        if share != self.share:
            log.info("outbox: %d senders alive, each at 1/%d of the rates", share, share)
            self.share = share
            for name, channel in self.channels.items():
                self._global[name].retune(*_global_rate(channel, share))
                self._paces[name].retune(_global_rate(channel, share)[0], NOTICE_BURST)

    async def _leave(self) -> None:
        try:
            async with self._unit_of_work() as store:
                await store.senders.leave(self.id)
                await store.commit()
        except Exception:
            failed = "outbox: removing this sender failed (it is forgotten when silent)"
            log_background_failure(log, failed)

    async def _report(self) -> None:
        try:
            async with self._unit_of_work() as store:
                depth = await store.outbox.depth()
        except Exception:
            log_background_failure(log, "outbox: reading the depth failed")
            return
        now = self._clock()
        for channel, count, oldest in depth:
            age = (now - oldest).total_seconds() if oldest else 0.0
            log.info("outbox %s: %d pending, oldest %.1f s", channel, count, age)
        for buckets in self._chats.values():
            buckets.sweep()

    # -- delivery ----------------------------------------------------------------------------

    async def flush(self, channel: str, conversation_id: int) -> int:
        """Deliver one conversation's due rows now, in this task (the terminal channel)."""
        delivered = 0
        for lane in self._lanes:
            for rows in await self._claim(channel, 1, conversation_id, lane=lane):
                delivered += await self._deliver(channel, rows)
        return delivered

    async def _deliver(self, channel_name: str, rows: list[OutboxRow]) -> int:
        """Send one conversation's rows in order; stop at the first one that must wait."""
        try:
            return await self._deliver_rows(channel_name, rows)
        finally:
            for row in rows:
                self._replies.pop(row.id, None)

    async def _mark_sending(self, row: OutboxRow) -> bool:
        marked: list[bool] = []
        by = self.id if self._task is not None else None

        async def op(store: Store) -> None:
            marked.append(await store.outbox.sending(row.id, by))

        await self._ledger.write(op)
        return bool(marked and marked[-1])

    async def _spare(self, channel: str) -> None:
        await asyncio.sleep(self._paces[channel].reserve())
        await _spare_wait(self._global[channel])

    async def _deliver_rows(self, channel_name: str, rows: list[OutboxRow]) -> int:
        channel = self.channels[channel_name]
        delivered = 0
        for index, row in enumerate(rows):
            reply = self._replies.get(row.id) or Reply.from_dict(row.body)
            kept = _kept(reply)
            if row.send_blocked:
                self._result(channel_name, "failed")
                blocked = _failed(row.id, self._clock(), row.send_blocked, True, kept=kept)
                await self._ledger.write(blocked)
                continue
            context = SendContext(self._clock(), row.last_inbound_at, row.id)
            notice = row.lane != Lane.REPLY
            if notice and (refusal := channel.refusal(reply, context)) is not None:
                # A notice the platform would not take now is not sent at all, and says why.
                self._result(channel_name, "skipped", row.kind)
                await self._ledger.write(_skipped(row.id, refusal.value))
                continue
            if (refusal := channel.refusal(reply, context)) is not None:
                # The platform would refuse it (a closed messaging window): nothing is sent.
                log.info("outbox %s row %d refused: %s", channel_name, row.id, refusal.value)
                self.refused += 1
                self._result(channel_name, "refused")
                refused = _failed(row.id, context.now, f"refused: {refusal}", True, kept=kept)
                await self._ledger.write(refused)
                continue
            # The chat's turn first, then a place in the channel's queue: a channel token taken
            # while the chat still waits would be spent later, together with the tokens of then.
            chat = self._chats[channel_name][row.user_id]
            if wait := chat.reserve():
                await asyncio.sleep(wait)
            if notice:
                await self._spare(channel_name)
                # A notice is marked before the platform sees it: after a crash mid-send it is
                # not sent again (told at most once). A row whose lease ran out while it waited
                # may be another sender's by now. A message written whole in a turn (a mail) is
                # not a notice: like a reply, it is sent again after a crash (at least once).
                if row.kind and not await self._mark_sending(row):
                    continue
            else:
                await asyncio.sleep(self._global[channel_name].reserve())
            try:
                async with asyncio.timeout(self.config.send_timeout_seconds):
                    platform_id = await channel.send(row.user_id, reply, context)
            except SendError as exc:
                if exc.retry_after is not None:
                    # Told to wait: the whole chat (and, for a global limit, the channel) waits.
                    chat.pause(exc.retry_after)
                    self._result(channel_name, "deferred")
                    until = self._clock() + timedelta(seconds=exc.retry_after)
                    await self._ledger.write(
                        _deferred(row.id, until, exc.reason, rows[index + 1 :])
                    )
                    return delivered
                log.warning("outbox %s row %d: %s", channel_name, row.id, exc.reason)
                self.failed += 1
                self._result(channel_name, "failed")
                final = exc.permanent or exc.blocks
                await self._ledger.write(
                    _failed(
                        row.id,
                        self._clock(),
                        exc.reason,
                        exc.permanent,
                        blocks=exc.blocks,
                        conversation_id=row.conversation_id,
                        kept=kept if final else None,
                    )
                )
                if exc.blocks:
                    for rest in rows[index + 1 :]:
                        self._result(channel_name, "failed")
                        failed = _failed(
                            rest.id,
                            self._clock(),
                            exc.reason,
                            True,
                            kept=_kept(Reply.from_dict(rest.body)),
                        )
                        await self._ledger.write(failed)
                    return delivered
                if exc.permanent:
                    continue  # this message is refused as it is; the next ones may go
                await self._ledger.write(_released(rows[index + 1 :]))
                return delivered
            except Exception as exc:  # timeouts, connection errors: try again after backoff
                reason = f"{type(exc).__name__}: {exc}".strip(": ")
                log.warning("outbox %s row %d: %s", channel_name, row.id, reason)
                self.failed += 1
                self._result(channel_name, "failed")
                final = row.attempts + 1 >= self.config.max_attempts
                await self._ledger.write(
                    _failed(
                        row.id,
                        self._clock(),
                        reason,
                        False,
                        self.config.max_attempts,
                        kept=kept if final else None,
                    )
                )
                await self._ledger.write(_released(rows[index + 1 :]))
                return delivered
            self.sent += 1
            self._result(channel_name, "sent", row.kind)
            delivered += 1
            await self._ledger.write(_sent(row.id, self._clock(), platform_id, kept))
        self.wake()  # the conversation may have more rows by now
        return delivered


def _wall() -> datetime:
    return datetime.now(UTC)


async def _spare_wait(bucket: TokenBucket) -> None:
    """A notice's place in the channel's rate: only a token the replies leave (one is always
    kept for the next reply), so a reply never waits behind a broadcast."""
    keep = min(REPLY_RESERVE, bucket.burst - 1)  # a burst of one keeps nothing back
    # Tokens come with time, not with an event: sleeping until the next one may be spare.
    while (wait := bucket.take_spare(keep)) > 0:  # noqa: ASYNC110
        await asyncio.sleep(wait)


def _skipped(row_id: int, reason: str) -> Write:
    async def op(store: Store) -> None:
        await store.outbox.skip({row_id: reason})

    return op


def _kept(reply: Reply) -> dict[str, Any] | None:
    """The body a row keeps once it is no longer to be sent, when its reply says one
    (KEPT_TEXT); None to keep it as it is."""
    values = dict(reply.values)
    text = values.pop(KEPT_TEXT, None)
    if text is None:
        return None
    return replace(reply, text=text, values=tuple(values.items())).to_dict()


def _sent(
    row_id: int, at: datetime, platform_id: str | None, kept: dict[str, Any] | None = None
) -> Write:
    async def op(store: Store) -> None:
        await store.outbox.mark_sent(row_id, at, platform_id)
        if kept is not None:
            await store.outbox.rewrite({row_id: kept})

    return op


def _global_rate(channel: Channel, share: int) -> tuple[float, int]:
    """A sender's rate and burst on `channel` when `share` senders divide it."""
    per_second = channel.rates.per_second
    return per_second * RATE_MARGIN / share, (int(per_second) - BURST_SLACK) // share


def _failed(
    row_id: int,
    at: datetime,
    reason: str,
    permanent: bool,
    max_attempts: int | None = None,
    *,
    blocks: bool = False,
    conversation_id: int | None = None,
    kept: dict[str, Any] | None = None,
) -> Write:
    """`kept`: the body to keep when this failure is the row's last (never tried again)."""

    async def op(store: Store) -> None:
        await store.outbox.mark_failed(row_id, at, reason, permanent, max_attempts)
        if kept is not None:
            await store.outbox.rewrite({row_id: kept})
        if blocks and conversation_id is not None:
            await store.conversations.block_sending(conversation_id, reason)

    return op


def _deferred(row_id: int, until: datetime, reason: str, rest: list[OutboxRow]) -> Write:
    async def op(store: Store) -> None:
        await store.outbox.defer(row_id, until, reason)
        await store.outbox.release([r.id for r in rest])

    return op


def _released(rest: list[OutboxRow]) -> Write:
    async def op(store: Store) -> None:
        await store.outbox.release([r.id for r in rest])

    return op
