"""Writing what a person chose about news: topics with the time of consent, and the end of
everything unasked after STOP or in discreet mode. Called inside the switchboard's transaction."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.campaigns.delivery import topic_hash
from bot.storage.crypto import Vault
from bot.storage.models import Subscription, utcnow

subscriptions = Subscription.__table__


def sync(connection: Connection, vault: Vault, *, contact_id: int, topics: Sequence[str]) -> int:
    """Make the person's subscriptions `topics`; new ones get their consent time now.
    Returns how many were added."""
    wanted = {topic_hash(vault, topic): topic for topic in topics}
    have = set(
        connection.execute(
            sa.select(subscriptions.c.topic_hash).where(subscriptions.c.contact_id == contact_id)
        ).scalars()
    )
    gone = have - set(wanted)
    if gone:
        connection.execute(
            subscriptions.delete().where(
                subscriptions.c.contact_id == contact_id, subscriptions.c.topic_hash.in_(gone)
            )
        )
    added = [
        {
            "contact_id": contact_id,
            "topic_hash": key,
            "topic_enc": vault.seal(topic),
            "consented_at": utcnow(),
        }
        for key, topic in wanted.items()
        if key not in have
    ]
    if added:
        connection.execute(subscriptions.insert(), added)
    return len(added)
