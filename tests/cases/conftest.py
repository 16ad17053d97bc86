"""Organisations and operator accounts as the console would have made them, over a real
database; people write through the real switchboard."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.app import Hotline
from bot.cases import directory
from bot.cases.views import Actor
from bot.engine.messages import Inbound
from bot.storage.models import Case, CaseMessage, Operator, OutboxMessage, utcnow


def say(channel: str, address: str, text: str | None = None, **kwargs) -> Inbound:
    kwargs.setdefault("language_hint", "ru")
    return Inbound(channel=channel, address=address, text=text, **kwargs)


async def add_organisation(hotline: Hotline, id: str, **values) -> None:
    values = {
        "name": id.upper(),
        "countries": [],
        "topics": [],
        "languages": [],
        "created_at": utcnow(),
        **values,
    }
    await hotline.database.run(
        lambda c: c.execute(directory.organisations.insert().values(id=id, **values))
    )


async def add_operator(hotline: Hotline, name: str, organisation: str, role: str) -> Actor:
    def work(connection):
        return connection.execute(
            Operator.__table__.insert().values(
                name=name,
                organisation_id=organisation,
                role=role,
                password_hash="-",
                created_at=utcnow(),
            )
        ).inserted_primary_key[0]

    return Actor(await hotline.database.run(work), name, organisation, role)


async def rows(hotline: Hotline, model) -> list:
    table = model.__table__
    return await hotline.database.run(
        lambda c: c.execute(sa.select(table).order_by(next(iter(table.primary_key)))).all()
    )


async def cases(hotline: Hotline) -> list:
    return await rows(hotline, Case)


async def lines(hotline: Hotline, case_id: int) -> list[tuple[str, str]]:
    found = await rows(hotline, CaseMessage)
    return [(r.author, hotline.vault.open(r.text_enc)) for r in found if r.case_id == case_id]


async def queued_to(hotline: Hotline, address: str) -> list[str]:
    """Texts waiting in the outbox for this address."""
    import json

    texts = []
    for row in await rows(hotline, OutboxMessage):
        if row.payload_enc:
            payload = json.loads(hotline.vault.open(row.payload_enc))
            if payload["address"] == address:
                texts.append(payload["reply"]["text"])
    return texts


@pytest.fixture
async def started(hotline: Hotline):
    """The hotline with its organisations synced, as `hotline serve` has it."""
    await hotline.database.run(lambda c: directory.sync(c, hotline.tree, ""))
    return hotline
