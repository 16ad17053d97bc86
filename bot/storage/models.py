"""Tables. Data only: no network, no business rules.

Addresses (phone numbers, chat ids) and message texts are stored encrypted (`*_enc`), and found
again through a keyed hash (`address_hash`); see bot/storage/crypto.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Contact(SQLModel, table=True):
    """A person as one channel knows them: the minimum, and nothing readable without the key."""

    __table_args__ = (sa.UniqueConstraint("channel", "address_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    address_hash: str = Field(max_length=64)
    address_enc: bytes = Field(sa_type=sa.LargeBinary)
    language: str | None = Field(default=None, max_length=8)
    country: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(default_factory=utcnow)
    # Set when the channel says we must stop (blocked the bot, invalid number).
    unreachable_at: datetime | None = None
    # Set when the person asked for no messages the hotline starts itself (/stop, STOP).
    opted_out_at: datetime | None = None
    # Set when the person said someone else may read their phone: nothing the hotline starts
    # itself (campaigns, reminders) goes to them, only answers.
    discreet_at: datetime | None = None


class Conversation(SQLModel, table=True):
    """Where a person is in the tree, so a restart does not lose their place. `updated_at` is
    the person's last message, which retention limits count from."""

    __tablename__ = "conversation"

    contact_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    # The session (language, place in the tree, last question) as encrypted JSON: even the
    # topics a person reads say something about them.
    state_enc: bytes = Field(sa_type=sa.LargeBinary)
    updated_at: datetime = Field(default_factory=utcnow)


class SeenInbound(SQLModel, table=True):
    """Channel message ids already handled, so a redelivered message is dropped."""

    __tablename__ = "seen_inbound"
    __table_args__ = (sa.UniqueConstraint("channel", "message_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    # Keyed hash of address and message id: ids alone may repeat across chats.
    message_key: str = Field(max_length=64)
    seen_at: datetime = Field(default_factory=utcnow, index=True)


class ChatMessage(SQLModel, table=True):
    """A message in a person's chat (theirs or ours) that the channel can still delete; kept
    so that /forget also clears what someone else checking the phone would see. Only the
    channel's message id, never the text; rows older than the channel's window are pruned."""

    __tablename__ = "chat_message"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    message_ref: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxMessage(SQLModel, table=True):
    """An outgoing message, committed before any attempt to send it."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "channel", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    # Empty for the last message to a person who erased their data.
    contact_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("contact.id", ondelete="SET NULL"), nullable=True),
    )
    channel: str = Field(max_length=16)
    # Address and reply (text and options) as encrypted JSON; emptied once sent.
    payload_enc: bytes = Field(sa_type=sa.LargeBinary)
    status: str = Field(default="queued", max_length=16)  # queued, sent, failed
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    error: str | None = Field(default=None, max_length=200)
    # What the channel reported after sending (SMS delivery reports): delivered, failed, pending.
    delivery: str | None = Field(default=None, max_length=16)
    delivery_at: datetime | None = None
    # What queued it when the person did not ask for it (campaign, reminder): STOP and
    # discreet mode take such messages back while they wait.
    origin: str | None = Field(default=None, max_length=16)


class EscalationRequest(SQLModel, table=True):
    """A person asked for a human, or triage found danger; the console turns these into cases."""

    __tablename__ = "escalation_request"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    reason: str = Field(max_length=16)  # operator, urgent, unmatched
    urgent: bool = False
    language: str | None = Field(default=None, max_length=8)
    country: str | None = Field(default=None, max_length=2)
    node_id: str | None = Field(default=None, max_length=64)
    # What the person wrote when it matters for the case; encrypted.
    text_enc: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Subscription(SQLModel, table=True):
    """A topic a person asked to hear about, and when they agreed to it. The topic says
    something about the person ("returning home"), so it is sealed and found by a keyed hash."""

    __table_args__ = (sa.UniqueConstraint("contact_id", "topic_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    topic_hash: str = Field(max_length=64, index=True)
    topic_enc: bytes = Field(sa_type=sa.LargeBinary)
    consented_at: datetime = Field(default_factory=utcnow)


class Reminder(SQLModel, table=True):
    """A date the person gave (their patent is paid until...), sealed with its kind and node.
    Only the time of the next reminder is in the clear, so the scheduler can find it."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # {"kind", "date", "node"} as encrypted JSON.
    details_enc: bytes = Field(sa_type=sa.LargeBinary)
    # When the next reminder is due (UTC); empty once the last one went.
    next_at: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class CampaignRun(SQLModel, table=True):
    """One occurrence of a campaign (content/campaigns/<id>.yaml): its recipients are written
    as deliveries in batches; `planned_after` is the last contact id written so far."""

    __tablename__ = "campaign_run"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=64)
    # The occurrence's scheduled time (UTC, ISO 8601): a repeat of a cron campaign is a new run.
    occurrence: str = Field(max_length=32)
    status: str = Field(default="planning", max_length=16)  # planning, sending, done, cancelled
    planned_after: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class CampaignDelivery(SQLModel, table=True):
    """One person's copy of one campaign occurrence: written once, queued once."""

    __tablename__ = "campaign_delivery"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "contact_id"),
        sa.Index("ix_campaign_delivery_due", "run_id", "status", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("campaign_run.id", ondelete="CASCADE"), nullable=False)
    )
    contact_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    status: str = Field(default="pending", max_length=16)  # pending, queued, skipped
    # The start of the next allowed hours in the person's time zone.
    not_before: datetime = Field(default_factory=utcnow)
    reason: str | None = Field(default=None, max_length=16)  # why skipped
