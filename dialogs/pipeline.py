"""The way of one message: inbox → lock → engine → outbox, in one unit of work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from core.conversations import Conversation, ConversationStatus, Customer
from core.masking import hide_card_data
from core.ports import Store
from dialogs.batch import Batcher
from dialogs.config import DialogConfig
from dialogs.context import GO, Ctx
from dialogs.engine import Engine
from dialogs.flows.receipt_document import receipt_attachment
from dialogs.messages import NOTICES, Attachment, Inbound, InboundKind, Reply

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractAsyncContextManager[Store]]
STOPPED_BY_CUSTOMER = "stopped by the customer"


@dataclass(frozen=True, slots=True)
class Handled:
    duplicate: bool
    conversation_id: int | None
    replies: tuple[Reply, ...]


class PipelineObserver(Protocol):
    """Told of every event the pipeline takes (metrics); must be cheap and must not raise."""

    def received(self, channel: str, kind: str) -> None: ...

    def handled(self, channel: str, duplicate: bool, seconds: float) -> None:
        """The event's turn is committed (or it was a duplicate), `seconds` after it came."""


def _clean(value: str) -> str:
    """Text any database takes: JSON may carry a lone surrogate (not encodable as UTF-8) or a
    NUL (PostgreSQL's text and JSONB refuse it); both become U+FFFD."""
    if value.isascii() and "\x00" not in value:
        return value
    # Through UTF-16: a lone surrogate becomes one U+FFFD, a split pair joins up again.
    cleaned = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return cleaned.replace("\x00", "\ufffd")


def pressed_label(state: dict[str, Any], payload: str) -> str:
    """The label of the last prompt's button that carries `payload` ("" if it is not there)."""
    last = state.get("last") or {}
    _, _, action = payload.partition(":")
    for label, option in last.get("options") or []:
        if option == payload or (not payload.startswith(GO) and option == action):
            return str(label)
    return ""


def _storable(inbound: Inbound) -> Inbound:
    fields = ("text", "payload", "phone", "display_name", "language", "file_id", "user_id")
    changes = {name: _clean(getattr(inbound, name)) for name in fields}
    # Any: replace() checks each keyword against its own field, and these are all str ones.
    changed: dict[str, Any] = {k: v for k, v in changes.items() if v != getattr(inbound, k)}
    return replace(inbound, **changed) if changed else inbound


class KeyedLocks:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class Pipeline:
    """Handles inbound events for every channel the same way."""

    def __init__(
        self,
        unit_of_work: UnitOfWork,
        engine: Engine,
        config: DialogConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_commit: Callable[[Handled], None] | None = None,
        writers: int = 1,
        observer: PipelineObserver | None = None,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.engine = engine
        self.config = config
        self.clock = clock
        # Told after every commit that wrote replies (the outbox sender wakes up).
        self.on_commit = on_commit
        self.observer = observer
        self._locks = KeyedLocks()
        self._batcher: Batcher[Handled] = Batcher(unit_of_work, workers=writers)
        self._receipts: Batcher[int] = Batcher(unit_of_work)

    async def handle(self, inbound: Inbound) -> Handled:
        """Run one event in one transaction; a duplicate event changes nothing."""
        started = time.perf_counter()
        if (observer := self.observer) is not None:
            observer.received(inbound.channel, inbound.kind.value)
        inbound = _storable(inbound)
        text, redacted = hide_card_data(inbound.text)
        if redacted:  # card data is never stored, not even in the inbox
            inbound = replace(inbound, text=text, redacted=True)
        # The in-process lock keeps one conversation's events in order; the row lock
        # (PostgreSQL) or the single writer (SQLite) does the same across processes.
        async with self._locks.hold(f"{inbound.channel}:{inbound.user_id}"):
            try:
                handled = await self._handle(inbound, recovering=False)
            except Exception:
                # Rolled back. Taking the event with an apology and a fresh state keeps one
                # bad state or bug from failing (and being redelivered) forever.
                log.exception("event %s/%s failed", inbound.channel, inbound.event_id)
                handled = await self._handle(inbound, recovering=True)
        if handled.replies and self.on_commit is not None:
            self.on_commit(handled)
        if observer is not None:
            observer.handled(inbound.channel, handled.duplicate, time.perf_counter() - started)
        return handled

    async def record_delivery(
        self,
        channel: str,
        platform_ids: Sequence[str],
        status: str,
        at: datetime,
        error: str = "",
        *,
        earlier_too: bool = False,
    ) -> int:
        """A platform's receipt (sent, delivered, read, failed) on the outbox rows it names;
        returns how many rows changed (a receipt never moves a row backwards). `earlier_too`:
        it stands for every message sent to that customer before them as well."""
        ids = sorted(set(platform_ids))
        return await self._receipts.run(
            lambda store: store.outbox.record_delivery(
                channel, ids, status, at, error, earlier_too=earlier_too
            ),
            f"{channel}:{ids[0] if ids else ''}",
        )

    async def record_delivery_until(
        self, channel: str, user_id: str, status: str, until: datetime, at: datetime
    ) -> int:
        """A watermark receipt (Messenger): every message to `user_id` sent by `until`."""
        return await self._receipts.run(
            lambda store: store.outbox.record_delivery_until(channel, user_id, status, until, at),
            f"{channel}:{user_id}",
        )

    async def preview(self, inbound: Inbound) -> list[Reply]:
        """What the turn would answer, with nothing of it kept (no customer, inbox or outbox
        row): the web chat's greeting for a visitor who has not written yet."""
        async with self.unit_of_work() as store:
            handled = await self._turn(store, _storable(inbound), recovering=False)
            await store.rollback()
        return list(handled.replies)

    async def receipt(
        self, store: Store, customer_id: int, account: str, period: str
    ) -> Attachment | None:
        """The customer's receipt of `period` (YYYY-MM) for a linked account, as the customer
        would get it in the chat (their language); None when the account is not theirs, billing's
        last twelve months lack the period, or the PDF cannot be made. For the console: it reads
        only and takes no lock — a stand-in conversation (never saved), since a receipt reads
        nothing of the dialog's state and the real one is locked by `open` on PostgreSQL."""
        customer = await store.customers.get(customer_id)
        if customer is None:
            return None
        linked = next(
            (a for a in await store.accounts.linked(customer_id) if a.number == account), None
        )
        if linked is None:
            return None
        conversation = Conversation(
            id=0,
            customer_id=customer.id,
            channel=customer.channel,
            user_id=customer.user_id,
            status=ConversationStatus.BOT,
            state={},
            version=0,
            last_inbound_at=None,
        )
        ctx = Ctx(
            engine=self.engine,
            store=store,
            config=self.config,
            customer=customer,
            conversation=conversation,
            now=self.clock(),
        )
        return await receipt_attachment(ctx, linked, period)

    async def _handle(self, inbound: Inbound, *, recovering: bool) -> Handled:
        # Keyed by the conversation: every batch, in every process, locks rows in one order.
        key = f"{inbound.channel}:{inbound.user_id}"
        return await self._batcher.run(lambda store: self._turn(store, inbound, recovering), key)

    async def _turn(self, store: Store, inbound: Inbound, recovering: bool) -> Handled:
        """One event's turn inside the batch's transaction (its own savepoint)."""
        now = self.clock()
        body = inbound.to_dict()
        # A pressed button's label is kept with the event (transcripts show what was pressed;
        # the dialog itself goes by the payload): it is read in the state, after the lock.
        labelled = inbound.kind is InboundKind.BUTTON and not inbound.text
        found = None
        if not labelled:
            found = await store.conversations.open_with_event(
                inbound.channel, inbound.user_id, inbound.event_id, body, now
            )
        added: bool | None = None
        opened: tuple[Customer, Conversation] | None
        if found is not None:
            opened, added = found[:2], found[2]
        else:
            # A button, a conversation held by another transaction, or no such customer: wait
            # for the lock before anything is written, as every writer takes it first (the
            # customer row is written below when the display name changed).
            opened = await store.conversations.open(inbound.channel, inbound.user_id)
        if opened is not None and inbound.display_name in ("", opened[0].display_name):
            customer, conversation = opened  # the common case: one statement
        else:
            customer = await store.customers.get_or_create(
                inbound.channel,
                inbound.user_id,
                inbound.display_name,
                # Many customers run an English messenger UI: Russian first, changeable.
                self.config.default_language,
                now,
            )
            conversation = await store.conversations.get_for_update(customer, now)
        if added is None:
            # After the lock (another process's turn may have held it): this turn's rows come
            # after that turn's in time as they do in order. (open_with_event does not wait for
            # a lock another transaction holds: it comes this way.)
            now = self.clock()
            if labelled:
                body["text"] = pressed_label(conversation.state, inbound.payload)
            added = await store.inbox.add(
                inbound.channel, inbound.event_id, body, now, conversation.id
            )
        if not added:
            # Seen before: its turn was taken then. (A customer row created just now for a
            # duplicate can only be the one the original created: same channel and user.)
            log.info("duplicate event %s/%s dropped", inbound.channel, inbound.event_id)
            return Handled(True, None, ())
        if inbound.kind in NOTICES:
            stopped = inbound.kind is InboundKind.STOPPED
            await store.conversations.block_sending(
                conversation.id, STOPPED_BY_CUSTOMER if stopped else None
            )
            return Handled(False, conversation.id, ())
        conversation.last_inbound_at = now
        # Whoever writes can be written to: an earlier "blocked" or "rate" mark is over.
        conversation.send_blocked = None
        ctx = Ctx(
            engine=self.engine,
            store=store,
            config=self.config,
            customer=customer,
            conversation=conversation,
            now=now,
        )
        if recovering:
            replies = await self.engine.recover(ctx)
        else:
            replies = await self.engine.run(ctx, inbound)
        await store.conversations.save(conversation, [r.to_dict() for r in replies], now)
        return Handled(False, conversation.id, tuple(replies))
