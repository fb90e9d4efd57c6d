"""What the domain and the dialogs need from storage, as Protocols.

storage/ implements them with SQLAlchemy; tests may implement them in memory. Every method
runs inside the unit of work it was obtained from; nothing is visible to others before commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from core.accounts import Account, Category
from core.balance import HistoryEntry
from core.conversations import (
    Author,
    Conversation,
    ConversationStatus,
    Customer,
    Escalation,
    EscalationMessage,
    EscalationStatus,
)
from core.jsontypes import JSONObject
from core.meters import Meter, Scheme
from core.notices import CampaignRecord, LinkedAccount, NoticeDraft, NoticeFacts, OutageRecord
from core.payments import OnlinePayment, PaymentStatus
from core.readings import Reading, ReadingStatus
from core.tariffs import TariffRow
from core.visits import Visit, VisitStatus, VisitStatusChange


class InboxPort(Protocol):
    async def add(
        self,
        channel: str,
        event_id: str,
        body: JSONObject,
        received_at: datetime,
        conversation_id: int | None = None,
    ) -> bool:
        """Record an inbound event; False if (channel, event_id) was seen before."""

    async def attach(self, channel: str, event_id: str, conversation_id: int) -> None:
        """Remember which conversation the event belongs to (for the transcript)."""


class OutboxPort(Protocol):
    async def add(
        self,
        conversation_id: int,
        channel: str,
        user_id: str,
        body: JSONObject,
        created_at: datetime,
        lane: int = 0,
    ) -> int: ...

    async def add_all(
        self,
        conversation_id: int,
        channel: str,
        user_id: str,
        bodies: Sequence[JSONObject],
        created_at: datetime,
    ) -> None:
        """A turn's replies, in order (ids ascending), in lane 0."""

    async def pending(
        self, channel: str, conversation_id: int | None = None
    ) -> Sequence[OutboxRow]:
        """Unsent rows of a channel in creation order (optionally of one conversation)."""

    async def mark_sent(
        self, row_id: int, at: datetime, platform_id: str | None = None
    ) -> None: ...

    async def mark_failed(
        self,
        row_id: int,
        at: datetime,
        error: str,
        permanent: bool,
        max_attempts: int | None = None,
    ) -> None: ...

    async def claim(
        self,
        channel: str,
        now: datetime,
        lease_until: datetime,
        *,
        limit: int,
        conversation_id: int | None = None,
        leased_by: str | None = None,
        lane: int = 0,
    ) -> Sequence[OutboxRow]:
        """Every pending row of one lane of up to `limit` conversations whose oldest row in
        the lane is due, leased (by `leased_by`, a sender that beats: its rows are due again
        once it is gone). Notices of a paused or cancelled campaign are not taken."""

    async def skip(self, reasons: dict[int, str]) -> None:
        """Notices not to be sent after all, each with its reason (core.notices.Skip)."""

    async def sending(self, row_id: int, leased_by: str | None) -> bool:
        """A notice is about to go to the platform (found so after a crash: not sent again);
        False when it is no longer this sender's to send."""

    async def rewrite(self, bodies: Mapping[int, JSONObject]) -> None:
        """Replace rows' bodies (a notice rendered just before it is sent)."""

    async def release(self, row_ids: list[int]) -> None:
        """Leased rows back to due, untried."""

    async def defer(self, row_id: int, until: datetime, error: str) -> None:
        """Retry at `until` without counting a failure."""

    async def depth(self) -> list[tuple[str, int, datetime | None]]:
        """Per channel: pending replies (not notices) and the oldest one's creation time."""

    async def due_notices(self, now: datetime, channels: Sequence[str] | None = None) -> int:
        """Notices pending and due by `now` (of these channels only, if named)."""

    async def record_delivery(
        self,
        channel: str,
        platform_ids: list[str],
        status: str,
        at: datetime,
        error: str = "",
        *,
        earlier_too: bool = False,
    ) -> int:
        """A platform's receipt (sent, delivered, read, failed) for the rows it names by id
        (`earlier_too`: and for every row sent to the same customer before them)."""

    async def record_delivery_until(
        self, channel: str, user_id: str, status: str, until: datetime, at: datetime
    ) -> int:
        """A watermark receipt: every row sent to `user_id` at or before `until`."""

    async def attachment(self, row_id: int) -> JSONObject | None:
        """The file of an outbox row's reply (filename, media_type, data_b64), or None."""

    async def last_queued(
        self, conversation_id: int, channel: str, user_id: str
    ) -> datetime | None:
        """When the conversation last queued a row to `user_id` on `channel` (a code's mail)."""


class OutboxRow(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def conversation_id(self) -> int: ...

    @property
    def channel(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def attempts(self) -> int: ...

    @property
    def send_blocked(self) -> str | None: ...

    @property
    def last_inbound_at(self) -> datetime | None: ...

    @property
    def lane(self) -> int: ...

    @property
    def last_error(self) -> str | None: ...

    @property
    def campaign_id(self) -> int | None: ...

    @property
    def kind(self) -> str | None: ...

    @property
    def account(self) -> str | None: ...

    @property
    def customer_id(self) -> int | None: ...


class CustomerPort(Protocol):
    async def get_or_create(
        self, channel: str, user_id: str, display_name: str, language: str, now: datetime
    ) -> Customer: ...

    async def get(self, customer_id: int) -> Customer | None: ...

    async def update(self, customer: Customer) -> None:
        """Save the language."""

    async def erase(self, customer_id: int, now: datetime) -> None:
        """Withdrawal of consent: unlink every account, forget the messenger data
        (display name, transcripts in the inbox), keep what billing needs (submitted readings)."""


class ConversationPort(Protocol):
    async def get_for_update(self, customer: Customer, now: datetime) -> Conversation:
        """The customer's conversation, created if missing, locked until commit."""

    async def open(self, channel: str, user_id: str) -> tuple[Customer, Conversation] | None:
        """A known customer and their conversation, locked until commit, in one round trip;
        None when either is missing or the customer was erased (get_or_create's cases)."""

    async def open_with_event(
        self, channel: str, user_id: str, event_id: str, body: JSONObject, received_at: datetime
    ) -> tuple[Customer, Conversation, bool] | None:
        """`open`, and the inbound event kept in the inbox with the conversation — on
        PostgreSQL in the same round trip. The flag is InboxPort.add's: False when the event was
        kept before (a duplicate). None as `open`, or when another transaction holds the
        conversation's lock (PostgreSQL: it is not waited for); nothing is kept then."""

    async def save(
        self,
        conversation: Conversation,
        replies: Sequence[JSONObject] = (),
        at: datetime | None = None,
    ) -> None:
        """Persist status, state, version, last_inbound_at and send_blocked, and queue the
        turn's `replies` (made `at`) as OutboxPort.add_all does: the end of a turn at once."""

    async def block_sending(self, conversation_id: int, reason: str | None) -> None:
        """Record why nothing can be delivered now (None: deliverable again)."""

    async def last_inbound_at(self, conversation_id: int) -> datetime | None:
        """When the customer last wrote (messaging windows are counted from it)."""

    async def transcript(self, conversation_id: int, limit: int) -> list[EscalationMessage]:
        """The latest inbound texts and bot replies, oldest first."""


class ConsentPort(Protocol):
    async def has(self, customer_id: int, version: str) -> bool: ...

    async def record(self, customer_id: int, version: str, channel: str, at: datetime) -> None: ...


class AccountPort(Protocol):
    async def get(self, number: str) -> Account | None: ...

    async def count(self) -> int:
        """How many accounts billing has given us."""

    async def by_phone(self, phone: str) -> list[Account]: ...

    async def linked(self, customer_id: int) -> list[Account]:
        """Accounts the customer linked, in the order they were linked."""

    async def link(self, customer_id: int, number: str, how: str, at: datetime) -> None:
        """Idempotent; `how` is "surname" or "phone"."""

    async def unlink(self, customer_id: int, number: str) -> None: ...

    async def upsert(self, accounts: Sequence[Account]) -> tuple[int, int]:
        """Insert or update by number; returns (inserted, updated)."""


class LinkAttemptPort(Protocol):
    async def add(self, customer_id: int, number: str, success: bool, at: datetime) -> None: ...

    async def failures_by_customer(self, customer_id: int, since: datetime) -> int: ...

    async def failures_by_account(self, number: str, since: datetime) -> int: ...


class MeterPort(Protocol):
    async def for_account(self, number: str) -> list[Meter]:
        """Meters with their registers, ordered by serial; registers ordered T1, T2, T3."""

    async def upsert(self, meters: Sequence[Meter]) -> tuple[int, int]:
        """Insert or update by (account, serial) and register name."""

    async def lock(self, account: str, serial: str) -> None:
        """Hold the meter until commit, so that two people submitting readings for it at once
        (family members, in different conversations) are handled one after the other."""


class ReadingPort(Protocol):
    async def for_meter(
        self,
        account: str,
        serial: str,
        limit: int | None = None,
        *,
        counted_before: str | None = None,
    ) -> list[Reading]:
        """Newest first, every status; all of them unless limited (baselines need them). With
        `counted_before` (a period), the earlier periods' readings only where they count: a
        month's corrections replaced long ago are no baseline and would only grow the read."""

    async def add(self, reading: Reading) -> Reading: ...

    async def add_all(self, new: Sequence[Reading]) -> None:
        """A submission's readings (a meter's zones) at once."""

    async def set_status(self, reading_ids: Sequence[int], status: ReadingStatus) -> None: ...

    async def export(self, period: str | None) -> list[Reading]:
        """Regular readings (all statuses), oldest first; control readings are not billing's."""

    async def flagged(self) -> list[Reading]: ...


class HistoryPort(Protocol):
    async def for_account(self, number: str, limit: int) -> list[HistoryEntry]:
        """Newest period first."""

    async def upsert(self, entries: Sequence[HistoryEntry]) -> tuple[int, int]: ...


class TariffPort(Protocol):
    async def all(self) -> list[TariffRow]: ...

    async def of(self, category: Category, scheme: Scheme) -> list[TariffRow]:
        """The rows of one category and scheme, every validity period (what a bill, an estimate
        or the restriction threshold is priced with)."""

    async def upsert(self, rows: Sequence[TariffRow]) -> tuple[int, int]:
        """Keyed by (category, scheme, zone, range, valid_from)."""


class VisitPort(Protocol):
    async def create(self, visit: Visit) -> Visit:
        """Stores the visit and its first status entry; returns it with its id."""

    async def get(self, visit_id: int) -> Visit | None: ...

    async def for_accounts(self, numbers: Sequence[str]) -> list[Visit]:
        """Newest first."""

    async def change_status(
        self,
        visit_id: int,
        status: VisitStatus,
        change: VisitStatusChange,
        scheduled_date: date | None = None,
        scheduled_slot: str | None = None,
    ) -> None: ...

    async def history(self, visit_id: int) -> list[VisitStatusChange]: ...


class EscalationPort(Protocol):
    async def open(
        self,
        conversation_id: int,
        reason: str,
        at: datetime,
        transcript: Sequence[EscalationMessage],
    ) -> Escalation: ...

    async def active(self, conversation_id: int) -> Escalation | None:
        """The waiting or claimed escalation of a conversation, if any."""

    async def add_message(
        self,
        escalation_id: int,
        author: Author,
        text: str,
        at: datetime,
        operator: str | None = None,
    ) -> None: ...

    async def close(self, escalation_id: int, at: datetime) -> None: ...


class AuditPort(Protocol):
    async def record(
        self, actor: str, action: str, at: datetime, details: JSONObject | None = None
    ) -> None: ...


# -- the operators' console ---------------------------------------------------------------


class OperatorRecord(Protocol):
    """A console user. role: operator | supervisor | admin."""

    @property
    def id(self) -> int: ...

    @property
    def login(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def enabled(self) -> bool: ...

    @property
    def password_hash(self) -> str: ...

    @property
    def failed_logins(self) -> int: ...

    @property
    def locked_until(self) -> datetime | None: ...

    @property
    def created_at(self) -> datetime: ...


class OperatorPort(Protocol):
    async def add(
        self, login: str, display_name: str, role: str, password_hash: str, now: datetime
    ) -> int:
        """Raises ValueError if the login is taken."""

    async def get(self, login: str) -> OperatorRecord | None: ...

    async def all(self) -> Sequence[OperatorRecord]:
        """By login."""

    async def set_enabled(self, login: str, enabled: bool) -> bool:
        """False for an unknown login."""

    async def set_password(self, login: str, password_hash: str) -> bool:
        """Also lifts a lockout; False for an unknown login."""

    async def login_failed(
        self, login: str, limit: int, lock_until: datetime
    ) -> OperatorRecord | None:
        """Count a failed login; the `limit`-th in a row locks the operator until
        `lock_until` and starts the count again. None for an unknown login."""

    async def login_succeeded(self, login: str) -> None:
        """The count of failed logins back to 0 and no lock."""


class SessionRecord(Protocol):
    @property
    def token_hash(self) -> str: ...

    @property
    def csrf_token(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def last_seen_at(self) -> datetime: ...

    @property
    def operator(self) -> OperatorRecord: ...


class SessionPort(Protocol):
    async def create(
        self, token_hash: str, operator_id: int, csrf_token: str, now: datetime
    ) -> None: ...

    async def get(self, token_hash: str) -> SessionRecord | None: ...

    async def touch(self, token_hash: str, now: datetime) -> None: ...

    async def delete(self, token_hash: str) -> None: ...

    async def delete_for_operator(self, operator_id: int) -> None:
        """Every session of an operator (disabled, new password)."""

    async def delete_idle(self, before: datetime) -> int:
        """Sessions last seen before `before`; how many."""


class CannedResponse(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def updated_by(self) -> str: ...

    @property
    def updated_at(self) -> datetime: ...


class CannedPort(Protocol):
    async def all(self) -> Sequence[CannedResponse]:
        """By title."""

    async def add(self, title: str, text: str, by: str, now: datetime) -> int: ...

    async def update(self, canned_id: int, title: str, text: str, by: str, now: datetime) -> bool:
        """False for an unknown id."""

    async def delete(self, canned_id: int) -> bool: ...


class QueueEntry(Protocol):
    """An escalation as the console lists it."""

    @property
    def escalation_id(self) -> int: ...

    @property
    def conversation_id(self) -> int: ...

    @property
    def channel(self) -> str: ...

    @property
    def customer_name(self) -> str:
        """The messenger's display name, unmasked: the console masks it."""

    @property
    def accounts(self) -> tuple[str, ...]:
        """Linked account numbers, unmasked."""

    @property
    def reason(self) -> str: ...

    @property
    def status(self) -> EscalationStatus: ...

    @property
    def operator(self) -> str | None:
        """The login of who claimed it."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def claimed_at(self) -> datetime | None: ...


class ConversationView(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def customer_id(self) -> int: ...

    @property
    def channel(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def customer_name(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def status(self) -> ConversationStatus: ...

    @property
    def escalation(self) -> QueueEntry | None:
        """The active one, else the latest."""


class TranscriptEntry(Protocol):
    """One line of a conversation's whole transcript."""

    @property
    def key(self) -> str:
        """Unique within the conversation: "in:<id>", "out:<id>", "esc:<id>"."""

    @property
    def author(self) -> Author: ...

    @property
    def text(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def operator(self) -> str | None:
        """An operator's reply: their display name; a note: their login."""

    @property
    def delivery(self) -> str | None:
        """Replies: pending | sent | delivered | read | failed."""


# Where a transcript was read up to: the last inbox, outbox and escalation message ids.
TranscriptCursor = tuple[int, int, int]


class WatchedConversation(Protocol):
    """What the live updates need to know of an open conversation at every poll: who may
    see it, whether it changed hands, and whether its transcript has anything new."""

    @property
    def conversation_id(self) -> int: ...

    @property
    def status(self) -> ConversationStatus: ...

    @property
    def escalation_status(self) -> EscalationStatus | None:
        """The active escalation's, else the latest's; None: never escalated."""

    @property
    def operator(self) -> str | None:
        """That escalation's holder (a login)."""

    @property
    def cursor(self) -> TranscriptCursor:
        """Where its transcript ends now (what transcript() would return as the cursor)."""


class ConsolePort(Protocol):
    async def queue(self) -> Sequence[QueueEntry]:
        """Waiting escalations, oldest first."""

    async def held(self, operator: str) -> Sequence[QueueEntry]:
        """Escalations claimed by `operator` (a login), oldest first."""

    async def escalation(self, escalation_id: int) -> QueueEntry | None: ...

    async def claim(self, escalation_id: int, operator: str, at: datetime) -> bool:
        """Take a waiting escalation; False if it is not waiting any more (someone was first)."""

    async def conversation(self, conversation_id: int) -> ConversationView | None: ...

    async def watch(self, conversation_ids: Sequence[int]) -> Sequence[WatchedConversation]:
        """The state of several conversations in a constant number of queries (unknown ids
        are left out): one look serves every open live stream of the process."""

    async def transcript(
        self, conversation_id: int, after: TranscriptCursor | None = None
    ) -> tuple[Sequence[TranscriptEntry], TranscriptCursor]:
        """Customer messages (inbox), bot and operator replies (outbox), notes and the bot's
        lines for operators (escalations), in time order; only what came after `after`."""

    async def visits(
        self, status: VisitStatus | None, day: date | None, limit: int
    ) -> list[tuple[Visit, str]]:
        """Visits with their account's address; `day` matches the scheduled date, else the
        preferred one. Oldest first."""

    async def first_responses(self, since: datetime) -> list[float]:
        """Seconds from queueing to the first operator reply, for escalations since `since`."""

    async def resolved(self, since: datetime) -> int:
        """Escalations an operator held that were closed since `since`."""


class SenderPort(Protocol):
    async def beat(self, sender_id: str, now: datetime, alive_since: datetime) -> int:
        """`sender_id` is alive at `now`; returns how many senders were seen since
        `alive_since`, itself included (long-gone ones are forgotten). Outbox rows leased by a
        sender not seen since then are due again."""

    async def leave(self, sender_id: str) -> None:
        """`sender_id` stops: the others may take its share at once."""


class ThrottlePort(Protocol):
    async def reserve(self, key: str, limit: int, window: timedelta, now: datetime) -> int | None:
        """Count one attempt for `key` in the fixed window `now` falls in, atomically refusing
        above `limit`: the count including it, or None when refused (nothing counted)."""

    async def count(self, key: str, window: timedelta, now: datetime) -> int:
        """Attempts for `key` in the window `now` falls in."""

    async def recent(self, key: str, since: datetime) -> int:
        """Attempts for `key` in every window that started at or after `since`."""

    async def clear(self, key: str) -> None:
        """Forget `key`'s attempts."""

    async def forget(self, now: datetime) -> None:
        """Delete windows long past."""


class RetentionPort(Protocol):
    """The retention job's batches (energobot/retention.py): each call changes at most `limit`
    rows and returns how many it changed; 0 or fewer than `limit`: nothing more is due."""

    async def clear_inbox(self, before: datetime, limit: int) -> int:
        """Inbound events received before `before`: body cleared, detached from the
        conversation's transcript; the row and its once-only key (channel, event id) stay."""

    async def delete_inbox(self, before: datetime, limit: int) -> int:
        """Cleared inbound events received before `before`: their once-only keys go."""

    async def delete_replies(self, before: datetime, limit: int) -> int:
        """Replies (lane 0, no notice key) sent, failed or skipped, created before `before`."""

    async def delete_notices(self, before: datetime, limit: int) -> int:
        """Notices (lanes above 0, with their once-only key) sent, failed or skipped, created
        before `before`. Pending rows of any lane are never touched."""

    async def delete_link_attempts(self, before: datetime, limit: int) -> int:
        """Account link attempts made before `before`."""


class EmailAddressPort(Protocol):
    """E-mail addresses the customer confirmed (receipts go there without a new code)."""

    async def confirmed(self, customer_id: int) -> list[str]:
        """The latest first."""

    async def confirm(self, customer_id: int, address: str, channel: str, now: datetime) -> None:
        """Remember the address (again: its time moves on)."""

    async def forget(self, customer_id: int, address: str | None = None) -> int:
        """One address (any case) or, with None, all of them; how many were forgotten."""


class SubscriptionPort(Protocol):
    async def chosen(self, customer_id: int) -> dict[str, bool]:
        """The topics the customer chose, on or off (others are at their default)."""

    async def choose(
        self, customer_id: int, topics: dict[str, bool], channel: str, now: datetime
    ) -> None:
        """Record the customer's choice per topic, with when and where it was made."""


class OutagePort(Protocol):
    async def add(
        self, key: str, values: Mapping[str, object], now: datetime, created_by: str | None = None
    ) -> tuple[int, bool]:
        """Store an outage unless one with the same key is there: (its id, whether new)."""

    async def get(self, outage_id: int) -> OutageRecord | None: ...

    async def current(self, since: datetime, until: datetime) -> list[OutageRecord]:
        """Outages not cancelled that end after `since` and start before `until`."""

    async def recent(self, limit: int) -> list[OutageRecord]: ...

    async def cancel(self, outage_id: int, now: datetime) -> bool: ...

    async def restore(self, outage_id: int, now: datetime) -> bool:
        """The supply is back earlier than planned."""


class CampaignPort(Protocol):
    async def ensure(
        self,
        key: str,
        kind: str,
        subject: str,
        now: datetime,
        *,
        outage_id: int | None = None,
        created_by: str | None = None,
    ) -> CampaignRecord:
        """The campaign with this key, created running if it is not there yet."""

    async def by_key(self, key: str) -> CampaignRecord | None: ...

    async def get(self, campaign_id: int) -> CampaignRecord | None: ...

    async def recent(self, limit: int) -> list[CampaignRecord]: ...

    async def produced(self, campaign_id: int, now: datetime) -> None:
        """Every notice of the campaign is queued."""

    async def set_status(self, campaign_id: int, status: str) -> bool:
        """Pause, resume or cancel (a cancelled campaign's notices are never claimed again)."""

    async def skip_cancelled(self, campaign_id: int, reason: str, limit: int = 1000) -> int:
        """Mark up to `limit` queued notices of a cancelled campaign skipped: how many."""

    async def claim_post(self, campaign_id: int, now: datetime) -> bool:
        """Take the campaign's public post (nobody posted or is posting it)."""

    async def posted(self, campaign_id: int, at: datetime | None, error: str | None) -> None:
        """The post's outcome; `at` None: it failed and may be taken again."""

    async def progress(self, campaign_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Per campaign, its notices by state (queued, sent, delivered, read, failed,
        skipped:<reason>)."""


class JobPort(Protocol):
    async def take(
        self, key: str, by: str, now: datetime, lease_until: datetime, alive_since: datetime
    ) -> bool:
        """Lease the job unless it is done or another process that still beats holds it."""

    async def finish(self, key: str, now: datetime) -> None: ...

    async def done(self, key: str) -> bool: ...


class NoticePort(Protocol):
    async def queue(
        self, campaign_id: int, kind: str, lane: int, drafts: Sequence[NoticeDraft], now: datetime
    ) -> int:
        """Insert the notices whose key is new: how many."""

    async def linked(self, after: int, limit: int) -> list[LinkedAccount]: ...

    async def awaiting_reading(
        self, period: str, after: int, limit: int
    ) -> list[LinkedAccount]: ...

    async def in_debt(
        self, due_from: date | None, due_to: date | None, after: int, limit: int
    ) -> list[LinkedAccount]: ...

    async def billed(self, period: str, after: int, limit: int) -> list[LinkedAccount]: ...

    async def recipients(self, campaign_id: int, after: int, limit: int) -> list[LinkedAccount]:
        """Whom a campaign's notices reached (link_id: the outbox row's id, for paging)."""

    async def for_customer(self, customer_id: int) -> list[LinkedAccount]: ...

    async def facts(self, rows: Iterable[OutboxRow]) -> NoticeFacts:
        """What the gate needs about a batch of claimed notices."""


class PaymentPort(Protocol):
    """Online payments (core.payments); moves between statuses are conditional: each says
    whether it happened, so a repeated notification changes nothing."""

    async def add(self, payment: OnlinePayment) -> OnlinePayment: ...

    async def get(self, public_id: str) -> OnlinePayment | None: ...

    async def by_provider_id(self, provider_id: str) -> OnlinePayment | None: ...

    async def started(self, public_id: str, provider_id: str, confirmation_url: str | None) -> bool:
        """The acquirer's payment exists: `created` becomes `pending` with its id (the same id
        again is no change, another id is refused)."""

    async def succeeded(
        self, public_id: str, paid_at: datetime, method: str | None, recorded_at: datetime
    ) -> bool:
        """`created`/`pending` becomes `succeeded` (paid_at: the acquirer's capture time;
        recorded_at: ours, which billing's export goes by)."""

    async def canceled(self, public_id: str, at: datetime, reason: str | None) -> bool: ...

    async def in_billing(self, public_ids: Sequence[str], at: datetime) -> int: ...

    async def of_account(
        self, account: str, statuses: Sequence[PaymentStatus]
    ) -> list[OnlinePayment]:
        """Oldest first."""

    async def latest(self, account: str, limit: int) -> list[OnlinePayment]:
        """The account's payments in any status, newest first (the console's summary)."""

    async def pending(self, created_from: datetime, created_to: datetime) -> list[OnlinePayment]:
        """`pending` payments created in [from, to): those to ask the acquirer about."""

    async def paid(self, since: datetime | None) -> list[OnlinePayment]:
        """Succeeded (and in billing) payments we recorded since then: billing's export."""


class Store(Protocol):
    """One unit of work: every port, one transaction."""

    @property
    def inbox(self) -> InboxPort: ...

    @property
    def outbox(self) -> OutboxPort: ...

    @property
    def customers(self) -> CustomerPort: ...

    @property
    def conversations(self) -> ConversationPort: ...

    @property
    def consents(self) -> ConsentPort: ...

    @property
    def accounts(self) -> AccountPort: ...

    @property
    def link_attempts(self) -> LinkAttemptPort: ...

    @property
    def meters(self) -> MeterPort: ...

    @property
    def readings(self) -> ReadingPort: ...

    @property
    def history(self) -> HistoryPort: ...

    @property
    def tariffs(self) -> TariffPort: ...

    @property
    def visits(self) -> VisitPort: ...

    @property
    def escalations(self) -> EscalationPort: ...

    @property
    def audit(self) -> AuditPort: ...

    @property
    def operators(self) -> OperatorPort: ...

    @property
    def console_sessions(self) -> SessionPort: ...

    @property
    def canned(self) -> CannedPort: ...

    @property
    def console(self) -> ConsolePort: ...

    @property
    def senders(self) -> SenderPort: ...

    @property
    def throttle(self) -> ThrottlePort: ...

    @property
    def subscriptions(self) -> SubscriptionPort: ...

    @property
    def outages(self) -> OutagePort: ...

    @property
    def campaigns(self) -> CampaignPort: ...

    @property
    def jobs(self) -> JobPort: ...

    @property
    def notices(self) -> NoticePort: ...

    @property
    def online_payments(self) -> PaymentPort: ...

    @property
    def email_addresses(self) -> EmailAddressPort: ...

    @property
    def retention(self) -> RetentionPort: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def exclusive(self, name: str) -> None:
        """Until this unit of work ends, no other process's unit of work holds `name`."""

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction: an exception inside undoes only its own writes."""
