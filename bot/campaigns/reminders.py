"""Personal reminders: the kinds of date a person can give, when they are reminded, and the
sweep that queues due reminders through the outbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.campaigns.hours import local_moment
from bot.campaigns.kinds import DEFAULT_DAYS_BEFORE, KINDS
from bot.content.model import ContentTree
from bot.engine.messages import Option, Reply
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox, Outgoing
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import Contact, Reminder, utcnow

log = logging.getLogger(__name__)
reminders = Reminder.__table__
contacts = Contact.__table__

# Reminders go at 10:00 in the person's country: inside everyone's allowed hours.
REMIND_AT = time(10)
SWEEP_BATCH = 200


def next_reminder(
    day: date, country: str | None, days_before: Sequence[int], after: datetime
) -> datetime | None:
    """The next time to remind about `day` strictly after `after`, or None when none is left."""
    times = sorted(
        local_moment(date.fromordinal(day.toordinal() - d), REMIND_AT, country)
        for d in days_before
        if d >= 0
    )
    return next((moment for moment in times if moment > after), None)


def seal(vault: Vault, kind: str, day: date) -> bytes:
    node = KINDS[kind].node if kind in KINDS else None
    return vault.seal(json.dumps({"kind": kind, "date": day.isoformat(), "node": node}))


def opened(vault: Vault, details_enc: bytes) -> tuple[str, date]:
    details = json.loads(vault.open(details_enc))
    return details["kind"], date.fromisoformat(details["date"])


def sync(
    connection: Connection,
    vault: Vault,
    *,
    contact_id: int,
    country: str | None,
    wanted: Sequence[tuple[str, str]],
    days_before: Sequence[int],
) -> None:
    """Make the person's reminder rows the `wanted` (kind, ISO date) pairs."""
    keep = {(kind, date.fromisoformat(day)) for kind, day in wanted}
    have: set[tuple[str, date]] = set()
    for row in connection.execute(
        sa.select(reminders.c.id, reminders.c.details_enc).where(
            reminders.c.contact_id == contact_id
        )
    ):
        found = opened(vault, row.details_enc)
        if found in keep and found not in have:
            have.add(found)
        else:
            connection.execute(reminders.delete().where(reminders.c.id == row.id))
    now = utcnow()
    for kind, day in sorted(keep - have):
        connection.execute(
            reminders.insert().values(
                contact_id=contact_id,
                details_enc=seal(vault, kind, day),
                next_at=next_reminder(day, country, days_before, now),
                created_at=now,
            )
        )


class Reminders:
    """Queues reminders that are due; run every minute by the scheduler."""

    def __init__(
        self,
        *,
        database: Database,
        vault: Vault,
        outbox: Outbox,
        tree: ContentTree,
        catalogs: Catalogs,
        days_before: Sequence[int] = DEFAULT_DAYS_BEFORE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.vault = vault
        self.outbox = outbox
        self.tree = tree
        self.catalogs = catalogs
        self.days_before = tuple(days_before)
        self.clock = clock

    async def sweep(self) -> int:
        """Queue every due reminder; returns how many were queued."""
        queued = 0
        while True:
            handed: dict[str, list[Outgoing]] = {}
            done, sent = await self.database.run(lambda c, handed=handed: self._sweep(c, handed))
            for channel, messages in handed.items():
                self.outbox.hand_over(channel, messages)
                self.outbox.wake(channel)
            queued += sent
            if done:
                return queued

    def _sweep(self, connection: Connection, handed: dict[str, list[Outgoing]]) -> tuple[bool, int]:
        now = self.clock()
        rows = connection.execute(
            sa.select(
                reminders.c.id,
                reminders.c.contact_id,
                reminders.c.details_enc,
                reminders.c.next_at,
                contacts.c.channel,
                contacts.c.address_enc,
                contacts.c.language,
                contacts.c.country,
                contacts.c.unreachable_at,
                contacts.c.opted_out_at,
                contacts.c.discreet_at,
            )
            .join(contacts, contacts.c.id == reminders.c.contact_id)
            .where(reminders.c.next_at.is_not(None), reminders.c.next_at <= now)
            .order_by(reminders.c.next_at)
            .limit(SWEEP_BATCH)
        ).all()
        sent = 0
        for row in rows:
            kind, day = opened(self.vault, row.details_enc)
            # The one that was due counts as done even for a person we must not write to.
            after = max(now, _aware(row.next_at))
            connection.execute(
                reminders.update()
                .where(reminders.c.id == row.id)
                .values(next_at=next_reminder(day, row.country, self.days_before, after))
            )
            silent = row.unreachable_at or row.opted_out_at or row.discreet_at
            if silent or kind not in KINDS or day < now.date():
                continue
            reply = self.reply(kind, day, row.language or "ru", now.date())
            address = self.vault.open(row.address_enc)
            handed.setdefault(row.channel, []).extend(
                self.outbox.enqueue(
                    connection,
                    contact_id=row.contact_id,
                    channel=row.channel,
                    address=address,
                    replies=[reply],
                    origin="reminder",
                )
            )
            sent += 1
        return len(rows) < SWEEP_BATCH, sent

    def reply(self, kind: str, day: date, language: str, today: date) -> Reply:
        _ = self.catalogs.get(language).gettext
        about = KINDS[kind]
        text = _(about.reminder).format(date=day.strftime("%d.%m.%Y"), days=(day - today).days)
        options: tuple[Option, ...] = ()
        node = self.tree.nodes.get(about.node)
        if node is not None and (found := node.text(language)):
            options = (Option(found[1].title, f"open:{about.node}"),)
        return Reply(text=text, options=options, node=about.node, language=language)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
