"""Notices: what the bot tells a customer nobody asked at that moment, and the rules of when.

Every notice has a kind; kinds belong to topics a customer turns on or off. All of them are
service messages about the customer's own contract (38-ФЗ needs no advertising consent for
those), so a topic the customer never chose is on; each can be turned off at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import IntEnum, StrEnum

from core.jsontypes import JSONObject


class Topic(StrEnum):
    READINGS = "readings"  # reading reminders
    DEBT = "debt"  # before the due date, on overdue, before a restriction
    OUTAGES = "outages"  # planned and emergency interruptions at my address
    VISITS = "visits"  # the technician's visit changes
    RECEIPTS = "receipts"  # «квитанция готова»


class Kind(StrEnum):
    READING_REMINDER = "reading_reminder"
    READING_LAST_DAY = "reading_last_day"
    DEBT_DUE = "debt_due"
    DEBT_OVERDUE = "debt_overdue"
    DEBT_RESTRICTION = "debt_restriction"
    OUTAGE_PLANNED = "outage_planned"
    OUTAGE_EMERGENCY = "outage_emergency"
    OUTAGE_RESTORED = "outage_restored"
    VISIT_STATUS = "visit_status"
    RECEIPT_READY = "receipt_ready"


TOPIC: dict[Kind, Topic] = {
    Kind.READING_REMINDER: Topic.READINGS,
    Kind.READING_LAST_DAY: Topic.READINGS,
    Kind.DEBT_DUE: Topic.DEBT,
    Kind.DEBT_OVERDUE: Topic.DEBT,
    Kind.DEBT_RESTRICTION: Topic.DEBT,
    Kind.OUTAGE_PLANNED: Topic.OUTAGES,
    Kind.OUTAGE_EMERGENCY: Topic.OUTAGES,
    Kind.OUTAGE_RESTORED: Topic.OUTAGES,
    Kind.VISIT_STATUS: Topic.VISITS,
    Kind.RECEIPT_READY: Topic.RECEIPTS,
}

# Sent at night too (DOMAIN: no notices in quiet hours «except emergencies»).
URGENT: frozenset[Kind] = frozenset({Kind.OUTAGE_EMERGENCY})

# Topics on for a customer who never chose (service messages; see the module's docstring).
DEFAULT_ON: frozenset[Topic] = frozenset(Topic)


class Lane(IntEnum):
    """The sender's priorities: a lane is served only with the rate the lanes before it leave."""

    REPLY = 0  # answers to what the customer just wrote, operators' messages
    PERSONAL = 1  # one customer's own event: their visit, an emergency at their address
    BROADCAST = 2  # reminders, debt, planned outages, receipts: many customers at once


def lane_of(kind: Kind) -> Lane:
    return Lane.PERSONAL if kind in (Kind.VISIT_STATUS, Kind.OUTAGE_EMERGENCY) else Lane.BROADCAST


class CampaignStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # its queued notices wait (held ones past hold_limit_hours are dropped)
    CANCELLED = "cancelled"  # its queued notices are skipped


class Skip(StrEnum):
    """Why a notice was not sent; every skip is recorded with one of these."""

    UNSUBSCRIBED = "unsubscribed"
    BLOCKED = "blocked"  # the customer blocked the bot or left the platform
    ERASED = "erased"  # the customer's data was deleted
    UNLINKED = "unlinked"  # the account is no longer linked to this customer
    PAID = "paid"  # billing has since cleared the debt
    READING_RECEIVED = "reading_received"  # the meter got its reading meanwhile
    OUTAGE_CANCELLED = "outage_cancelled"
    OUTAGE_OVER = "outage_over"  # the supply was back before the alert could go
    CANCELLED = "cancelled"  # a supervisor cancelled the broadcast
    # The process sending it died after handing it to the platform: it may have arrived, so
    # it is not sent a second time.
    INTERRUPTED = "interrupted"
    EXPIRED = "expired"  # held too long (quiet hours, a pause) to be of use any more
    WINDOW_CLOSED = "window_closed"  # the platform's messaging window is closed
    NO_TEMPLATE = "no_template"  # outside the window, and no approved template configured
    NO_TAG = "no_tag"  # Messenger: outside the window and no message tag fits this kind
    BOT_INITIATED = "bot_initiated"  # Viber: outside the session, not allowed by the settings


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours when non-urgent notices wait (21:00–09:00 by default); start == end: none."""

    start: time
    end: time

    @classmethod
    def parse(cls, spec: str) -> QuietHours:
        """«21:00-09:00»."""
        first, sep, second = spec.partition("-")
        if not sep:
            raise ValueError(f"quiet hours must look like 21:00-09:00, not {spec!r}")
        return cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))

    def release(self, now: datetime, zone: tzinfo) -> datetime | None:
        """When a notice held at `now` may go (aware); None when `now` is not quiet."""
        if self.start == self.end:
            return None
        local = now.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            quiet = self.start <= clock < self.end
        else:
            quiet = clock >= self.start or clock < self.end
        if not quiet:
            return None
        day = local.date() if clock < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=zone)


def period_of(day: date) -> str:
    """A month as notices and campaigns name it: «2026-12»."""
    return f"{day.year:04d}-{day.month:02d}"


def notice_key(kind: Kind, subject: str, account: str | None, customer_id: int) -> str:
    """What makes a notice once-only: its rule, the subject (a period, a due date, an outage,
    a visit's status change), the account and the customer. A second production of the same
    key — a restart, another process, a re-import — inserts nothing."""
    return f"{kind.value}:{subject}:{account or '-'}:{customer_id}"


# What storage gives the notice rules and the gate.


@dataclass(frozen=True, slots=True)
class LinkedAccount:
    """A customer and one account linked to them, as a notice rule sees it."""

    link_id: int
    customer_id: int
    conversation_id: int
    channel: str
    user_id: str
    account: str
    address: str
    balance: Decimal
    due_date: date | None
    category: str


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """One notice to queue: whom, about which account, and what the text needs."""

    key: str
    conversation_id: int
    channel: str
    user_id: str
    account: str | None
    params: JSONObject  # the catalog text's parameters, kept in the outbox row's JSON body


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    id: int
    key: str
    kind: str
    subject: str
    status: str
    outage_id: int | None
    created_at: datetime
    created_by: str | None
    produced_at: datetime | None
    targets: int
    posted_at: datetime | None
    post_error: str | None


@dataclass(frozen=True, slots=True)
class OutageRecord:
    id: int
    key: str
    settlement: str
    street: str
    houses: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    reason: str
    created_at: datetime
    created_by: str | None
    cancelled_at: datetime | None
    restored_at: datetime | None


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What decides, just before sending, whether queued notices still should go."""

    off: set[tuple[int, str]]  # (customer, topic) turned off
    linked: set[tuple[int, str]]  # (customer, account) linked now
    erased: set[int]  # customers whose data was deleted
    balances: dict[str, tuple[Decimal, date | None]]  # account → balance, due date now
    awaiting: dict[str, set[str]]  # period → accounts with a non-smart meter still unread
    cancelled_outages: set[int]
    campaign_outage: dict[int, int]  # campaign → its outage
    languages: dict[int, str]  # customer → the language they read
    outage_over: dict[int, datetime]  # outage → when the supply is (or was) back
