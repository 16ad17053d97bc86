"""When campaigns happen: APScheduler 3 fires the timers (in memory: the state is in our own
tables, and its FAQ says a job store must not be shared between processes), the runs it
creates are unique per occurrence, and one task queues what is due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.campaigns.content import Campaigns
from bot.campaigns.delivery import Deliveries
from bot.campaigns.reminders import Reminders
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
# A one-off campaign whose time passed while the service was down still goes, if not too late.
MISSED_GRACE = timedelta(hours=12)
REMINDER_SWEEP = timedelta(minutes=1)
WRITTEN_SWEEP = timedelta(seconds=30)


def job_of(campaign_id: str) -> str:
    """The timer's name: apart from the scheduler's own jobs, whatever a campaign is called."""
    return f"campaign:{campaign_id}"


class CampaignScheduler:
    def __init__(
        self,
        *,
        campaigns: Campaigns,
        deliveries: Deliveries,
        reminders: Reminders,
        written: Callable[[], Awaitable[set[str]]] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.campaigns = campaigns
        # Reads the console's campaigns again; the ids that changed.
        self.written = written
        self.deliveries = deliveries
        self.reminders = reminders
        self.clock = clock
        self._scheduler: AsyncIOScheduler | None = None
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        for campaign_id in list(self.campaigns.campaigns):
            await self._plan(campaign_id)
        scheduler.add_job(
            self.reminders.sweep,
            IntervalTrigger(seconds=REMINDER_SWEEP.total_seconds()),
            id="reminders",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
        if self.written is not None:
            scheduler.add_job(
                self._catch_up,
                IntervalTrigger(seconds=WRITTEN_SWEEP.total_seconds()),
                id="written campaigns",
                coalesce=True,
                max_instances=1,
            )
        scheduler.start()
        self._loop = asyncio.create_task(self.deliveries.run(), name="campaign deliveries")
        log.info("campaign scheduler started: %d campaigns", len(self.campaigns.campaigns))

    async def replan(self, campaign_ids: set[str]) -> None:
        """Set these campaigns' timers again: written or changed in the console meanwhile."""
        for campaign_id in sorted(campaign_ids):
            await self._plan(campaign_id)

    async def _catch_up(self) -> None:
        # Another process (another worker, the console of another instance) may have saved.
        assert self.written is not None
        await self.replan(await self.written())

    async def _plan(self, campaign_id: str) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        job_id = job_of(campaign_id)
        if scheduler.get_job(job_id) is not None:
            scheduler.remove_job(job_id)
        campaign = self.campaigns.campaigns.get(campaign_id)
        if campaign is None or not campaign.enabled:
            return
        now = self.clock()
        if campaign.once is not None:
            if campaign.once > now:
                scheduler.add_job(
                    self.deliveries.start,
                    DateTrigger(campaign.once),
                    args=[campaign.id, campaign.once],
                    id=job_id,
                    misfire_grace_time=int(MISSED_GRACE.total_seconds()),
                )
            elif now - campaign.once < MISSED_GRACE:
                await self.deliveries.start(campaign.id, campaign.once)
        elif (trigger := campaign.trigger()) is not None:
            scheduler.add_job(
                self._repeat,
                trigger,
                args=[campaign.id],
                id=job_id,
                coalesce=True,
                misfire_grace_time=3600,
            )

    async def _repeat(self, campaign_id: str) -> None:
        # A cron occurrence is named by its minute: the same firing is the same run.
        await self.deliveries.start(campaign_id, self.clock().replace(second=0, microsecond=0))

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
