"""Campaigns written in the console: kept in the database in the shape of a campaign file and
checked by the same rules (bot/campaigns/content.py), then served beside the files. A file
of the same id wins: what is reviewed in git is never shadowed by the console."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.campaigns.content import Campaign, Campaigns, parse_campaign
from bot.content.model import ContentTree
from bot.storage.models import Operator, WrittenCampaign, utcnow

log = logging.getLogger(__name__)
written = WrittenCampaign.__table__
operators = Operator.__table__
ORIGIN = "console"
# Words of the console's own addresses (/console/campaign/new): never a campaign id.
RESERVED = frozenset({"new"})


class Taken(Exception):
    """The id is used already, by a file or by another written campaign."""


class ChangedMeanwhile(Exception):
    """Someone saved the campaign after this form was opened."""


@dataclass(frozen=True)
class Written:
    id: str
    body: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None  # the account's name, if it still exists


def _select() -> sa.Select:
    return sa.select(
        written.c.id,
        written.c.body,
        written.c.version,
        written.c.created_at,
        written.c.updated_at,
        operators.c.name.label("updated_by"),
    ).select_from(written.outerjoin(operators, operators.c.id == written.c.updated_by))


def _row(row: Any) -> Written:
    return Written(
        id=row.id,
        body=row.body,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def get(connection: Connection, campaign_id: str) -> Written | None:
    row = connection.execute(_select().where(written.c.id == campaign_id)).first()
    return _row(row) if row is not None else None


def add(connection: Connection, *, campaign_id: str, body: dict[str, Any], by: int) -> None:
    if connection.execute(sa.select(written.c.id).where(written.c.id == campaign_id)).first():
        raise Taken(campaign_id)
    now = utcnow()
    connection.execute(
        written.insert().values(
            id=campaign_id,
            body=body,
            version=1,
            created_by=by,
            updated_by=by,
            created_at=now,
            updated_at=now,
        )
    )


def change(
    connection: Connection, *, campaign_id: str, body: dict[str, Any], by: int, version: int
) -> int:
    """Save over `version`; the new version. The check and the write are one statement, so
    two editors saving at once cannot both win."""
    done = connection.execute(
        written.update()
        .where(written.c.id == campaign_id, written.c.version == version)
        .values(body=body, version=version + 1, updated_by=by, updated_at=utcnow())
    )
    if done.rowcount != 1:
        raise ChangedMeanwhile(campaign_id)
    return version + 1


def refresh(connection: Connection, campaigns: Campaigns, tree: ContentTree) -> set[str]:
    """Bring the written campaigns in `campaigns` up to the table; the ids that changed.

    A campaign whose content no longer passes (its node was removed from the tree, say) is
    left out and logged, as a broken file is."""
    rows = connection.execute(sa.select(written.c.id, written.c.body, written.c.version)).all()
    changed: set[str] = set()
    seen: set[str] = set()
    for row in rows:
        present = campaigns.campaigns.get(row.id)
        if present is not None and present.origin != ORIGIN:
            log.warning("written campaign %r is shadowed by the file of the same id", row.id)
            continue
        seen.add(row.id)
        if present is not None and present.version == row.version:
            continue
        try:
            campaign = parse_campaign(
                row.id, row.body, campaigns.topics, tree, origin=ORIGIN, version=row.version
            )
        except ValueError as exc:
            log.error("written campaign %r left out: %s", row.id, exc)
            if campaigns.campaigns.pop(row.id, None) is not None:
                changed.add(row.id)
            continue
        campaigns.campaigns[row.id] = campaign
        changed.add(row.id)
    for gone in [
        key
        for key, item in campaigns.campaigns.items()
        if item.origin == ORIGIN and key not in seen
    ]:
        del campaigns.campaigns[gone]
        changed.add(gone)
    return changed


def check(
    campaign_id: str, body: dict[str, Any], campaigns: Campaigns, tree: ContentTree
) -> Campaign:
    """The campaign `body` describes, or ValueError with every problem."""
    return parse_campaign(campaign_id, body, campaigns.topics, tree, origin=ORIGIN)
