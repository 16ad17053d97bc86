"""Campaign delivery: an occurrence becomes a run; its recipients are written as delivery rows
a batch at a time (never all subscribers in memory); pending rows are queued through the outbox
only as fast as each channel's sender drains it, so STOP still catches the rest and a restart
resumes from the rows: a row is queued once, in the transaction that queues its message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.campaigns import written
from bot.campaigns.content import Campaign, Campaigns
from bot.campaigns.hours import next_allowed
from bot.campaigns.render import campaign_reply
from bot.content.model import ContentTree
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox, Outgoing
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import (
    CampaignDelivery,
    CampaignRun,
    Contact,
    OutboxMessage,
    Subscription,
    utcnow,
)

log = logging.getLogger(__name__)
runs = CampaignRun.__table__
deliveries = CampaignDelivery.__table__
contacts = Contact.__table__
subscriptions = Subscription.__table__
outbox_rows = OutboxMessage.__table__

OCCURRENCE = "%Y-%m-%dT%H:%M:%SZ"  # fixed width, so occurrences compare as text
PLAN_BATCH = 500
# Campaign messages waiting in the outbox per channel: a few seconds of the channel's rate,
# enough to keep its sender busy, few enough that STOP takes the rest back.
SECONDS_QUEUED = 3.0
STEP_EVERY = 0.25


# Outbox rows of a campaign say which run queued them: "campaign:<run id>" (16 characters
# at most: runs up to 9,999,999).
ORIGIN = "campaign:"


def origin_of(run_id: int) -> str:
    return f"{ORIGIN}{run_id}"


def occurrence_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(OCCURRENCE)


def topic_hash(vault: Vault, topic: str) -> str:
    return vault.lookup("topic:" + topic)


class Deliveries:
    def __init__(
        self,
        *,
        database: Database,
        vault: Vault,
        outbox: Outbox,
        campaigns: Campaigns,
        tree: ContentTree,
        catalogs: Catalogs,
        rates: dict[str, float],
        batch: int = PLAN_BATCH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.vault = vault
        self.outbox = outbox
        self.campaigns = campaigns
        self.tree = tree
        self.catalogs = catalogs
        self.rates = rates
        self.batch = batch
        self.clock = clock
        insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert
        self._add_run = insert(runs).on_conflict_do_nothing(
            index_elements=["campaign_id", "occurrence"]
        )
        self._add_deliveries = insert(deliveries).on_conflict_do_nothing(
            index_elements=["run_id", "contact_id"]
        )

    def _campaign(self, connection: Connection, campaign_id: str) -> Campaign | None:
        """A run's campaign. One written in the console of another process may not have
        reached this one yet: the table is read again before the run is given up."""
        campaign = self.campaigns.campaigns.get(campaign_id)
        if campaign is None:
            written.refresh(connection, self.campaigns, self.tree)
            campaign = self.campaigns.campaigns.get(campaign_id)
        return campaign

    # -- runs --------------------------------------------------------------------------------

    async def start(self, campaign_id: str, at: datetime) -> int:
        """The run for this occurrence, created if it is new (never a second one). Its
        recipients are written once it is due."""
        key = occurrence_key(at)

        def work(connection: Connection) -> int:
            connection.execute(
                self._add_run,
                {
                    "campaign_id": campaign_id,
                    "occurrence": key,
                    "status": "planning",
                    "planned_after": 0,
                    "created_at": utcnow(),
                },
            )
            return connection.execute(
                sa.select(runs.c.id).where(
                    runs.c.campaign_id == campaign_id, runs.c.occurrence == key
                )
            ).scalar_one()

        return await self.database.run(work)

    async def exists(self, campaign_id: str, at: datetime) -> bool:
        key = occurrence_key(at)
        return await self.database.run(
            lambda connection: (
                connection.execute(
                    sa.select(runs.c.id).where(
                        runs.c.campaign_id == campaign_id, runs.c.occurrence == key
                    )
                ).first()
                is not None
            )
        )

    async def plan_due(self) -> int:
        """Write the recipients of every due run, a batch per transaction; returns how many."""
        written = 0
        while True:
            count = await self.database.run(self._plan_batch)
            if count is None:
                return written
            written += count

    def _plan_batch(self, connection: Connection) -> int | None:
        now = self.clock()
        run = connection.execute(
            sa.select(runs.c.id, runs.c.campaign_id, runs.c.occurrence, runs.c.planned_after)
            .where(runs.c.status == "planning", runs.c.occurrence <= occurrence_key(now))
            .order_by(runs.c.id)
            .limit(1)
        ).first()
        if run is None:
            return None
        campaign = self._campaign(connection, run.campaign_id)
        if campaign is None:  # removed from the content meanwhile
            connection.execute(runs.update().where(runs.c.id == run.id).values(status="cancelled"))
            return 0
        start = max(now, datetime.strptime(run.occurrence, OCCURRENCE).replace(tzinfo=UTC))
        people = connection.execute(
            self._audience(campaign, run.planned_after).limit(self.batch)
        ).all()
        if people:
            connection.execute(
                self._add_deliveries,
                [
                    {
                        "run_id": run.id,
                        "contact_id": person.id,
                        "status": "pending",
                        "not_before": next_allowed(
                            start, person.country, campaign.start, campaign.end
                        ),
                    }
                    for person in people
                ],
            )
        last = people[-1].id if people else run.planned_after
        values: dict[str, object] = {"planned_after": last}
        if len(people) < self.batch:
            values["status"] = "sending"
        connection.execute(runs.update().where(runs.c.id == run.id).values(**values))
        return len(people)

    def _audience(self, campaign: Campaign, after: int) -> sa.Select:
        audience = campaign.audience
        hashes = [topic_hash(self.vault, topic) for topic in audience.topics]
        query = (
            sa.select(contacts.c.id, contacts.c.country)
            .where(
                contacts.c.id > after,
                sa.exists().where(
                    subscriptions.c.contact_id == contacts.c.id,
                    subscriptions.c.topic_hash.in_(hashes),
                ),
            )
            .order_by(contacts.c.id)
        )
        if audience.countries:
            query = query.where(contacts.c.country.in_(audience.countries))
        if audience.languages:
            query = query.where(contacts.c.language.in_(audience.languages))
        # Only channels with a sender here: a person met in the web chat or the terminal has
        # no address to write to first, and a row for them would keep the run open forever.
        channels = [c for c in audience.channels or self.rates if c in self.rates]
        return query.where(contacts.c.channel.in_(channels))

    # -- queueing ----------------------------------------------------------------------------

    async def feed(self, channel: str, room: int | None = None) -> int:
        """Queue up to `room` due deliveries of a channel (default: what the channel's rate
        leaves room for in the outbox); returns how many messages were queued."""
        handed: list[Outgoing] = []
        queued = await self.database.run(lambda c: self._feed(c, channel, room, handed))
        if handed:
            self.outbox.hand_over(channel, handed)
        if queued:
            self.outbox.wake(channel)
        return queued

    def _room(self, connection: Connection, channel: str) -> int:
        cap = max(10, int(self.rates.get(channel, 5) * SECONDS_QUEUED))
        waiting = connection.execute(
            sa.select(sa.func.count())
            .select_from(outbox_rows)
            .where(
                outbox_rows.c.channel == channel,
                outbox_rows.c.status.in_(("queued", "sending")),
                outbox_rows.c.origin.like(ORIGIN + "%"),
            )
        ).scalar_one()
        return max(0, cap - waiting)

    def _feed(
        self, connection: Connection, channel: str, room: int | None, handed: list[Outgoing]
    ) -> int:
        if room is None:
            room = self._room(connection, channel)
        if room <= 0:
            return 0
        now = self.clock()
        query = (
            sa.select(
                deliveries.c.id,
                deliveries.c.contact_id,
                deliveries.c.run_id,
                runs.c.campaign_id,
                contacts.c.address_enc,
                contacts.c.language,
                contacts.c.country,
                contacts.c.unreachable_at,
                contacts.c.opted_out_at,
                contacts.c.discreet_at,
            )
            .select_from(
                deliveries.join(runs, runs.c.id == deliveries.c.run_id).join(
                    contacts, contacts.c.id == deliveries.c.contact_id
                )
            )
            .where(
                deliveries.c.status == "pending",
                deliveries.c.not_before <= now,
                runs.c.status.in_(("planning", "sending")),
                runs.c.paused_at.is_(None),
                contacts.c.channel == channel,
            )
            .order_by(deliveries.c.id)
            .limit(room)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(of=deliveries, skip_locked=True)
        queued: list[int] = []
        skipped: dict[str, list[int]] = {}
        later: list[tuple[int, datetime]] = []
        for row in connection.execute(query).all():
            campaign = self._campaign(connection, row.campaign_id)
            reason = (
                "opted out" if row.opted_out_at else
                "discreet" if row.discreet_at else
                "unreachable" if row.unreachable_at else
                "no campaign" if campaign is None else None
            )  # fmt: skip
            if reason is not None or campaign is None:
                skipped.setdefault(reason or "no campaign", []).append(row.id)
                continue
            allowed = next_allowed(now, row.country, campaign.start, campaign.end)
            if allowed > now:  # a backlog ran past the person's evening: tomorrow morning
                later.append((row.id, allowed))
                continue
            reply = campaign_reply(
                campaign,
                channel=channel,
                language=row.language,
                tree=self.tree,
                catalogs=self.catalogs,
            )
            handed.extend(
                self.outbox.enqueue(
                    connection,
                    contact_id=row.contact_id,
                    channel=channel,
                    address=self.vault.open(row.address_enc),
                    replies=[reply],
                    origin=origin_of(row.run_id),
                )
            )
            queued.append(row.id)
        if queued:
            connection.execute(
                deliveries.update().where(deliveries.c.id.in_(queued)).values(status="queued")
            )
        for reason, ids in skipped.items():
            connection.execute(
                deliveries.update()
                .where(deliveries.c.id.in_(ids))
                .values(status="skipped", reason=reason)
            )
        for delivery_id, allowed in later:
            connection.execute(
                deliveries.update().where(deliveries.c.id == delivery_id).values(not_before=allowed)
            )
        return len(queued)

    async def finish_runs(self) -> int:
        """Runs with nothing left pending are done."""

        def work(connection: Connection) -> int:
            pending = sa.exists().where(
                deliveries.c.run_id == runs.c.id, deliveries.c.status == "pending"
            )
            return connection.execute(
                runs.update()
                .where(runs.c.status == "sending", ~pending)
                .values(status="done", finished_at=utcnow())
            ).rowcount

        return await self.database.run(work)

    async def progress(self, run_id: int) -> dict[str, int]:
        """How many of a run's deliveries are pending, queued or skipped."""
        rows = await self.database.run(
            lambda connection: connection.execute(
                sa.select(deliveries.c.status, sa.func.count())
                .where(deliveries.c.run_id == run_id)
                .group_by(deliveries.c.status)
            ).all()
        )
        return {status: count for status, count in rows}

    # -- the loop ----------------------------------------------------------------------------

    async def step(self) -> int:
        await self.plan_due()
        queued = 0
        for channel in self.rates:
            if self.outbox.sends(channel):
                queued += await self.feed(channel)
        await self.finish_runs()
        return queued

    async def run(self, every: float = STEP_EVERY) -> None:
        """Plan and queue forever (one task per process that sends)."""
        while True:
            try:
                await self.step()
            except Exception:  # the database may be away for a while: try again
                log.exception("campaign delivery step failed")
            await asyncio.sleep(every)
