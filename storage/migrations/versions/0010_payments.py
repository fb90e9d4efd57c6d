"""Online payments: links through the acquirer, kept until billing has them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "online_payments",
        sa.Column("id", st.BigId, autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("idempotence_key", sa.String(length=64), nullable=False),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("amount", st.Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("customer_id", st.BigId, nullable=True),
        sa.Column("conversation_id", st.BigId, nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("confirmation_url", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("expires_at", st.UTCDateTime(), nullable=False),
        sa.Column("paid_at", st.UTCDateTime(), nullable=True),
        sa.Column("succeeded_at", st.UTCDateTime(), nullable=True),
        sa.Column("canceled_at", st.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=64), nullable=True),
        sa.Column("in_billing_at", st.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_online_payments_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_online_payments_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_payments")),
        sa.UniqueConstraint("public_id", name=op.f("uq_online_payments_public_id")),
        sa.UniqueConstraint("idempotence_key", name=op.f("uq_online_payments_idempotence_key")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_online_payments_provider_id")),
    )
    op.create_index(
        op.f("ix_online_payments_account_number_status"),
        "online_payments",
        ["account_number", "status"],
    )
    op.create_index(
        op.f("ix_online_payments_status_succeeded_at"),
        "online_payments",
        ["status", "succeeded_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_online_payments_status_succeeded_at"), table_name="online_payments")
    op.drop_index(op.f("ix_online_payments_account_number_status"), table_name="online_payments")
    op.drop_table("online_payments")
