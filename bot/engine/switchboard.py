"""Where a message meets storage: drop repeats, load the person's session, let the conversation
answer, and commit the new state, escalation request and outgoing replies in one transaction,
so nothing accepted is lost and nothing is answered twice."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.campaigns import reminders as reminder_rows
from bot.campaigns import subscriptions as subscription_rows
from bot.cases.intake import Effects, Intake
from bot.engine.conversation import SILENT_AFTER_STOP, Conversation
from bot.engine.messages import Inbound, Outcome, Reply, State
from bot.outbox import Outbox, Outgoing, drop_queued, take_back_unasked
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import (
    ChatMessage,
    Contact,
    OutboxMessage,
    SeenInbound,
    utcnow,
)
from bot.storage.models import Conversation as ConversationRow

log = logging.getLogger(__name__)

contacts = Contact.__table__
conversations = ConversationRow.__table__
seen = SeenInbound.__table__
outbox_rows = OutboxMessage.__table__
chat_messages = ChatMessage.__table__

# Telegram lets a bot delete messages in a private chat for 48 hours.
DELETABLE_FOR = timedelta(hours=48)
# A channel's way of cutting one reply into the messages it can carry (Telegram: 4096 chars).
Shaper = Callable[[Reply], list[Reply]]
# Told what changed in cases once a message's transaction has committed (timers, consoles).
CaseListener = Callable[[Effects], None]


class Pager(Protocol):
    """A channel that sends long replies a page at a time (SMS): the person asks for more."""

    def pages(self, reply: Reply, *, latin_letters: bool = False) -> list[str]:
        """The reply as finished page texts, options included (in Latin letters if the
        person asked for them: cheaper on SMS)."""
        ...

    def asks_more(self, text: str) -> bool:
        """Whether the message asks for the next page ("+")."""
        ...


class Statements:
    """The statements every message runs, built once per SQL dialect: building SQLAlchemy
    statements costs more than running them on SQLite."""

    def __init__(self, dialect: str) -> None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.remember = (
            insert(seen)
            .values(
                channel=sa.bindparam("channel"),
                message_key=sa.bindparam("message_key"),
                seen_at=sa.bindparam("seen_at"),
            )
            .on_conflict_do_nothing(index_elements=["channel", "message_key"])
        )
        self.load = (
            sa.select(
                contacts.c.id,
                conversations.c.state_enc,
                contacts.c.unreachable_at,
                contacts.c.opted_out_at,
            )
            .select_from(contacts.outerjoin(conversations))
            .where(
                contacts.c.channel == sa.bindparam("channel"),
                contacts.c.address_hash == sa.bindparam("address_hash"),
            )
        )
        self.add_contact = contacts.insert()
        save = insert(conversations).values(
            contact_id=sa.bindparam("contact_id"),
            state_enc=sa.bindparam("state_enc"),
            updated_at=sa.bindparam("updated_at"),
        )
        self.save = save.on_conflict_do_update(
            index_elements=["contact_id"],
            set_={"state_enc": save.excluded.state_enc, "updated_at": save.excluded.updated_at},
        )
        self.set_place = contacts.update().where(contacts.c.id == sa.bindparam("contact_id"))
        self.trace = chat_messages.insert()


class Switchboard:
    def __init__(
        self,
        *,
        database: Database,
        vault: Vault,
        conversation: Conversation,
        outbox: Outbox,
        intake: Intake | None = None,
    ) -> None:
        self.database = database
        self.vault = vault
        self.conversation = conversation
        self.outbox = outbox
        self.intake = intake or Intake(vault=vault, conversation=conversation)
        self.case_listeners: list[CaseListener] = []
        self.sql = Statements(database.dialect)
        self.shapers: dict[str, Shaper] = {}
        self.pagers: dict[str, Pager] = {}

    async def receive(self, inbound: Inbound) -> list[Reply]:
        """Handle one message; returns the replies queued for it ([] for a repeat)."""
        handed: list[Outgoing] = []
        effects = Effects()
        outcome = await self.database.run(
            lambda connection: self._handle(connection, inbound, handed, effects)
        )
        if effects.deadlines or effects.changed:
            for listener in self.case_listeners:
                listener(effects)
        if outcome is None:
            person = self.vault.pseudonym(f"{inbound.channel}:{inbound.address}")
            log.info("repeated message dropped", extra={"person": person})
            return []
        self.outbox.hand_over(inbound.channel, handed)
        self.outbox.wake(inbound.channel)
        # No node here: beside a pseudonym, the pages a person reads would profile them.
        log.debug(
            "answered",
            extra={
                "person": self.vault.pseudonym(f"{inbound.channel}:{inbound.address}"),
                "escalation": outcome.escalation.reason if outcome.escalation else None,
            },
        )
        return outcome.replies

    def _handle(
        self, connection: Connection, inbound: Inbound, handed: list[Outgoing], effects: Effects
    ) -> Outcome | None:
        """The whole message as one transaction; claimed replies for this process's sender
        are added to `handed` (given to it only once the transaction has committed)."""
        if inbound.message_id is not None and not self._first_time(connection, inbound):
            return None
        contact_id, state, opted_out = self._load(connection, inbound)
        if inbound.received_at is None:
            inbound = replace(inbound, received_at=utcnow())
        pager = self.pagers.get(inbound.channel)
        if pager is not None and state.pages and pager.asks_more(inbound.text or ""):
            outcome = self._next_page(state)
        else:
            outcome = self.intake.respond(connection, contact_id, state, inbound, effects)
            if pager is not None:
                outcome = self._paged(pager, outcome)
        replies = outcome.replies
        if inbound.channel in SILENT_AFTER_STOP and opted_out and not outcome.opt_out:
            if outcome.opt_in:
                connection.execute(
                    contacts.update().where(contacts.c.id == contact_id).values(opted_out_at=None)
                )
            else:
                # STOP on SMS means nothing more is sent until START; what they wrote still
                # counts (a danger message is recorded for the operators).
                replies = []
        if outcome.erase:
            retract = self._deletable(connection, contact_id)
            if inbound.chat_message_id is not None:
                retract.append(inbound.chat_message_id)
            self.intake.forget(connection, contact_id, effects)
            self._erase(connection, contact_id)
            if replies and retract:
                replies = [replace(replies[0], retract=tuple(retract)), *replies[1:]]
        else:
            self._save(connection, contact_id, state, outcome.state)
            if inbound.chat_message_id is not None:
                self._remember_message(connection, contact_id, inbound.chat_message_id)
            if outcome.opt_out:
                connection.execute(
                    contacts.update()
                    .where(contacts.c.id == contact_id)
                    .values(opted_out_at=utcnow())
                )
            self._news(connection, contact_id, inbound.channel, opted_out, outcome)
        handed.extend(
            self.outbox.enqueue(
                connection,
                contact_id=None if outcome.erase else contact_id,
                channel=inbound.channel,
                address=inbound.address,
                replies=self._shape(inbound.channel, replies),
            )
        )
        return outcome

    def _news(
        self,
        connection: Connection,
        contact_id: int,
        channel: str,
        opted_out: bool,
        outcome: Outcome,
    ) -> None:
        """Subscriptions, reminders and discreet mode as the person just set them."""
        if outcome.subscriptions is not None:
            added = subscription_rows.sync(
                connection, self.vault, contact_id=contact_id, topics=outcome.subscriptions
            )
            if added and opted_out and channel not in SILENT_AFTER_STOP:
                # Choosing a topic after /stop is consent again (on SMS only START is).
                connection.execute(
                    contacts.update().where(contacts.c.id == contact_id).values(opted_out_at=None)
                )
        if outcome.reminders is not None:
            reminder_rows.sync(
                connection,
                self.vault,
                contact_id=contact_id,
                country=outcome.state.country,
                wanted=outcome.reminders,
                days_before=self.conversation.subscribing.days_before,
            )
        if outcome.discreet is not None:
            connection.execute(
                contacts.update()
                .where(contacts.c.id == contact_id)
                .values(discreet_at=utcnow() if outcome.discreet else None)
            )
        if outcome.opt_out or outcome.discreet:
            take_back_unasked(connection, contact_id)

    @staticmethod
    def _next_page(state: State) -> Outcome:
        page, *rest = state.pages
        return Outcome(
            replace(state, pages=rest), [Reply(text=page, language=state.language or "ru")]
        )

    @staticmethod
    def _paged(pager: Pager, outcome: Outcome) -> Outcome:
        """The first page of each reply goes now; the rest wait in the session for "+"."""
        sent: list[Reply] = []
        waiting: list[str] = []
        for reply in outcome.replies:
            first, *rest = pager.pages(reply, latin_letters=outcome.state.latin) or [""]
            sent.append(replace(reply, text=first, options=(), summary=None))
            waiting += rest
        return replace(outcome, state=replace(outcome.state, pages=waiting), replies=sent)

    def shape(self, channel: str, replies: list[Reply]) -> list[Reply]:
        """Replies cut to what the channel carries in one message (operators' replies too)."""
        return self._shape(channel, replies)

    def _shape(self, channel: str, replies: list[Reply]) -> list[Reply]:
        shaper = self.shapers.get(channel)
        return [part for reply in replies for part in shaper(reply)] if shaper else replies

    async def notify(self, inbound: Inbound, replies: list[Reply]) -> bool:
        """Answer a message outside any conversation (a group chat): queued like any reply,
        repeats dropped, nothing kept about the sender. False for a repeat."""

        handed: list[Outgoing] = []

        def work(connection: Connection) -> bool:
            if inbound.message_id is not None and not self._first_time(connection, inbound):
                return False
            handed.extend(
                self.outbox.enqueue(
                    connection,
                    contact_id=None,
                    channel=inbound.channel,
                    address=inbound.address,
                    replies=self._shape(inbound.channel, replies),
                )
            )
            return True

        queued = await self.database.run(work)
        if queued:
            self.outbox.hand_over(inbound.channel, handed)
            self.outbox.wake(inbound.channel)
        return queued

    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None:
        """The channel says the person blocked (or unblocked) the hotline."""
        address_hash = self.vault.lookup(address)

        def work(connection: Connection) -> None:
            contact_id = connection.execute(
                sa.select(contacts.c.id).where(
                    contacts.c.channel == channel, contacts.c.address_hash == address_hash
                )
            ).scalar()
            if contact_id is None:
                return
            connection.execute(
                contacts.update()
                .where(contacts.c.id == contact_id)
                .values(unreachable_at=None if reachable else utcnow())
            )
            if not reachable:
                drop_queued(connection, contact_id)

        await self.database.run(work)

    async def prune(self) -> int:
        """Forget chat message ids the channel can no longer delete anyway."""
        since = utcnow() - DELETABLE_FOR
        result = await self.database.run(
            lambda connection: connection.execute(
                chat_messages.delete().where(chat_messages.c.created_at <= since)
            )
        )
        return result.rowcount

    def _remember_message(self, connection: Connection, contact_id: int, ref: str) -> None:
        connection.execute(
            self.sql.trace, {"contact_id": contact_id, "message_ref": ref, "created_at": utcnow()}
        )

    @staticmethod
    def _deletable(connection: Connection, contact_id: int) -> list[str]:
        since = utcnow() - DELETABLE_FOR
        rows = connection.execute(
            sa.select(chat_messages.c.message_ref)
            .where(chat_messages.c.contact_id == contact_id, chat_messages.c.created_at > since)
            .order_by(chat_messages.c.id)
        )
        return [row.message_ref for row in rows]

    def _first_time(self, connection: Connection, inbound: Inbound) -> bool:
        key = self.vault.lookup(f"{inbound.address}\x00{inbound.message_id}")
        result = connection.execute(
            self.sql.remember, {"channel": inbound.channel, "message_key": key, "seen_at": utcnow()}
        )
        return result.rowcount == 1

    def _load(self, connection: Connection, inbound: Inbound) -> tuple[int, State, bool]:
        """The person's contact id, session, and whether they opted out."""
        address_hash = self.vault.lookup(inbound.address)
        row = connection.execute(
            self.sql.load, {"channel": inbound.channel, "address_hash": address_hash}
        ).first()
        if row is None:
            result = connection.execute(
                self.sql.add_contact,
                {
                    "channel": inbound.channel,
                    "address_hash": address_hash,
                    "address_enc": self.vault.seal(inbound.address),
                    "created_at": utcnow(),
                },
            )
            return result.inserted_primary_key[0], State(), False
        contact_id, state_enc, unreachable_at, opted_out_at = row
        if unreachable_at is not None:
            # They write to us, so they can be written to again (unblocked the bot).
            connection.execute(
                contacts.update().where(contacts.c.id == contact_id).values(unreachable_at=None)
            )
        opted_out = opted_out_at is not None
        if state_enc is None:
            return contact_id, State(), opted_out
        return contact_id, State.from_json(json.loads(self.vault.open(state_enc))), opted_out

    def _erase(self, connection: Connection, contact_id: int) -> None:
        """Everything about the person goes: contact, session, requests, unsent messages."""
        connection.execute(outbox_rows.delete().where(outbox_rows.c.contact_id == contact_id))
        connection.execute(contacts.delete().where(contacts.c.id == contact_id))

    def load_state(self, connection: Connection, contact_id: int) -> State:
        """A person's session, read outside a message (an operator's paged answer)."""
        row = connection.execute(
            sa.select(conversations.c.state_enc).where(conversations.c.contact_id == contact_id)
        ).first()
        if row is None:
            return State()
        return State.from_json(json.loads(self.vault.open(row.state_enc)))

    def save_state(self, connection: Connection, contact_id: int, state: State) -> None:
        """Store a session changed outside a message (an operator's paged answer)."""
        state_enc = self.vault.seal(json.dumps(state.to_json(), ensure_ascii=False))
        connection.execute(
            self.sql.save,
            {"contact_id": contact_id, "state_enc": state_enc, "updated_at": utcnow()},
        )

    def _save(self, connection: Connection, contact_id: int, before: State, after: State) -> None:
        state_enc = self.vault.seal(json.dumps(after.to_json(), ensure_ascii=False))
        connection.execute(
            self.sql.save,
            {"contact_id": contact_id, "state_enc": state_enc, "updated_at": utcnow()},
        )
        if (before.language, before.country) != (after.language, after.country):
            # Kept beside the encrypted session for campaigns and statistics by segment.
            connection.execute(
                self.sql.set_place,
                {"contact_id": contact_id, "language": after.language, "country": after.country},
            )
