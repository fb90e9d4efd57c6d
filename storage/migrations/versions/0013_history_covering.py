"""An account's charges and payments read from the index alone on PostgreSQL.

Billing imports a month for every account at once, so one account's months lie a heap page
apart: a balance or a reading's plausibility check read a page per month from each table (13
pages on a 1 000 000-account database). These indexes carry what the history statement
reads (storage/repos/readings.py), so PostgreSQL answers it with an index-only scan (about 6
pages) once VACUUM — autovacuum after an import — has marked the imported pages all-visible.
SQLite keeps its unique (account_number, period) indexes only.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # IF NOT EXISTS: a big database may have had them built CONCURRENTLY beforehand
    # (docs/deploy.md), without blocking billing's imports.
    op.create_index(
        op.f("ix_charges_account_number_period"),
        "charges",
        ["account_number", "period"],
        postgresql_include=["kwh", "amount", "basis"],
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_payments_account_number_period"),
        "payments",
        ["account_number", "period"],
        postgresql_include=["amount"],
        if_not_exists=True,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(op.f("ix_payments_account_number_period"), table_name="payments")
    op.drop_index(op.f("ix_charges_account_number_period"), table_name="charges")
