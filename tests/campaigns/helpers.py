"""Subscribers made directly in the tables, and a campaign made in the test."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.app import Hotline
from bot.campaigns import subscriptions
from bot.campaigns.content import Audience, Campaign
from bot.storage.models import Contact, OutboxMessage, utcnow

contacts = Contact.__table__
outbox = OutboxMessage.__table__


def campaign(
    campaign_id: str = "test-news", *, topics: tuple[str, ...] = ("safety",),
    start: time = time(0), end: time = time(23, 59, 59), node: str | None = None,
    title: str = "test", **audience,
) -> Campaign:  # fmt: skip
    return Campaign(
        id=campaign_id,
        title=title,
        messages={"ru": "Новость по-русски", "en": "News in English", "ky": "Кыргызча жаңылык"},
        audience=Audience(topics=topics, **audience),
        node=node,
        start=start,
        end=end,
    )


async def subscribers(
    hotline: Hotline, addresses: list[str], *, channel: str = "telegram",
    languages: tuple[str, ...] = ("ru",), country: str | None = "KG",
    topics: tuple[str, ...] = ("safety",), batch: int = 500,
) -> list[int]:  # fmt: skip
    """Contacts subscribed to the topics; returns their ids."""
    vault = hotline.vault
    ids: list[int] = []

    def work(connection: Connection, chunk: list[tuple[int, str]]) -> None:
        now = utcnow()
        for index, address in chunk:
            contact_id = connection.execute(
                contacts.insert().values(
                    channel=channel,
                    address_hash=vault.lookup(address),
                    address_enc=vault.seal(address),
                    language=languages[index % len(languages)],
                    country=country,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            subscriptions.sync(connection, vault, contact_id=contact_id, topics=topics)
            ids.append(contact_id)

    numbered = list(enumerate(addresses))
    for start in range(0, len(numbered), batch):
        chunk = numbered[start : start + batch]
        await hotline.database.run(lambda c, chunk=chunk: work(c, chunk))
    return ids


async def outbox_rows(hotline: Hotline) -> list[sa.Row]:
    return await hotline.database.run(
        lambda c: c.execute(
            sa.select(outbox.c.contact_id, outbox.c.status, outbox.c.origin, outbox.c.error)
        ).all()
    )
