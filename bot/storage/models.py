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
    # "campaign:<run id>" or "reminder": also how a campaign's progress is counted.
    origin: str | None = Field(default=None, max_length=16, index=True)


class Organisation(SQLModel, table=True):
    """A partner organisation whose operators take cases in the console. Entries of
    hotlines.yaml with a `partner:` block are copied here at start (`from_content`); the
    deployment's own regional hotline is the fallback that takes what nobody else can."""

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    # Empty lists mean "all": the regional fallback covers every country, topic and language.
    countries: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    topics: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    languages: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # OpenStreetMap opening hours in `timezone`; None: always open (the operators say so).
    hours: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    # A public number from the directory, given to the person with their case code.
    phone: str | None = Field(default=None, max_length=32)
    # Minutes before an untaken case goes to the fallback organisation.
    urgent_minutes: int = 10
    normal_minutes: int = 120
    fallback: bool = False
    from_content: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Operator(SQLModel, table=True):
    """A console account. Only an Argon2 hash of the password is kept."""

    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    organisation_id: str = Field(
        sa_column=sa.Column(sa.ForeignKey("organisation.id"), nullable=False, index=True)
    )
    role: str = Field(max_length=16)  # operator, supervisor, admin
    password_hash: str = Field(max_length=200)
    # Bumped when the password changes: older session cookies stop working.
    password_epoch: int = 0
    must_change_password: bool = False
    active: bool = True
    # An admin lets the account run campaigns (the console's Campaigns page); admins always can.
    campaigns: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class Case(SQLModel, table=True):
    """A person handed to a human. Routed to one organisation at a time; its deadline is when
    an untaken case moves on to the fallback organisation."""

    __tablename__ = "help_case"  # "case" is an SQL keyword
    __table_args__ = (sa.Index("ix_help_case_queue", "organisation_id", "status", "urgent"),)

    id: int | None = Field(default=None, primary_key=True)
    # The code the person can give from another number: a keyed hash to find it, sealed to
    # show it to the operator.
    code_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    code_enc: bytes = Field(sa_type=sa.LargeBinary)
    # Emptied when the person erases their data; the case stays, without them, for statistics.
    contact_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("contact.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    organisation_id: str = Field(
        sa_column=sa.Column(sa.ForeignKey("organisation.id"), nullable=False)
    )
    operator_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("operator.id", ondelete="SET NULL"), nullable=True),
    )
    status: str = Field(default="waiting", max_length=16)  # waiting, active, closed
    urgent: bool = False
    reason: str = Field(max_length=16)  # operator, urgent, unmatched
    channel: str = Field(max_length=16)
    language: str | None = Field(default=None, max_length=8)
    country: str | None = Field(default=None, max_length=2)
    topic: str | None = Field(default=None, max_length=32)
    node_id: str | None = Field(default=None, max_length=64)
    # Only what the person chose to say: female, male, other.
    gender: str | None = Field(default=None, max_length=16)
    # When the person agreed that the case may be referred to another organisation.
    referral_consent_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=32)
    # When the person went back to the menu (/menu); operators can still write to them.
    person_left_at: datetime | None = None
    deadline_at: datetime | None = None
    fallback_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class CaseMessage(SQLModel, table=True):
    """One line of a case: the person's message, an operator's reply, a notice the hotline
    sent, or an internal note the person never sees. Text encrypted."""

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("help_case.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    author: str = Field(max_length=16)  # person, operator, hotline, note
    operator_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("operator.id", ondelete="SET NULL"), nullable=True),
    )
    text_enc: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who saw or moved what: case opened, number revealed, export, transfer, sign-in."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    operator_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("operator.id", ondelete="SET NULL"), nullable=True),
    )
    action: str = Field(max_length=32)
    case_id: int | None = None
    detail: str | None = Field(default=None, max_length=200)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, by keyed hash of the account name and of the client address, so
    guessing is slowed down across every worker process."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class WebMessage(SQLModel, table=True):
    """A message sent to a web chat, kept until the page has fetched it (and a day after,
    so a reload shows the conversation)."""

    __tablename__ = "web_message"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # The reply (text, options) as encrypted JSON.
    payload_enc: bytes = Field(sa_type=sa.LargeBinary)
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
    # Set while a campaign manager holds the run: nothing more is queued until they resume it.
    paused_at: datetime | None = None
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


class WrittenCampaign(SQLModel, table=True):
    """A campaign written in the console: the same fields as content/campaigns/<id>.yaml
    (`body`, that file's shape), checked by the same rules. A file of the same id wins."""

    __tablename__ = "written_campaign"

    id: str = Field(primary_key=True, max_length=48)
    body: dict = Field(sa_type=sa.JSON)
    # Each save adds one: an edit made from an older copy of the form is refused, not merged.
    version: int = 1
    created_by: int | None = Field(
        sa_column=sa.Column(sa.ForeignKey("operator.id", ondelete="SET NULL"), nullable=True),
        default=None,
    )
    updated_by: int | None = Field(
        sa_column=sa.Column(sa.ForeignKey("operator.id", ondelete="SET NULL"), nullable=True),
        default=None,
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
