"""The schema, as SQLAlchemy Core tables. Alembic migrations must produce exactly this.

Enums are stored as their string values (no database enum types: adding a value must not
need a migration). Constraint names follow NAMING so that Alembic can find them again on
PostgreSQL and in SQLite batch mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from storage.types import BigId, Json, Money, Quantity, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# Lengths of the short string columns.
CHANNEL = 32
USER_ID = 128
ACCOUNT = 16
STATUS = 24
LOGIN = 64


def _id() -> Column[int]:
    return Column("id", BigId, primary_key=True, autoincrement=True)


customers = Table(
    "customers",
    metadata,
    _id(),
    Column("channel", String(CHANNEL), nullable=False),
    Column("user_id", String(USER_ID), nullable=False),
    Column("display_name", String(256), nullable=False, default=""),
    Column("language", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("erased_at", UTCDateTime, nullable=True),
    UniqueConstraint("channel", "user_id"),
)

conversations = Table(
    "conversations",
    metadata,
    _id(),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("status", String(STATUS), nullable=False),
    Column("state", Json, nullable=False),
    Column("version", Integer, nullable=False, default=0),
    Column("last_inbound_at", UTCDateTime, nullable=True),
    Column("send_blocked", String(64), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

inbox = Table(
    "inbox",
    metadata,
    _id(),
    Column("channel", String(CHANNEL), nullable=False),
    Column("event_id", String(255), nullable=False),
    Column(
        "conversation_id",
        BigId,
        ForeignKey("conversations.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("body", Json, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "event_id"),
    # The transcript: one conversation's events in time order. Also the retention job's way
    # to the detached events (conversation_id NULL) whose once-only key has had its time.
    Index(None, "conversation_id", "received_at"),
    # The retention job's way to events whose body has had its time (energobot/retention.py);
    # partial: a detached event, body already cleared, is never scanned for it again.
    Index(
        "ix_inbox_received_at_attached",
        "received_at",
        sqlite_where=text("conversation_id IS NOT NULL"),
        postgresql_where=text("conversation_id IS NOT NULL"),
    ),
)

outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column(
        "conversation_id",
        BigId,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("channel", String(CHANNEL), nullable=False),
    Column("user_id", String(USER_ID), nullable=False),
    Column("body", Json, nullable=False),
    Column("status", String(STATUS), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("platform_message_id", String(255), nullable=True),
    # The platform's receipts: delivered, read, failed (after it took the message).
    Column("delivery", String(16), nullable=True),
    Column("delivery_at", UTCDateTime, nullable=True),
    Column("delivery_error", Text, nullable=True),
    # The sender holding the row's lease (a `senders` id): when it is gone, the row is due again.
    Column("leased_by", String(100), nullable=True),
    # core.notices.Lane: replies, then one customer's own events, then broadcasts.
    Column("lane", Integer, nullable=False, default=0, server_default="0"),
    # A notice (lane > 0): its rule's run or broadcast, its once-only key, kind and account.
    Column("campaign_id", BigId, ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True),
    Column("notice_key", String(250), nullable=True, unique=True),
    Column("kind", String(STATUS), nullable=True),
    Column("account", String(ACCOUNT), nullable=True),
    # Claiming: pending rows of a channel and lane in id order; sent rows of a channel (the web
    # chat's poll).
    Index(None, "status", "channel", "lane", "id"),
    Index(None, "status", "channel", "id"),
    Index(None, "campaign_id", "status"),
    Index(None, "conversation_id", "created_at"),
    # Receipts name a message by the platform's id, or (Messenger) a recipient and a time.
    Index(None, "channel", "platform_message_id"),
    Index(None, "channel", "user_id", "sent_at"),
    Index(None, "leased_by"),
    # The retention job: a lane's rows by age (replies go sooner than notices).
    Index(None, "lane", "created_at"),
)

# Attempts per key and fixed time window, shared by every process (storage/repos/throttle.py).
throttle = Table(
    "throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", UTCDateTime, primary_key=True),
    Column("count", Integer, nullable=False),
    Index(None, "window_start"),
)

# Sessions ended before their time (the web chat's «new chat»), refused by every process until
# their cookies would have expired anyway (storage/repos/revoked.py). Only a keyed hash of a
# session's id is ever kept here.
revoked_sessions = Table(
    "revoked_sessions",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "expires_at"),
)

# The outbox senders alive now (one per process): each sends at its share of a channel's rate.
senders = Table(
    "senders",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
)

consents = Table(
    "consents",
    metadata,
    _id(),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", String(32), nullable=False),
    Column("channel", String(CHANNEL), nullable=False),
    Column("given_at", UTCDateTime, nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Index(None, "customer_id", "version"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("number", String(ACCOUNT), primary_key=True),
    Column("surname", String(128), nullable=False),
    Column("first_name", String(128), nullable=False),
    Column("patronymic", String(128), nullable=False),
    Column("address", Text, nullable=False),
    Column("category", String(STATUS), nullable=False),
    Column("phone", String(16), nullable=True, index=True),
    Column("email", String(256), nullable=True),
    Column("large_family", Boolean, nullable=False),
    Column("balance", Money, nullable=False),
    Column("due_date", Date, nullable=True),
    # Billing's penalty to date, besides the balance; NULL: billing did not give one.
    Column("penalty", Money, nullable=True),
)

account_links = Table(
    "account_links",
    metadata,
    _id(),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("how", String(16), nullable=False),
    Column("linked_at", UTCDateTime, nullable=False),
    UniqueConstraint("customer_id", "account_number"),
)

link_attempts = Table(
    "link_attempts",
    metadata,
    _id(),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # What was typed: not a foreign key, the account may not exist.
    Column("account_number", String(ACCOUNT), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "customer_id", "at"),
    Index(None, "account_number", "at"),
    Index(None, "at"),  # the retention job: attempts by age
)

meters = Table(
    "meters",
    metadata,
    _id(),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("serial", String(64), nullable=False),
    Column("scheme", String(STATUS), nullable=False),
    Column("digits", Integer, nullable=False),
    Column("smart", Boolean, nullable=False),
    Column("verification_due", Date, nullable=True),
    Column("location", String(64), nullable=True),  # billing's note: «дом», «гараж»
    UniqueConstraint("account_number", "serial"),
)

registers = Table(
    "registers",
    metadata,
    _id(),
    Column(
        "meter_id",
        BigId,
        ForeignKey("meters.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(4), nullable=False),
    Column("last_value", Quantity, nullable=True),
    Column("last_date", Date, nullable=True),
    Column("avg_monthly_kwh", Quantity, nullable=True),
    UniqueConstraint("meter_id", "name"),
)

# Every submission is kept: a correction is a new row, the earlier one becomes "replaced".
readings = Table(
    "readings",
    metadata,
    _id(),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("serial", String(64), nullable=False),
    Column("register", String(4), nullable=False),
    Column("value", Quantity, nullable=False),
    Column("consumption_kwh", Quantity, nullable=True),
    Column("period", String(7), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("channel", String(CHANNEL), nullable=False),
    Column("status", String(STATUS), nullable=False),
    Column("kind", String(STATUS), nullable=False),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Index(None, "account_number", "serial", "submitted_at"),
    Index(None, "period", "submitted_at"),
    Index(None, "status"),
    Index(None, "customer_id"),
)

# Indexes made on PostgreSQL only (compared there alone: built_on, in storage/migrations/env.py).
POSTGRESQL_ONLY: set[str] = set()


def built_on(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's include_object for `dialect`: what it does not build is not compared."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "index" and name in POSTGRESQL_ONLY and dialect != "postgresql")

    return include


def _history_index(table: str, *carried: str) -> Index:
    """An account's months with what the history statement reads, so that PostgreSQL answers it
    from the index alone: billing imports a month for every account at once, and without it
    each month of an account is a heap page of its own (migration 0013)."""
    name = f"ix_{table}_account_number_period"
    POSTGRESQL_ONLY.add(name)
    index = Index(name, "account_number", "period", postgresql_include=list(carried))
    return index.ddl_if(dialect="postgresql")


charges = Table(
    "charges",
    metadata,
    _id(),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("period", String(7), nullable=False),
    Column("kwh", Quantity, nullable=False),
    Column("amount", Money, nullable=False),
    # How billing arrived at the volume: reading | average | norm; NULL: not said.
    Column("basis", String(16), nullable=True),
    UniqueConstraint("account_number", "period"),
    _history_index("charges", "kwh", "amount", "basis"),
)

payments = Table(
    "payments",
    metadata,
    _id(),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("period", String(7), nullable=False),
    Column("amount", Money, nullable=False),
    UniqueConstraint("account_number", "period"),
    _history_index("payments", "amount"),
)

tariffs = Table(
    "tariffs",
    metadata,
    _id(),
    Column("category", String(STATUS), nullable=False),
    Column("scheme", String(STATUS), nullable=False),
    Column("zone", String(STATUS), nullable=False),
    Column("range", Integer, nullable=False),
    Column("range_from_kwh", Quantity, nullable=False),
    Column("range_to_kwh", Quantity, nullable=True),
    Column("price", Quantity, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    UniqueConstraint("category", "scheme", "zone", "range", "valid_from"),
)

visits = Table(
    "visits",
    metadata,
    _id(),
    Column(
        "account_number",
        String(ACCOUNT),
        ForeignKey("accounts.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("type", String(STATUS), nullable=False),
    Column("preferred_date", Date, nullable=False),
    Column("slot", String(32), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("comment", Text, nullable=False),
    Column("status", String(STATUS), nullable=False),
    Column("scheduled_date", Date, nullable=True),
    Column("scheduled_slot", String(32), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "account_number", "created_at"),
    Index(None, "status", "created_at"),
    Index(None, "customer_id"),
)

visit_status_history = Table(
    "visit_status_history",
    metadata,
    _id(),
    Column(
        "visit_id",
        BigId,
        ForeignKey("visits.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("status", String(STATUS), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(LOGIN + 16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index(None, "visit_id", "at"),
)

escalations = Table(
    "escalations",
    metadata,
    _id(),
    Column(
        "conversation_id",
        BigId,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("reason", String(64), nullable=False),
    Column("status", String(STATUS), nullable=False),
    Column("operator", String(LOGIN), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Index(None, "conversation_id", "status"),
    # The operators' queue: waiting ones, oldest first.
    Index(None, "status", "created_at"),
)

escalation_messages = Table(
    "escalation_messages",
    metadata,
    _id(),
    Column(
        "escalation_id",
        BigId,
        ForeignKey("escalations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("author", String(STATUS), nullable=False),
    Column("text", Text, nullable=False),
    Column("operator", String(LOGIN), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "escalation_id", "at"),
)

operators = Table(
    "operators",
    metadata,
    _id(),
    Column("login", String(LOGIN), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(STATUS), nullable=False),
    # Shown to customers with the operator's replies (Reply.operator) and to colleagues.
    Column("display_name", String(128), nullable=False, default="", server_default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
)

audit = Table(
    "audit",
    metadata,
    _id(),
    Column("actor", String(LOGIN + 64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("details", Json, nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "at"),
    Index(None, "actor", "at"),
)

# Operators' console sessions: the cookie carries a random token, the table its keyed hash,
# so that every process behind the load balancer knows the session and a leaked table opens none.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "operator_id",
        BigId,
        ForeignKey("operators.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)

# Ready-made answers operators insert into the reply box; supervisors keep the list.
canned_responses = Table(
    "canned_responses",
    metadata,
    _id(),
    Column("title", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_by", String(LOGIN), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


# What a customer chose to be told, per core.notices.Topic; no row: the topic's default.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("topic", String(STATUS), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("channel", String(CHANNEL), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

# Supply interruptions from the grid company's schedule (imported) or a supervisor's form.
outages = Table(
    "outages",
    metadata,
    _id(),
    # Settlement, street, houses, start and kind, normalised: a re-import finds the same row.
    Column("key", String(400), nullable=False, unique=True),
    Column("settlement", String(200), nullable=False),
    Column("street", String(200), nullable=False),
    Column("houses", String(400), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("kind", String(STATUS), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(LOGIN), nullable=True),  # a supervisor; NULL: imported
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("restored_at", UTCDateTime, nullable=True),  # earlier than planned, by a supervisor
    Index(None, "ends_at"),
)

# One run of a notice rule (reminders for 2026-12, debt due on 2026-12-15) or one broadcast (an
# outage's notice): its notices are outbox rows with its id; progress is counted from them.
campaigns = Table(
    "campaigns",
    metadata,
    _id(),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(STATUS), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("status", String(STATUS), nullable=False),  # running | paused | cancelled
    Column("outage_id", BigId, ForeignKey("outages.id", ondelete="CASCADE"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(LOGIN), nullable=True),
    Column("produced_at", UTCDateTime, nullable=True),  # every notice queued
    Column("targets", Integer, nullable=False, default=0),  # notices queued
    Column("posted_at", UTCDateTime, nullable=True),  # the public post, where one is configured
    Column("post_error", Text, nullable=True),
    Index(None, "created_at"),
)

# Scheduled jobs: each due job is run by one process at a time (a lease), and once.
jobs = Table(
    "jobs",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("leased_by", String(100), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime, nullable=True),
)

# Online payments through the acquirer (payments/), from the link a turn wrote until billing has
# them. Billing's own per-period payments are `payments` above (imported history). Not tied to
# accounts by a foreign key: a record of money taken outlives an account billing dropped.
online_payments = Table(
    "online_payments",
    metadata,
    _id(),
    Column("public_id", String(36), nullable=False, unique=True),  # ours, in the metadata
    Column("idempotence_key", String(64), nullable=False, unique=True),
    Column("account_number", String(ACCOUNT), nullable=False),
    Column("amount", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    # created | pending | succeeded | canceled | in_billing (core.payments.PaymentStatus)
    Column("status", String(STATUS), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column(
        "conversation_id",
        BigId,
        ForeignKey("conversations.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("provider", String(16), nullable=False),
    Column("provider_id", String(64), nullable=True, unique=True),
    Column("confirmation_url", Text, nullable=True),
    Column("method", String(32), nullable=True),  # what the customer paid with: sbp, bank_card
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),  # the acquirer's capture time
    # When we learned it succeeded: billing's export goes by it (a late notification's
    # payment is exported by the next run, whatever its capture time).
    Column("succeeded_at", UTCDateTime, nullable=True),
    Column("canceled_at", UTCDateTime, nullable=True),
    Column("cancel_reason", String(64), nullable=True),
    Column("in_billing_at", UTCDateTime, nullable=True),
    Index(None, "account_number", "status"),
    Index(None, "status", "succeeded_at"),
)

# E-mail addresses a customer proved their own with a one-time code (or chose from billing):
# receipts go there without a code next time. Forgotten in settings and by erasure.
email_addresses = Table(
    "email_addresses",
    metadata,
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("address", String(254), primary_key=True),  # as typed, compared lower-cased
    Column("confirmed_at", UTCDateTime, nullable=False),
    Column("channel", String(CHANNEL), nullable=False),  # where the code was typed back
)
