"""The durable outgoing queue: every message is committed before it is sent.

Senders claim due messages, send them, and mark the outcome. A claim is a lease: a process that
dies mid-send leaves the message to be claimed again when the lease ends, so a crash never loses
a message (at worst one is sent twice, when the crash falls between sending and marking).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.engine.messages import Reply
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import ChatMessage, Contact, OutboxMessage, utcnow

log = logging.getLogger(__name__)
outbox = OutboxMessage.__table__
contacts = Contact.__table__
chat_messages = ChatMessage.__table__

LEASE = timedelta(seconds=60)
_INSERT = outbox.insert()
# What was said, and to whom, is not kept once it is delivered.
_MARK_SENT = (
    outbox.update()
    .where(outbox.c.id == sa.bindparam("row_id"))
    .values(status="sent", sent_at=sa.bindparam("sent_at"), error=None, payload_enc=b"")
)
_TRACE = chat_messages.insert()
MAX_ATTEMPTS = 8


class SendError(Exception):
    """A send that failed. `retryable` says whether trying again can help."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after
        # The address cannot take messages any more (blocked the bot, invalid number).
        self.unreachable = unreachable


class Sender(Protocol):
    channel: str

    async def send(self, address: str, reply: Reply, *, ref: str) -> str | None:
        """Deliver one reply; `ref` is the outbox id, for channels that report delivery later.
        Returns the channel's id of the message in the chat, if any (kept for /forget)."""
        ...


@dataclass(frozen=True)
class Outgoing:
    id: int
    contact_id: int | None
    address: str
    reply: Reply
    attempts: int


def drop_queued(connection: Connection, contact_id: int) -> None:
    """Nothing more goes to a person who blocked the hotline or whose number is invalid: what
    waits for them fails now (a message they write later makes them reachable again)."""
    connection.execute(
        outbox.update()
        .where(outbox.c.contact_id == contact_id, outbox.c.status == "queued")
        .values(status="failed", error="unreachable", payload_enc=b"")
    )


def take_back_unasked(connection: Connection, contact_id: int) -> None:
    """Messages the person did not ask for (campaigns, reminders) that still wait are not
    sent: after STOP, or once they said someone else may read their phone."""
    connection.execute(
        outbox.update()
        .where(
            outbox.c.contact_id == contact_id,
            outbox.c.status == "queued",
            outbox.c.origin.is_not(None),
        )
        .values(status="failed", error="taken back", payload_enc=b"")
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 600))


class Outbox:
    def __init__(self, *, database: Database, vault: Vault) -> None:
        self.database = database
        self.vault = vault
        self._wakeups: dict[str, asyncio.Event] = {}
        self._delivered: list[tuple[Outgoing, str | None]] = []
        self._commit: asyncio.Future[None] | None = None
        # Channels this process sends on right now, and messages handed to their senders.
        self._sending: set[str] = set()
        self._handed: dict[str, list[Outgoing]] = {}

    def enqueue(
        self,
        connection: Connection,
        *,
        contact_id: int | None,
        channel: str,
        address: str,
        replies: Sequence[Reply],
        origin: str | None = None,
    ) -> list[Outgoing]:
        """Queue replies inside the caller's transaction: they commit with what caused them.

        While this process sends on the channel, the rows are written already claimed by it and
        returned: after the commit, `hand_over` passes them to the sender without reading them
        back (a crash leaves them to the lease like any claim). Otherwise returns []."""
        if not replies:
            return []
        now = utcnow()
        hot = channel in self._sending
        rows = [
            {
                "contact_id": contact_id,
                "channel": channel,
                "status": "sending" if hot else "queued",
                "attempts": 1 if hot else 0,
                "not_before": now + LEASE if hot else now,
                "created_at": now,
                "origin": origin,
                "payload_enc": self.vault.seal(
                    json.dumps({"address": address, "reply": reply.to_json()}, ensure_ascii=False)
                ),
            }
            for reply in replies
        ]
        if not hot:
            # One row is the common case, and a plain execute is much cheaper than executemany.
            connection.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
            return []
        return [
            Outgoing(
                id=connection.execute(_INSERT, row).inserted_primary_key[0],
                contact_id=contact_id,
                address=address,
                reply=reply,
                attempts=1,
            )
            for row, reply in zip(rows, replies, strict=True)
        ]

    def hand_over(self, channel: str, messages: list[Outgoing]) -> None:
        """Give committed, already-claimed messages to this process's sender."""
        # A sender that stopped meanwhile leaves them to the lease, like any claim.
        if messages and channel in self._sending:
            self._handed.setdefault(channel, []).extend(messages)
            self.wake(channel)

    def sends(self, channel: str) -> bool:
        """Whether this process runs a sender for the channel right now."""
        return channel in self._sending

    def wake(self, channel: str) -> None:
        self._wakeups.setdefault(channel, asyncio.Event()).set()

    async def claim(self, channel: str, limit: int = 50) -> list[Outgoing]:
        """Take up to `limit` due messages of a channel, oldest first, under a lease."""
        rows = await self.database.run(lambda connection: self._claim(connection, channel, limit))
        claimed = []
        for row in rows:
            payload = json.loads(self.vault.open(row.payload_enc))
            claimed.append(
                Outgoing(
                    id=row.id,
                    contact_id=row.contact_id,
                    address=payload["address"],
                    reply=Reply.from_json(payload["reply"]),
                    attempts=row.attempts + 1,
                )
            )
        return claimed

    @staticmethod
    def _claim(connection: Connection, channel: str, limit: int) -> list[sa.Row]:
        now = utcnow()
        query = (
            sa.select(outbox.c.id, outbox.c.contact_id, outbox.c.payload_enc, outbox.c.attempts)
            .where(
                outbox.c.channel == channel,
                outbox.c.status.in_(("queued", "sending")),
                outbox.c.not_before <= now,
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            # Several workers share the queue; each row goes to one of them.
            query = query.with_for_update(skip_locked=True)
        rows = connection.execute(query).all()
        if rows:
            connection.execute(
                outbox.update()
                .where(outbox.c.id.in_([r.id for r in rows]))
                .values(status="sending", not_before=now + LEASE, attempts=outbox.c.attempts + 1)
            )
        return rows

    async def release_claims(self) -> int:
        """Make messages claimed by a process that is gone due at once. Only for a single
        process (SQLite): with several, another live process may hold the claim."""
        return await self.database.run(
            lambda connection: (
                connection.execute(
                    outbox.update()
                    .where(outbox.c.status == "sending")
                    .values(status="queued", not_before=utcnow())
                ).rowcount
            )
        )

    async def mark_sent(self, message: Outgoing, chat_message_id: str | None = None) -> None:
        """Record a delivery. Deliveries finishing together are written in one transaction
        (group commit); each caller returns once its own is committed."""
        self._delivered.append((message, chat_message_id))
        if len(self._delivered) == 1:
            self._commit = asyncio.ensure_future(self._write_delivered())
        await asyncio.shield(self._commit)

    async def _write_delivered(self) -> None:
        await asyncio.sleep(0)  # let the deliveries of this moment join the batch
        batch, self._delivered = self._delivered, []
        now = utcnow()
        sent = [{"row_id": message.id, "sent_at": now} for message, _ in batch]
        # Kept (the id only) so /forget can delete the message from the chat.
        traced = [
            {"contact_id": message.contact_id, "message_ref": ref, "created_at": now}
            for message, ref in batch
            if ref is not None and message.contact_id is not None
        ]

        def work(connection: Connection) -> None:
            connection.execute(_MARK_SENT, sent)
            if traced:
                # A person may have erased themselves while their reply was on its way.
                asked = {row["contact_id"] for row in traced}
                present = set(
                    connection.execute(
                        sa.select(contacts.c.id).where(contacts.c.id.in_(asked))
                    ).scalars()
                )
                kept = [row for row in traced if row["contact_id"] in present]
                if kept:
                    connection.execute(_TRACE, kept)

        await self.database.run(work)

    async def record_delivery(
        self,
        *,
        channel: str,
        ref: str,
        delivery: str,
        detail: str | None = None,
        invalid_number: bool = False,
    ) -> bool:
        """A channel's report on a message it sent (an SMS delivery report). False when no
        message of the channel has that ref (a stale or forged report changes nothing)."""
        if not ref.isdigit() or len(ref) > 18:
            return False

        def work(connection: Connection) -> bool:
            row = connection.execute(
                sa.select(outbox.c.contact_id).where(
                    outbox.c.id == int(ref), outbox.c.channel == channel
                )
            ).first()
            if row is None:
                return False
            values: dict[str, object] = {"delivery": delivery, "delivery_at": utcnow()}
            if delivery == "failed":
                values["error"] = (detail or "not delivered")[:200]
            update = outbox.update().where(outbox.c.id == int(ref)).values(**values)
            if delivery == "pending":
                # Reports arrive out of order, even at once (Kannel's "accepted by the SMSC"
                # with or after "delivered"): an interim report never undoes a final outcome.
                # The condition is in the UPDATE itself, so PostgreSQL checks it again on the
                # row as a concurrent report left it.
                update = update.where(
                    sa.or_(outbox.c.delivery.is_(None), outbox.c.delivery == "pending")
                )
            connection.execute(update)
            if invalid_number and row.contact_id is not None:
                connection.execute(
                    contacts.update()
                    .where(contacts.c.id == row.contact_id)
                    .values(unreachable_at=utcnow())
                )
                drop_queued(connection, row.contact_id)
            return True

        return await self.database.run(work)

    async def mark_failed(self, message: Outgoing, error: SendError) -> None:
        await self.database.run(lambda connection: self._mark_failed(connection, message, error))

    @staticmethod
    def _mark_failed(connection: Connection, message: Outgoing, error: SendError) -> None:
        now = utcnow()
        if error.unreachable and message.contact_id is not None:
            connection.execute(
                contacts.update()
                .where(contacts.c.id == message.contact_id)
                .values(unreachable_at=now)
            )
            drop_queued(connection, message.contact_id)
        if error.retryable and error.retry_after is not None:
            # The channel asked us to slow down: not the message's fault, so not an attempt.
            values = {
                "status": "queued",
                "not_before": now + timedelta(seconds=error.retry_after),
                "attempts": outbox.c.attempts - 1,
            }
        elif error.retryable and message.attempts < MAX_ATTEMPTS:
            values = {"status": "queued", "not_before": now + backoff(message.attempts)}
        else:
            values = {"status": "failed"}
        connection.execute(
            outbox.update()
            .where(outbox.c.id == message.id)
            .values(error=str(error)[:200], **values)
        )

    async def dispatch_once(self, sender: Sender, limit: int = 50) -> int:
        """Send what is due on the sender's channel; returns how many were claimed.

        Messages to one address go one after another, in order; different addresses go side
        by side (up to the sender's `parallel`), so one slow chat does not hold up the rest."""
        handed = self._handed.pop(sender.channel, [])
        claimed = sorted([*handed, *await self.claim(sender.channel, limit)], key=lambda m: m.id)
        by_address: dict[str, list[Outgoing]] = {}
        for message in claimed:
            by_address.setdefault(message.address, []).append(message)
        lanes = asyncio.Semaphore(getattr(sender, "parallel", 1))

        async def send_in_order(messages: list[Outgoing]) -> None:
            async with lanes:
                for index, message in enumerate(messages):
                    error = await self._send_one(sender, message)
                    if error is None:
                        continue
                    # Keep the order: what follows a failed message waits as long as it does.
                    wait = error.retry_after
                    if wait is None:
                        wait = backoff(message.attempts).total_seconds() if error.retryable else 0
                    if error.unreachable:
                        held = SendError("unreachable", retryable=False)
                    else:
                        held = SendError(
                            "waits for an earlier message", retryable=True, retry_after=wait
                        )
                    for later in messages[index + 1 :]:
                        await self.mark_failed(later, held)
                    return

        await asyncio.gather(*(send_in_order(group) for group in by_address.values()))
        return len(claimed)

    async def _send_one(self, sender: Sender, message: Outgoing) -> SendError | None:
        """Send and record the outcome; returns the error if the message did not go."""
        try:
            chat_message_id = await sender.send(message.address, message.reply, ref=str(message.id))
        except SendError as error:
            log.warning(
                "send failed", extra={"outbox_id": message.id, "retryable": error.retryable}
            )
            await self.mark_failed(message, error)
            return error
        except Exception as exc:  # a sender's bug: keep the message and try again later
            log.exception("sender crashed", extra={"outbox_id": message.id})
            error = SendError(type(exc).__name__, retryable=True)
            await self.mark_failed(message, error)
            return error
        await self.mark_sent(message, chat_message_id)
        return None

    async def run(self, sender: Sender, idle: float = 1.0) -> None:
        """Send forever: right after a wake-up, or every `idle` seconds."""
        event = self._wakeups.setdefault(sender.channel, asyncio.Event())
        self._sending.add(sender.channel)
        try:
            while True:
                event.clear()
                try:
                    if await self.dispatch_once(sender):
                        continue
                except Exception:  # a bad row or a database hiccup must not stop the sender
                    log.exception("outbox dispatch failed", extra={"channel": sender.channel})
                # Not wait_for: on 3.11 it swallows a cancel that comes with the wake-up,
                # and a sender asked to stop would go on sending.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(idle):
                        await event.wait()
        finally:
            # Handed messages not sent yet stay claimed: the lease (or, on SQLite, the next
            # start) sends them.
            self._sending.discard(sender.channel)
            self._handed.pop(sender.channel, None)
