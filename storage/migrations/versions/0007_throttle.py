"""Counters of attempts per key and time window, shared by every process (login guesses by login
and by address, web chat messages by session and by address).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", st.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_throttle")),
    )
    op.create_index(op.f("ix_throttle_window_start"), "throttle", ["window_start"])


def downgrade() -> None:
    op.drop_index(op.f("ix_throttle_window_start"), table_name="throttle")
    op.drop_table("throttle")
