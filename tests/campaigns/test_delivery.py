"""Campaign delivery over a real database: one delivery per person and occurrence, planned in
batches, queued within each person's allowed hours, skipping whoever must not get it."""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa

from bot.campaigns.delivery import Deliveries
from bot.engine.messages import Inbound
from bot.storage.models import CampaignDelivery, Contact
from tests.campaigns.helpers import campaign, outbox_rows, subscribers

deliveries = CampaignDelivery.__table__
contacts = Contact.__table__


def desk(hotline, clock=None, batch=50) -> Deliveries:
    """A delivery desk over the hotline's storage, with its own clock and batch size."""
    found = Deliveries(
        database=hotline.database,
        vault=hotline.vault,
        outbox=hotline.outbox,
        campaigns=hotline.campaigns,
        tree=hotline.tree,
        catalogs=hotline.catalogs,
        rates={"telegram": 30, "sms": 5},
        batch=batch,
        clock=clock or (lambda: datetime.now(UTC)),
    )
    return found


async def statuses(hotline) -> dict[int, tuple[str, str | None]]:
    rows = await hotline.database.run(
        lambda c: c.execute(
            sa.select(deliveries.c.contact_id, deliveries.c.status, deliveries.c.reason)
        ).all()
    )
    return {row.contact_id: (row.status, row.reason) for row in rows}


async def test_each_subscriber_once_per_occurrence_planned_in_batches(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    wanted = await subscribers(hotline, [str(1000 + i) for i in range(120)])
    await subscribers(hotline, [str(5000 + i) for i in range(30)], topics=("return-home",))
    await subscribers(hotline, [str(6000 + i) for i in range(5)], topics=())
    planner = desk(hotline, batch=50)
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    run = await planner.start("test-news", at)
    assert await planner.start("test-news", at) == run  # the same occurrence is one run
    assert await planner.plan_due() == 120
    assert await planner.plan_due() == 0
    assert sorted(await statuses(hotline)) == wanted
    later = desk(hotline, clock=lambda: datetime(2026, 12, 8, 11, 0, tzinfo=UTC))
    other = await later.start("test-news", datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
    assert other != run and await later.plan_due() == 120  # the next occurrence is new


async def test_a_run_not_yet_due_waits(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    await subscribers(hotline, ["1", "2"])
    planner = desk(hotline, clock=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC))
    await planner.start("test-news", datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert await planner.plan_due() == 0


async def test_quiet_hours_in_each_persons_time_zone(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign(start=time(9), end=time(20))
    # 04:30 UTC: 07:30 in Moscow and Istanbul, 10:30 in Bishkek, 09:00 in Kabul.
    people = {}
    for country in ("RU", "TR", "KG", "AF"):
        (people[country],) = await subscribers(hotline, [f"chat-{country}"], country=country)
    now = [datetime(2027, 1, 10, 4, 30, tzinfo=UTC)]
    planner = desk(hotline, clock=lambda: now[0])
    await planner.start("test-news", now[0])
    await planner.plan_due()
    assert await planner.feed("telegram", room=100) == 2
    seen = await statuses(hotline)
    assert seen[people["KG"]][0] == seen[people["AF"]][0] == "queued"
    assert seen[people["RU"]][0] == seen[people["TR"]][0] == "pending"
    now[0] = datetime(2027, 1, 10, 5, 59, tzinfo=UTC)
    assert await planner.feed("telegram", room=100) == 0
    now[0] = datetime(2027, 1, 10, 6, 0, tzinfo=UTC)  # 09:00 in Moscow and Istanbul
    assert await planner.feed("telegram", room=100) == 2
    # 14:30 UTC is 20:30 in Bishkek: a backlog that reaches the evening waits for morning.
    (late,) = await subscribers(hotline, ["chat-late"], country="KG")
    hotline.campaigns.campaigns["late-news"] = campaign("late-news", countries=("KG",))
    early = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    await desk(hotline, clock=lambda: early).start("late-news", early)
    await desk(hotline, clock=lambda: early).plan_due()
    hotline.campaigns.campaigns["late-news"] = campaign(
        "late-news", countries=("KG",), start=time(9), end=time(20)
    )
    evening = desk(hotline, clock=lambda: datetime(2027, 1, 10, 14, 30, tzinfo=UTC))
    assert await evening.feed("telegram", room=100) == 0
    not_before = await hotline.database.run(
        lambda c: c.execute(
            sa.select(deliveries.c.not_before).where(deliveries.c.contact_id == late)
        ).scalar_one()
    )
    assert not_before.replace(tzinfo=UTC) == datetime(2027, 1, 11, 3, 0, tzinfo=UTC)


async def test_stop_before_and_during_a_campaign(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    before, queued, during, stays = await subscribers(hotline, ["11", "12", "13", "14"])
    await hotline.switchboard.receive(Inbound(channel="telegram", address="11", text="/stop"))
    planner = desk(hotline)
    await planner.start("test-news", datetime.now(UTC))
    await planner.plan_due()
    assert before not in await statuses(hotline)  # /stop ended the subscription
    # The feeder queues one (12), then 12 and 13 say /stop while the rest waits.
    first = await planner.feed("telegram", room=1)
    assert first == 1 and (await statuses(hotline))[during][0] == "pending"
    await hotline.switchboard.receive(Inbound(channel="telegram", address="12", text="/stop"))
    await hotline.switchboard.receive(Inbound(channel="telegram", address="13", text="стоп"))
    await planner.feed("telegram", room=10)
    seen = await statuses(hotline)
    assert seen[during] == ("skipped", "opted out") and seen[stays][0] == "queued"
    rows = await outbox_rows(hotline)
    campaign_rows = {r.contact_id: r for r in rows if (r.origin or "").startswith("campaign:")}
    assert campaign_rows[queued].status == "failed" and campaign_rows[queued].error == "taken back"
    assert campaign_rows[stays].status == "queued" and during not in campaign_rows


async def test_discreet_unreachable_and_erased_people_get_nothing(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    discreet, blocked, erased, fine = await subscribers(hotline, ["21", "22", "23", "24"])
    await hotline.switchboard.receive(Inbound(channel="telegram", address="21", text="/discreet"))
    await hotline.switchboard.set_reachable("telegram", "22", False)
    planner = desk(hotline)
    await planner.start("test-news", datetime.now(UTC))
    await planner.plan_due()
    await hotline.switchboard.receive(Inbound(channel="telegram", address="23", text="/forget"))
    await hotline.switchboard.receive(
        Inbound(channel="telegram", address="23", option="forget:yes")
    )
    assert await planner.feed("telegram", room=10) == 1
    seen = await statuses(hotline)
    assert seen[discreet] == ("skipped", "discreet")
    assert seen[blocked] == ("skipped", "unreachable")
    assert erased not in seen and seen[fine][0] == "queued"


async def test_a_new_process_resumes_from_the_rows(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    await subscribers(hotline, [str(3000 + i) for i in range(40)])
    first = desk(hotline, batch=15)
    await first.start("test-news", datetime.now(UTC))
    await hotline.database.run(first._plan_batch)  # one batch, then the process "dies"
    assert await first.feed("telegram", room=10) == 10
    second = desk(hotline, batch=15)
    await second.plan_due()
    while await second.feed("telegram", room=7):
        pass
    rows = [r for r in await outbox_rows(hotline) if (r.origin or "").startswith("campaign:")]
    assert len(rows) == 40 and len({r.contact_id for r in rows}) == 40
    assert await second.finish_runs() == 1


async def test_people_met_where_nobody_can_be_written_to_first_get_no_rows(hotline):
    hotline.campaigns.campaigns["test-news"] = campaign()
    [telegram] = await subscribers(hotline, ["9100"])
    await subscribers(hotline, ["web-9101"], channel="web")
    await subscribers(hotline, ["cli-9102"], channel="cli")
    planner = desk(hotline)
    await planner.start("test-news", datetime.now(UTC))
    assert await planner.plan_due() == 1
    assert list(await statuses(hotline)) == [telegram]
    await planner.feed("telegram", room=10)
    assert await planner.finish_runs() == 1  # nothing left pending: the run is done
