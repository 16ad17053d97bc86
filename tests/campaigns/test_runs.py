"""A run's progress and its controls over a real database and the real outbox: counts for
queued, sent, failed, blocked and skipped; pause holds the queue, resume goes on, cancel takes
back what waits and nobody else gets it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.campaigns import runs
from bot.engine.messages import Inbound
from bot.outbox import SendError
from tests.campaigns.helpers import campaign, outbox_rows, subscribers
from tests.campaigns.test_delivery import desk, statuses

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


class Network:
    """The far side of a channel: takes everything except the addresses told to refuse."""

    channel = "telegram"

    def __init__(self, blocked: set[str] = frozenset(), broken: set[str] = frozenset()) -> None:
        self.blocked, self.broken = blocked, broken
        self.sent: list[str] = []

    async def send(self, address, reply, *, ref=""):
        if address in self.blocked:
            raise SendError("blocked by the user", retryable=False, unreachable=True)
        if address in self.broken:
            raise SendError("message is too long", retryable=False)
        self.sent.append(address)


async def started(hotline, addresses: list[str]):
    hotline.campaigns.campaigns["test-news"] = campaign()
    ids = await subscribers(hotline, addresses)
    planner = desk(hotline)
    run_id = await planner.start("test-news", NOW)
    await planner.plan_due()
    return planner, run_id, ids


async def seen(hotline, run_id: int) -> runs.Progress:
    found = await hotline.database.run(lambda c: runs.progress(c, run_id=run_id))
    assert found is not None
    return found


async def act(hotline, run_id: int, action: str) -> bool:
    return await hotline.database.run(lambda c: runs.act(c, run_id=run_id, action=action, at=NOW))


async def test_progress_counts_every_recipient_once(hotline):
    addresses = [str(7000 + i) for i in range(10)]
    planner, run_id, ids = await started(hotline, addresses)
    fresh = await seen(hotline, run_id)
    assert (fresh.total, fresh.waiting, fresh.percent, fresh.state) == (10, 10, 0, "sending")
    await hotline.switchboard.set_reachable("telegram", "7009", False)  # blocked earlier
    await hotline.switchboard.receive(_inbound("7008", "/stop"))  # stopped before their turn
    assert await planner.feed("telegram", room=7) == 7
    middle = await seen(hotline, run_id)
    assert middle.queued == 7 and middle.waiting == 3 and middle.total == 10
    network = Network(blocked={"7000"}, broken={"7001"})
    while await hotline.outbox.dispatch_once(network):
        pass
    await planner.feed("telegram", room=10)  # the last three: two skipped, one queued
    while await hotline.outbox.dispatch_once(network):
        pass
    done = await seen(hotline, run_id)
    assert (done.sent, done.failed, done.blocked, done.skipped) == (6, 1, 2, 1)
    assert done.queued == done.waiting == 0 and done.total == 10 and done.percent == 100


async def test_pause_holds_the_queue_and_resume_goes_on(hotline):
    planner, run_id, _ = await started(hotline, [str(7100 + i) for i in range(6)])
    assert await planner.feed("telegram", room=2) == 2
    assert await act(hotline, run_id, "pause")
    assert not await act(hotline, run_id, "pause")  # already held
    assert (await seen(hotline, run_id)).state == "paused"
    assert await planner.feed("telegram", room=10) == 0
    await planner.finish_runs()
    assert (await seen(hotline, run_id)).state == "paused"  # held, not finished
    assert await act(hotline, run_id, "resume")
    assert not await act(hotline, run_id, "resume")
    assert await planner.feed("telegram", room=10) == 4
    assert len([r for r in await outbox_rows(hotline) if r.origin]) == 6


async def test_cancel_takes_back_what_waits_and_nobody_else_gets_it(hotline):
    planner, run_id, ids = await started(hotline, [str(7200 + i) for i in range(5)])
    assert await planner.feed("telegram", room=2) == 2
    assert await act(hotline, run_id, "cancel")
    assert await planner.feed("telegram", room=10) == 0
    rows = [r for r in await outbox_rows(hotline) if r.origin]
    assert {(r.status, r.error) for r in rows} == {("failed", "taken back")}
    assert {status for status, _ in (await statuses(hotline)).values()} == {"queued", "skipped"}
    cancelled = await seen(hotline, run_id)
    assert cancelled.state == "cancelled" and cancelled.skipped == 5 and cancelled.percent == 100
    for action in runs.ACTIONS:  # an ended run takes no more actions
        assert not await act(hotline, run_id, action)
    assert not cancelled.can_pause and not cancelled.can_resume and not cancelled.can_cancel


@pytest.mark.parametrize("action", ["", "PAUSE", "delete", "pause;drop", "resume\x00", "🛑"])
async def test_unknown_actions_are_refused(hotline, action):
    _, run_id, _ = await started(hotline, ["7300"])
    with pytest.raises(ValueError):
        await act(hotline, run_id, action)
    assert (await seen(hotline, run_id)).state == "sending"


async def test_no_such_run(hotline):
    assert await hotline.database.run(lambda c: runs.progress(c, run_id=999)) is None
    for action in runs.ACTIONS:
        assert not await act(hotline, 999, action)


def _inbound(address: str, text: str) -> Inbound:
    return Inbound(channel="telegram", address=address, text=text)
