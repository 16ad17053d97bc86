"""web_message: what was sent to each web chat, sealed, kept a day so a reload shows it."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.channels.web import CHANNEL
from bot.storage.models import Contact, WebMessage, utcnow

web_messages = WebMessage.__table__
contacts = Contact.__table__

KEPT = timedelta(hours=24)
# What a page opened afresh shows of the conversation.
RECENT = 50
# Read at most this many at once; a page that is further behind reads again.
BATCH = 100


def keep(connection: Connection, *, address_hash: str, payload_enc: bytes) -> int | None:
    """Store a message for the person; its id, or None if the person is not known (they
    erased their data, and this is the confirmation)."""
    contact_id = connection.execute(
        sa.select(contacts.c.id).where(
            contacts.c.channel == CHANNEL, contacts.c.address_hash == address_hash
        )
    ).scalar()
    if contact_id is None:
        return None
    return connection.execute(
        web_messages.insert().values(
            contact_id=contact_id, payload_enc=payload_enc, created_at=utcnow()
        )
    ).inserted_primary_key[0]


def read(
    connection: Connection,
    *,
    address_hash: str,
    after: int | None,
    also_since: datetime | None = None,
) -> list[sa.Row]:
    """The person's messages, oldest first: those after id `after` (and any created since
    `also_since`, whatever their id), or with `after` None the most recent ones."""
    query = (
        sa.select(web_messages.c.id, web_messages.c.payload_enc, web_messages.c.created_at)
        .join(contacts, contacts.c.id == web_messages.c.contact_id)
        .where(
            contacts.c.channel == CHANNEL,
            contacts.c.address_hash == address_hash,
            web_messages.c.created_at > utcnow() - KEPT,
        )
    )
    if after is None:
        rows = connection.execute(query.order_by(web_messages.c.id.desc()).limit(RECENT)).all()
        return rows[::-1]
    newer = web_messages.c.id > after
    if also_since is not None:
        newer = sa.or_(newer, web_messages.c.created_at >= also_since)
    return connection.execute(query.where(newer).order_by(web_messages.c.id).limit(BATCH)).all()


def prune(connection: Connection) -> int:
    """Forget what is older than a day; returns how many messages went."""
    result = connection.execute(
        web_messages.delete().where(web_messages.c.created_at <= utcnow() - KEPT)
    )
    return result.rowcount
