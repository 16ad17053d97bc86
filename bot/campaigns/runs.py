"""A campaign's runs as a campaign manager sees them: how far each has got (queued, sent,
failed, blocked), and holding, resuming or cancelling one. Data functions over a connection,
for the console and the CLI; the delivery loop honours what they set on its next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.campaigns.delivery import OCCURRENCE, ORIGIN, occurrence_key, origin_of
from bot.storage.models import CampaignDelivery, CampaignRun, Contact, OutboxMessage

runs = CampaignRun.__table__
deliveries = CampaignDelivery.__table__
outbox = OutboxMessage.__table__
contacts = Contact.__table__

ACTIVE = ("planning", "sending")
ACTIONS = ("pause", "resume", "cancel")
TAKEN_BACK = "taken back"  # the outbox's word for a message withdrawn before it went


@dataclass(frozen=True)
class Progress:
    """One run's counts. Every recipient is in exactly one of them."""

    run_id: int
    campaign_id: str
    occurrence: datetime
    status: str  # planning, sending, done, cancelled
    paused: bool
    finished_at: datetime | None
    waiting: int = 0  # written, not yet handed to the outbox (hours, pace, a pause)
    queued: int = 0  # in the outbox, not sent yet
    sent: int = 0
    failed: int = 0
    blocked: int = 0  # blocked the bot or the number is invalid: skipped next time too
    skipped: int = 0  # opted out, discreet, or the run was cancelled before their turn

    @property
    def total(self) -> int:
        return self.waiting + self.queued + self.sent + self.failed + self.blocked + self.skipped

    @property
    def settled(self) -> int:
        """Recipients with a final outcome."""
        return self.sent + self.failed + self.blocked + self.skipped

    @property
    def percent(self) -> int:
        """How much of the run is settled, for the progress bar (whole percents, rounded
        down: 100 only when nothing is left)."""
        return 100 * self.settled // self.total if self.total else 0

    @property
    def state(self) -> str:
        return "paused" if self.paused and self.status in ACTIVE else self.status

    @property
    def can_pause(self) -> bool:
        return self.status in ACTIVE and not self.paused

    @property
    def can_resume(self) -> bool:
        return self.status in ACTIVE and self.paused

    @property
    def can_cancel(self) -> bool:
        return self.status in ACTIVE


def _run_id(origin: str) -> int | None:
    tail = origin[len(ORIGIN) :]
    return int(tail) if tail.isdigit() else None


def overview(
    connection: Connection,
    *,
    limit: int = 50,
    run_id: int | None = None,
    campaign_id: str | None = None,
) -> list[Progress]:
    """The newest runs (of one campaign, or one run) with their counts, in two grouped
    queries."""
    query = sa.select(runs).order_by(runs.c.id.desc()).limit(limit)
    if run_id is not None:
        query = query.where(runs.c.id == run_id)
    if campaign_id is not None:
        query = query.where(runs.c.campaign_id == campaign_id)
    found = connection.execute(query).all()
    if not found:
        return []
    ids = [row.id for row in found]
    counts: dict[int, dict[str, int]] = {row.id: {} for row in found}

    def add(run: int, kind: str, number: int) -> None:
        counts[run][kind] = counts[run].get(kind, 0) + number

    for run, status, reason, number in connection.execute(
        sa.select(deliveries.c.run_id, deliveries.c.status, deliveries.c.reason, sa.func.count())
        .where(deliveries.c.run_id.in_(ids), deliveries.c.status != "queued")
        .group_by(deliveries.c.run_id, deliveries.c.status, deliveries.c.reason)
    ):
        if status == "pending":
            add(run, "waiting", number)
        else:
            add(run, "blocked" if reason == "unreachable" else "skipped", number)
    # What became of the queued ones is the outbox's to say (the delivery row stays "queued").
    gone = sa.or_(contacts.c.unreachable_at.is_not(None), outbox.c.error == "unreachable")
    taken = sa.func.coalesce(outbox.c.error == TAKEN_BACK, False)
    for origin, status, delivery, blocked_now, taken_back, number in connection.execute(
        sa.select(
            outbox.c.origin,
            outbox.c.status,
            outbox.c.delivery,
            gone.label("gone"),
            taken.label("taken"),
            sa.func.count(),
        )
        .select_from(outbox.outerjoin(contacts, contacts.c.id == outbox.c.contact_id))
        .where(outbox.c.origin.in_([origin_of(i) for i in ids]))
        .group_by(outbox.c.origin, outbox.c.status, outbox.c.delivery, gone, taken)
    ):
        run = _run_id(origin)
        if run is None or run not in counts:
            continue
        if status in ("queued", "sending"):
            add(run, "queued", number)
        elif status == "sent":
            # An SMS the network reported as not delivered counts as failed.
            add(run, "failed" if delivery == "failed" else "sent", number)
        elif taken_back:  # STOP, discreet mode or a cancel caught it before it went
            add(run, "skipped", number)
        else:
            add(run, "blocked" if blocked_now else "failed", number)
    return [
        Progress(
            run_id=row.id,
            campaign_id=row.campaign_id,
            occurrence=datetime.strptime(row.occurrence, OCCURRENCE).replace(tzinfo=UTC),
            status=row.status,
            paused=row.paused_at is not None,
            finished_at=row.finished_at,
            **counts[row.id],
        )
        for row in found
    ]


def running(connection: Connection, campaign_id: str) -> int | None:
    """The campaign's run still under way, if there is one."""
    return connection.execute(
        sa.select(runs.c.id)
        .where(runs.c.campaign_id == campaign_id, runs.c.status.in_(ACTIVE))
        .order_by(runs.c.id.desc())
        .limit(1)
    ).scalar()


def at(connection: Connection, campaign_id: str, occurrence: datetime) -> int | None:
    """The campaign's run for that occurrence, if there is one."""
    return connection.execute(
        sa.select(runs.c.id).where(
            runs.c.campaign_id == campaign_id,
            runs.c.occurrence == occurrence_key(occurrence),
        )
    ).scalar()


def progress(connection: Connection, *, run_id: int) -> Progress | None:
    found = overview(connection, run_id=run_id, limit=1)
    return found[0] if found else None


def pause(connection: Connection, *, run_id: int, at: datetime) -> bool:
    """Hold a run: nothing more of it goes to the outbox (the few seconds' worth already
    there still go). False if the run is not active or already held."""
    return bool(
        connection.execute(
            runs.update()
            .where(runs.c.id == run_id, runs.c.status.in_(ACTIVE), runs.c.paused_at.is_(None))
            .values(paused_at=at)
        ).rowcount
    )


def resume(connection: Connection, *, run_id: int) -> bool:
    """Go on where the run was held: people whose allowed hours passed meanwhile get it at
    their next morning, as in any backlog."""
    return bool(
        connection.execute(
            runs.update()
            .where(runs.c.id == run_id, runs.c.status.in_(ACTIVE), runs.c.paused_at.is_not(None))
            .values(paused_at=None)
        ).rowcount
    )


def cancel(connection: Connection, *, run_id: int, at: datetime) -> bool:
    """End a run: nobody else gets it, and what waits in the outbox is taken back. What was
    sent stays sent. False if the run had already ended."""
    ended = connection.execute(
        runs.update()
        .where(runs.c.id == run_id, runs.c.status.in_(ACTIVE))
        .values(status="cancelled", paused_at=None, finished_at=at)
    ).rowcount
    if not ended:
        return False
    connection.execute(
        deliveries.update()
        .where(deliveries.c.run_id == run_id, deliveries.c.status == "pending")
        .values(status="skipped", reason="cancelled")
    )
    connection.execute(
        outbox.update()
        .where(outbox.c.origin == origin_of(run_id), outbox.c.status == "queued")
        .values(status="failed", error=TAKEN_BACK, payload_enc=b"")
    )
    return True


def act(connection: Connection, *, run_id: int, action: str, at: datetime) -> bool:
    """One of ACTIONS by name (from a form or the command line)."""
    if action == "pause":
        return pause(connection, run_id=run_id, at=at)
    if action == "resume":
        return resume(connection, run_id=run_id)
    if action == "cancel":
        return cancel(connection, run_id=run_id, at=at)
    raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
