"""The organisations that take cases: partner entries of hotlines.yaml, the ones admins added,
and the deployment's own regional hotline, which takes whatever nobody else can."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.content.model import ContentTree
from bot.storage.models import Organisation, utcnow

organisations = Organisation.__table__
FALLBACK_ID = "hotline"


def sync(connection: Connection, tree: ContentTree, fallback_name: str) -> None:
    """Make the table agree with the content: partner entries are copied (and switched off when
    they leave the directory); the fallback organisation exists. Accounts and cases keep
    pointing at a switched-off organisation, so nothing is deleted."""
    partners = {h.id: h for h in tree.hotlines if h.partner is not None}
    existing = {
        row.id: row
        for row in connection.execute(
            sa.select(organisations.c.id, organisations.c.from_content, organisations.c.fallback)
        )
    }
    for entry in partners.values():
        partner = entry.partner
        assert partner is not None
        values = {
            "name": entry.display_name("ru"),
            "countries": list(partner.countries),
            "topics": list(partner.topics),
            "languages": list(partner.languages),
            "hours": entry.hours,
            "timezone": entry.timezone,
            "phone": entry.phone if entry.verified else None,
            "urgent_minutes": partner.urgent_minutes,
            "normal_minutes": partner.normal_minutes,
            "from_content": True,
            "active": True,
        }
        if entry.id in existing:
            connection.execute(
                organisations.update().where(organisations.c.id == entry.id).values(**values)
            )
        else:
            connection.execute(
                organisations.insert().values(id=entry.id, created_at=utcnow(), **values)
            )
    gone = [i for i, row in existing.items() if row.from_content and i not in partners]
    if gone:
        connection.execute(
            organisations.update().where(organisations.c.id.in_(gone)).values(active=False)
        )
    if not any(row.fallback for row in existing.values()):
        connection.execute(
            organisations.insert().values(
                id=FALLBACK_ID,
                name=fallback_name,
                countries=[],
                topics=[],
                languages=[],
                fallback=True,
                from_content=False,
                active=True,
                created_at=utcnow(),
            )
        )
    elif fallback_name:
        connection.execute(
            organisations.update()
            .where(organisations.c.fallback.is_(True))
            .values(name=fallback_name)
        )


def load(connection: Connection) -> list[sa.Row]:
    """Every organisation, the fallback always among them."""
    rows = list(connection.execute(sa.select(organisations).order_by(organisations.c.id)))
    if not any(row.fallback for row in rows):
        fallback(connection)
        return load(connection)
    return rows


def find(connection: Connection, organisation_id: str) -> sa.Row:
    """The organisation, or the fallback if it has gone (a database edited by hand)."""
    row = connection.execute(
        sa.select(organisations).where(organisations.c.id == organisation_id)
    ).first()
    return row if row is not None else fallback(connection)


def fallback(connection: Connection) -> sa.Row:
    row = connection.execute(
        sa.select(organisations).where(organisations.c.fallback.is_(True)).limit(1)
    ).first()
    if row is None:  # sync() runs at start; a database someone emptied by hand gets one back
        sync(connection, ContentTree(nodes={}, hotlines=[]), "")
        return fallback(connection)
    return row
