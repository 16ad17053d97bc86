"""Cases nobody takes in time move to the fallback organisation: with the real APScheduler,
after a simulated delay and after a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from bot.app import build
from bot.cases import directory
from bot.storage.models import Case, utcnow
from tests.cases.conftest import add_operator, add_organisation, cases, lines, queued_to, say

PHONE = "+996555123456"


async def wait_for(predicate, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time")


async def make_overdue(hotline, case_id: int) -> None:
    """As if the organisation's time limit had passed."""
    past = utcnow() - timedelta(seconds=1)
    await hotline.database.run(
        lambda c: c.execute(
            Case.__table__.update().where(Case.__table__.c.id == case_id).values(deadline_at=past)
        )
    )
    return past


async def test_an_untaken_case_goes_to_the_fallback_and_the_person_gets_numbers(started):
    await add_organisation(started, "kg-line", countries=["KG"], languages=["ru"])
    await started.timers.start()
    try:
        await started.switchboard.receive(say("sms", PHONE, option="country:KG"))
        await started.switchboard.receive(say("sms", PHONE, "/operator"))
        [case] = await cases(started)
        assert case.organisation_id == "kg-line"
        assert started.timers.scheduler.get_job(f"case-{case.id}") is not None
        past = await make_overdue(started, case.id)
        started.timers.set({case.id: past})  # the timer, as it would fire at the deadline

        async def moved() -> bool:
            return (await cases(started))[0].organisation_id == "hotline"

        await wait_for(moved)
        [case] = await cases(started)
        assert case.fallback_at is not None and case.status == "waiting"
        kyrgyz = [h.phone for h in started.tree.hotlines_for("KG", ("emergency",))]
        notice = (await queued_to(started, PHONE))[-1]
        assert kyrgyz and any(phone in notice for phone in kyrgyz)
        assert (
            "hotline",
            "Not taken in time; passed to the fallback organisation.",
        ) in await lines(started, case.id)
        # Firing again changes nothing and tells the person nothing more.
        before = len(await queued_to(started, PHONE))
        assert not await started.desk.time_out(case.id)
        assert len(await queued_to(started, PHONE)) == before
    finally:
        started.timers.stop()


async def test_a_taken_case_does_not_time_out(started):
    await started.timers.start()
    try:
        operator = await add_operator(started, "aigul", "hotline", "operator")
        await started.switchboard.receive(say("telegram", "9", "/operator"))
        [case] = await cases(started)
        await started.desk.take(operator, case.id)
        assert started.timers.scheduler.get_job(f"case-{case.id}") is None
        assert not await started.desk.time_out(case.id)
    finally:
        started.timers.stop()


async def test_a_deadline_that_passed_while_the_service_was_down_fires_at_start(settings):
    first = build(settings)
    await first.database.run(lambda c: directory.sync(c, first.tree, ""))
    await add_organisation(first, "kg-line", countries=["KG"], languages=["ru"])
    await first.switchboard.receive(say("sms", PHONE, option="country:KG"))
    await first.switchboard.receive(say("sms", PHONE, "меня заперли, помогите"))
    [case] = await cases(first)
    assert case.urgent and case.organisation_id == "kg-line"
    await make_overdue(first, case.id)
    await first.close()  # stopped before the timer could fire

    second = build(settings)
    try:
        assert await second.timers.start() == 1

        async def moved() -> bool:
            return (await cases(second))[0].organisation_id == "hotline"

        await wait_for(moved)
    finally:
        second.timers.stop()
        await second.close()


async def test_the_time_limit_is_the_organisations_own(started):
    await add_organisation(started, "kg-line", countries=["KG"], urgent_minutes=3,
                           normal_minutes=45)  # fmt: skip
    await started.switchboard.receive(say("sms", PHONE, option="country:KG"))
    await started.switchboard.receive(say("sms", PHONE, "/operator"))
    await started.switchboard.receive(say("sms", "+996555999888", option="country:KG"))
    await started.switchboard.receive(say("sms", "+996555999888", "меня избивают"))
    normal, urgent = await cases(started)
    assert 44 * 60 < (normal.deadline_at - normal.created_at).total_seconds() <= 45 * 60
    assert 2 * 60 < (urgent.deadline_at - urgent.created_at).total_seconds() <= 3 * 60
    assert "45" in (await queued_to(started, PHONE))[-1]


async def test_directory_partners_become_organisations_and_leave_inactive(started):
    from dataclasses import replace

    from bot.content.model import Partner

    entry = next(h for h in started.tree.hotlines if h.country == "KG" and h.verified)
    partner = replace(entry, partner=Partner(countries=("KG",), topics=("trafficking",),
                                             languages=("ky", "ru")))  # fmt: skip
    tree = replace(started.tree, hotlines=[*started.tree.hotlines, partner])
    tree = replace(tree, hotlines=[h for h in tree.hotlines if h is not entry])
    await started.database.run(lambda c: directory.sync(c, tree, "Our line"))
    found = {row.id: row for row in await started.desk.organisations()}
    assert found[entry.id].from_content and found[entry.id].active
    assert found[entry.id].languages == ["ky", "ru"] and found[entry.id].phone == entry.phone
    assert found["hotline"].fallback and found["hotline"].name == "Our line"
    await started.database.run(lambda c: directory.sync(c, started.tree, ""))
    found = {row.id: row for row in await started.desk.organisations()}
    assert not found[entry.id].active  # gone from the directory: switched off, not deleted
    assert len([row for row in found.values() if row.fallback]) == 1
    count = await started.database.run(
        lambda c: c.execute(sa.select(sa.func.count()).select_from(Case.__table__)).scalar()
    )
    assert count == 0
