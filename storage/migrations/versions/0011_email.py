"""E-mail addresses customers confirmed with a one-time code, for receipts by e-mail.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_addresses",
        sa.Column("customer_id", st.BigId, nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("confirmed_at", st.UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_email_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "address", name=op.f("pk_email_addresses")),
    )


def downgrade() -> None:
    op.drop_table("email_addresses")
