"""Billing's own penalty on the account, and how each month's volume was billed (reading,
average or norm).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("penalty", st.Money(), nullable=True))
    with op.batch_alter_table("charges") as batch:
        batch.add_column(sa.Column("basis", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("charges") as batch:
        batch.drop_column("basis")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("penalty")
