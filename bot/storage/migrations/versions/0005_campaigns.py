"""subscriptions, reminders, campaign runs (pausable) and deliveries, discreet mode, outbox
origin, and accounts allowed to run campaigns

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("discreet_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("operator") as batch:
        batch.add_column(
            sa.Column("campaigns", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
        batch.create_index(batch.f("ix_outbox_origin"), ["origin"], unique=False)
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("topic_hash", sa.String(length=64), nullable=False),
        sa.Column("topic_enc", sa.LargeBinary(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "topic_hash"),
    )
    with op.batch_alter_table("subscription") as batch:
        batch.create_index(batch.f("ix_subscription_topic_hash"), ["topic_hash"], unique=False)
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("details_enc", sa.LargeBinary(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reminder") as batch:
        batch.create_index(batch.f("ix_reminder_contact_id"), ["contact_id"], unique=False)
        batch.create_index(batch.f("ix_reminder_next_at"), ["next_at"], unique=False)
    op.create_table(
        "campaign_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_after", sa.Integer(), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "occurrence"),
    )
    op.create_table(
        "campaign_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["campaign_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "contact_id"),
    )
    with op.batch_alter_table("campaign_delivery") as batch:
        batch.create_index(
            "ix_campaign_delivery_due", ["run_id", "status", "not_before"], unique=False
        )
        batch.create_index(batch.f("ix_campaign_delivery_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_table("campaign_delivery")
    op.drop_table("campaign_run")
    op.drop_table("reminder")
    op.drop_table("subscription")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_origin"))
        batch.drop_column("origin")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("discreet_at")
    with op.batch_alter_table("operator") as batch:
        batch.drop_column("campaigns")
