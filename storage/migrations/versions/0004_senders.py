"""The outbox senders alive now, so that processes share each channel's rate limit and a dead
process's leased rows are due again as soon as it stops counting as alive.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "senders",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("seen_at", st.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_senders")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("leased_by", sa.String(length=100), nullable=True))
    op.create_index(op.f("ix_outbox_leased_by"), "outbox", ["leased_by"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_leased_by"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("leased_by")
    op.drop_table("senders")
