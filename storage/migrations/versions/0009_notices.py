"""Notices: subscriptions per topic, outages, campaigns and the jobs' leases; the outbox gets
lanes and the notice's once-only key. Customers' old reminders flag becomes a subscription.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import types as st

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("customer_id", st.BigId, nullable=False),
        sa.Column("topic", sa.String(length=24), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("changed_at", st.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_subscriptions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "topic", name=op.f("pk_subscriptions")),
    )
    op.create_table(
        "outages",
        sa.Column("id", st.BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("settlement", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("houses", sa.String(length=400), nullable=False),
        sa.Column("starts_at", st.UTCDateTime(), nullable=False),
        sa.Column("ends_at", st.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", st.UTCDateTime(), nullable=True),
        sa.Column("restored_at", st.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
        sa.UniqueConstraint("key", name=op.f("uq_outages_key")),
    )
    op.create_index(op.f("ix_outages_ends_at"), "outages", ["ends_at"])
    op.create_table(
        "campaigns",
        sa.Column("id", st.BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("outage_id", st.BigId, nullable=True),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("produced_at", st.UTCDateTime(), nullable=True),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.Column("posted_at", st.UTCDateTime(), nullable=True),
        sa.Column("post_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outage_id"],
            ["outages.id"],
            name=op.f("fk_campaigns_outage_id_outages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("key", name=op.f("uq_campaigns_key")),
    )
    op.create_index(op.f("ix_campaigns_created_at"), "campaigns", ["created_at"])
    op.create_table(
        "jobs",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("leased_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", st.UTCDateTime(), nullable=True),
        sa.Column("started_at", st.UTCDateTime(), nullable=False),
        sa.Column("done_at", st.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lane", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("campaign_id", st.BigId, nullable=True))
        batch.add_column(sa.Column("notice_key", sa.String(length=250), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("account", sa.String(length=16), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_outbox_campaign_id_campaigns"),
            "campaigns",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(batch.f("uq_outbox_notice_key"), ["notice_key"])
    op.create_index(
        op.f("ix_outbox_status_channel_lane_id"), "outbox", ["status", "channel", "lane", "id"]
    )
    op.create_index(op.f("ix_outbox_campaign_id_status"), "outbox", ["campaign_id", "status"])
    # The old «reminders off» becomes the readings topic turned off, as the customer chose.
    op.execute(
        "INSERT INTO subscriptions (customer_id, topic, enabled, channel, changed_at) "
        "SELECT id, 'readings', false, channel, created_at FROM customers WHERE NOT reminders"
    )
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("reminders")


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column("reminders", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute(
        "UPDATE customers SET reminders = false WHERE id IN (SELECT customer_id FROM "
        "subscriptions WHERE topic = 'readings' AND NOT enabled)"
    )
    op.drop_index(op.f("ix_outbox_campaign_id_status"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_status_channel_lane_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(batch.f("uq_outbox_notice_key"), type_="unique")
        batch.drop_constraint(batch.f("fk_outbox_campaign_id_campaigns"), type_="foreignkey")
        batch.drop_column("account")
        batch.drop_column("kind")
        batch.drop_column("notice_key")
        batch.drop_column("campaign_id")
        batch.drop_column("lane")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_campaigns_created_at"), table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_index(op.f("ix_outages_ends_at"), table_name="outages")
    op.drop_table("outages")
    op.drop_table("subscriptions")
