"""Timers for cases nobody has taken: at the deadline, the case moves to the fallback
organisation and the person gets numbers to call now.

The deadline lives in the case row, not in the scheduler: APScheduler only fires it (one job
per waiting case, in memory), and at start every waiting case's timer is set again from the
table, so a restart, even a crash, loses no timer. A deadline that passed while the service was
down fires at once. Firing twice, or from two processes, is harmless (Desk.time_out)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.cases.desk import Desk
from bot.storage.models import utcnow

log = logging.getLogger(__name__)


class Timers:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        desk.on_deadlines = self.set

    async def start(self) -> int:
        """Start firing, with a timer for every waiting case; returns how many."""
        if not self.scheduler.running:
            self.scheduler.start()
        pending = await self.desk.deadlines()
        for case_id, at in pending.items():
            self._add(case_id, at)
        return len(pending)

    def set(self, deadlines: dict[int, datetime | None]) -> None:
        """New, moved or stopped deadlines (None: the case was taken or closed)."""
        if not self.scheduler.running:
            return  # start() reads them all from the table
        for case_id, at in deadlines.items():
            if at is None:
                job = self.scheduler.get_job(_job_id(case_id))
                if job is not None:
                    job.remove()
            else:
                self._add(case_id, at)

    def _add(self, case_id: int, at: datetime) -> None:
        self.scheduler.add_job(
            self._fire,
            DateTrigger(run_date=max(at, utcnow())),
            args=[case_id],
            id=_job_id(case_id),
            replace_existing=True,
            misfire_grace_time=None,  # late is still better than never
        )

    async def _fire(self, case_id: int) -> None:
        try:
            await self.desk.time_out(case_id)
        except Exception:  # the database may be away: try again in a minute
            log.exception("a case timer failed; retrying in a minute")

            self._add(case_id, utcnow() + timedelta(minutes=1))

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def _job_id(case_id: int) -> str:
    return f"case-{case_id}"
