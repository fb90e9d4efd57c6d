"""The initial schema: every table of storage/tables.py.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 22:48:37.600663
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage import types as st

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("surname", sa.String(length=128), nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("patronymic", sa.String(length=128), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("large_family", sa.Boolean(), nullable=False),
        sa.Column("balance", st.Money(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_phone"), "accounts", ["phone"], unique=False)
    op.create_table(
        "audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column(
            "details",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("at", st.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_actor_at"), "audit", ["actor", "at"], unique=False)
    op.create_index(op.f("ix_audit_at"), "audit", ["at"], unique=False)
    op.create_table(
        "customers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("erased_at", st.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("channel", "user_id", name=op.f("uq_customers_channel_user_id")),
    )
    op.create_table(
        "operators",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", st.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("login", name=op.f("uq_operators_login")),
    )
    op.create_table(
        "tariffs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("scheme", sa.String(length=24), nullable=False),
        sa.Column("zone", sa.String(length=24), nullable=False),
        sa.Column("range", sa.Integer(), nullable=False),
        sa.Column("range_from_kwh", st.Quantity(), nullable=False),
        sa.Column("range_to_kwh", st.Quantity(), nullable=True),
        sa.Column("price", st.Quantity(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint(
            "category",
            "scheme",
            "zone",
            "range",
            "valid_from",
            name=op.f("uq_tariffs_category_scheme_zone_range_valid_from"),
        ),
    )
    op.create_table(
        "account_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("linked_at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_account_links_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_account_links_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint(
            "customer_id",
            "account_number",
            name=op.f("uq_account_links_customer_id_account_number"),
        ),
    )
    op.create_index(
        op.f("ix_account_links_account_number"), "account_links", ["account_number"], unique=False
    )
    op.create_table(
        "charges",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kwh", st.Quantity(), nullable=False),
        sa.Column("amount", st.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_charges_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint(
            "account_number", "period", name=op.f("uq_charges_account_number_period")
        ),
    )
    op.create_table(
        "consents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("given_at", st.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", st.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_consents_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        op.f("ix_consents_customer_id_version"),
        "consents",
        ["customer_id", "version"],
        unique=False,
    )
    op.create_table(
        "conversations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column(
            "state",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_inbound_at", st.UTCDateTime(), nullable=True),
        sa.Column("send_blocked", sa.String(length=64), nullable=True),
        sa.Column("updated_at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_conversations_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_conversations_customer_id")),
    )
    op.create_table(
        "link_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_link_attempts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index(
        op.f("ix_link_attempts_account_number_at"),
        "link_attempts",
        ["account_number", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_link_attempts_customer_id_at"),
        "link_attempts",
        ["customer_id", "at"],
        unique=False,
    )
    op.create_table(
        "meters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("scheme", sa.String(length=24), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("smart", sa.Boolean(), nullable=False),
        sa.Column("verification_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_meters_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meters")),
        sa.UniqueConstraint(
            "account_number", "serial", name=op.f("uq_meters_account_number_serial")
        ),
    )
    op.create_table(
        "payments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", st.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_payments_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "account_number", "period", name=op.f("uq_payments_account_number_period")
        ),
    )
    op.create_table(
        "readings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("register", sa.String(length=4), nullable=False),
        sa.Column("value", st.Quantity(), nullable=False),
        sa.Column("consumption_kwh", st.Quantity(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("submitted_at", st.UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_readings_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_readings_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
    )
    op.create_index(
        op.f("ix_readings_account_number_serial_submitted_at"),
        "readings",
        ["account_number", "serial", "submitted_at"],
        unique=False,
    )
    op.create_index(op.f("ix_readings_customer_id"), "readings", ["customer_id"], unique=False)
    op.create_index(
        op.f("ix_readings_period_submitted_at"),
        "readings",
        ["period", "submitted_at"],
        unique=False,
    )
    op.create_index(op.f("ix_readings_status"), "readings", ["status"], unique=False)
    op.create_table(
        "visits",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("preferred_date", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("scheduled_slot", sa.String(length=32), nullable=True),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("updated_at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["accounts.number"],
            name=op.f("fk_visits_account_number_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_visits_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(
        op.f("ix_visits_account_number_created_at"),
        "visits",
        ["account_number", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_visits_customer_id"), "visits", ["customer_id"], unique=False)
    op.create_index(
        op.f("ix_visits_status_created_at"), "visits", ["status", "created_at"], unique=False
    )
    op.create_table(
        "escalations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", st.UTCDateTime(), nullable=True),
        sa.Column("closed_at", st.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_escalations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index(
        op.f("ix_escalations_conversation_id_status"),
        "escalations",
        ["conversation_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_escalations_status_created_at"),
        "escalations",
        ["status", "created_at"],
        unique=False,
    )
    op.create_table(
        "inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "body",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("received_at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_inbox_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "event_id", name=op.f("uq_inbox_channel_event_id")),
    )
    op.create_index(
        op.f("ix_inbox_conversation_id_received_at"),
        "inbox",
        ["conversation_id", "received_at"],
        unique=False,
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column(
            "body",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", st.UTCDateTime(), nullable=True),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("sent_at", st.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("platform_message_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_outbox_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        op.f("ix_outbox_conversation_id_created_at"),
        "outbox",
        ["conversation_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_status_channel_id"), "outbox", ["status", "channel", "id"], unique=False
    )
    op.create_table(
        "registers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("meter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=4), nullable=False),
        sa.Column("last_value", st.Quantity(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("avg_monthly_kwh", st.Quantity(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meter_id"],
            ["meters.id"],
            name=op.f("fk_registers_meter_id_meters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registers")),
        sa.UniqueConstraint("meter_id", "name", name=op.f("uq_registers_meter_id_name")),
    )
    op.create_table(
        "visit_status_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("at", st.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_status_history_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_status_history")),
    )
    op.create_index(
        op.f("ix_visit_status_history_visit_id_at"),
        "visit_status_history",
        ["visit_id", "at"],
        unique=False,
    )
    op.create_table(
        "escalation_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "escalation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("author", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_messages_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_messages")),
    )
    op.create_index(
        op.f("ix_escalation_messages_escalation_id_at"),
        "escalation_messages",
        ["escalation_id", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_escalation_messages_escalation_id_at"), table_name="escalation_messages")
    op.drop_table("escalation_messages")
    op.drop_index(op.f("ix_visit_status_history_visit_id_at"), table_name="visit_status_history")
    op.drop_table("visit_status_history")
    op.drop_table("registers")
    op.drop_index(op.f("ix_outbox_status_channel_id"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_conversation_id_created_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_inbox_conversation_id_received_at"), table_name="inbox")
    op.drop_table("inbox")
    op.drop_index(op.f("ix_escalations_status_created_at"), table_name="escalations")
    op.drop_index(op.f("ix_escalations_conversation_id_status"), table_name="escalations")
    op.drop_table("escalations")
    op.drop_index(op.f("ix_visits_status_created_at"), table_name="visits")
    op.drop_index(op.f("ix_visits_customer_id"), table_name="visits")
    op.drop_index(op.f("ix_visits_account_number_created_at"), table_name="visits")
    op.drop_table("visits")
    op.drop_index(op.f("ix_readings_status"), table_name="readings")
    op.drop_index(op.f("ix_readings_period_submitted_at"), table_name="readings")
    op.drop_index(op.f("ix_readings_customer_id"), table_name="readings")
    op.drop_index(op.f("ix_readings_account_number_serial_submitted_at"), table_name="readings")
    op.drop_table("readings")
    op.drop_table("payments")
    op.drop_table("meters")
    op.drop_index(op.f("ix_link_attempts_customer_id_at"), table_name="link_attempts")
    op.drop_index(op.f("ix_link_attempts_account_number_at"), table_name="link_attempts")
    op.drop_table("link_attempts")
    op.drop_table("conversations")
    op.drop_index(op.f("ix_consents_customer_id_version"), table_name="consents")
    op.drop_table("consents")
    op.drop_table("charges")
    op.drop_index(op.f("ix_account_links_account_number"), table_name="account_links")
    op.drop_table("account_links")
    op.drop_table("tariffs")
    op.drop_table("operators")
    op.drop_table("customers")
    op.drop_index(op.f("ix_audit_at"), table_name="audit")
    op.drop_index(op.f("ix_audit_actor_at"), table_name="audit")
    op.drop_table("audit")
    op.drop_index(op.f("ix_accounts_phone"), table_name="accounts")
    op.drop_table("accounts")
