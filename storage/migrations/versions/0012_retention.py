"""Indexes of the retention job (energobot/retention.py): it finds what has had its time by age.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTACHED = "conversation_id IS NOT NULL"


def upgrade() -> None:
    # Inbound events whose body is still there (attached to their conversation's transcript):
    # partial, so the events already cleared are never scanned again.
    op.create_index(
        "ix_inbox_received_at_attached",
        "inbox",
        ["received_at"],
        sqlite_where=sa.text(ATTACHED),
        postgresql_where=sa.text(ATTACHED),
        if_not_exists=True,
    )
    # IF NOT EXISTS: a big database may have had them built CONCURRENTLY beforehand
    # (docs/deploy.md, Retention), without blocking the tables' inserts.
    op.create_index(
        op.f("ix_outbox_lane_created_at"), "outbox", ["lane", "created_at"], if_not_exists=True
    )
    op.create_index(op.f("ix_link_attempts_at"), "link_attempts", ["at"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_link_attempts_at"), table_name="link_attempts")
    op.drop_index(op.f("ix_outbox_lane_created_at"), table_name="outbox")
    op.drop_index("ix_inbox_received_at_attached", table_name="inbox")
