"""Delivery receipts on outbox rows (delivered, read, failed) as the platforms report them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("delivery", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("delivery_at", st.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("delivery_error", sa.Text(), nullable=True))
    op.create_index(
        op.f("ix_outbox_channel_platform_message_id"),
        "outbox",
        ["channel", "platform_message_id"],
    )
    op.create_index(
        op.f("ix_outbox_channel_user_id_sent_at"), "outbox", ["channel", "user_id", "sent_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_channel_user_id_sent_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_channel_platform_message_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("delivery_error")
        batch.drop_column("delivery_at")
        batch.drop_column("delivery")
